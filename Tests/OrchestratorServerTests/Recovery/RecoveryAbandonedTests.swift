import Foundation
import Testing
@testable import OrchestratorServer
import OrchestratorServerTestKit

/// A leader that loses leadership mid-recovery cannot record the outcome: its recovery stays active in
/// the replicated audit. The next leader closes it, and recovers the dead master itself when the
/// abandoned recovery changed nothing (found in an integration run on a loaded machine: the active
/// record refused every later recovery of the cluster).
@Suite("Recovery service: recoveries abandoned by a former leader", .serialized)
struct RecoveryAbandonedTests {
    typealias Fixture = RecoveryHookAbortTests.Fixture

    /// Records, through Raft, a recovery of the dead master that a former leader started and left active.
    static func abandon(_ fixture: Fixture, steps: [RecoveryStepRecord]) async throws -> TopologyRecovery {
        var recovery = TopologyRecovery(
            id: 1, uid: "abandoned-by-old-leader", analysisEntry: try await fixture.deadMaster(), type: "MasterFailover",
            start: fixture.node.now, processingNodeHostname: "http://10.0.0.9:3000", processingNodeToken: "10.0.0.9:10008")
        recovery.steps = steps
        try await fixture.node.submit(.writeRecovery(recovery))
        #expect(fixture.node.intent.recoveries.first { $0.uid == recovery.uid }?.isActive == true)
        return recovery
    }

    @Test func anAbandonedRecoveryThatChangedNothingIsClosedAndTheMasterRecovered() async throws {
        let fixture = try await Fixture(failingPreHook: false)
        let abandoned = try await Self.abandon(fixture, steps: [RecoveryStepRecord(name: "hook PreFailoverProcesses")])

        await fixture.service.checkAndRecover()

        let recoveries = fixture.node.intent.recoveries
        let closed = try #require(recoveries.first { $0.uid == abandoned.uid })
        #expect(!closed.isActive && !closed.isSuccessful && closed.recoveryEndTimestamp != nil)
        #expect(closed.allErrors.contains { $0.hasPrefix("abandoned: http://10.0.0.9:3000") }, "\(closed.allErrors)")
        #expect(closed.acknowledged, "it changed no server, so it does not block the new recovery")
        let fresh = try #require(recoveries.first { $0.uid != abandoned.uid }, "the new leader recovers: \(recoveries.map(\.uid))")
        #expect(fresh.isSuccessful && fresh.successorKey != nil, "\(fresh.allErrors)")
        #expect(fixture.mysql.operations.contains("reset-replica-all"), "\(fixture.mysql.calls)")
        await fixture.stop()
    }

    @Test func anAbandonedRecoveryThatChangedMySQLIsClosedButBlocksAutomatedRecovery() async throws {
        let fixture = try await Fixture(failingPreHook: false)
        var step = RecoveryStepRecord(name: "stop-replication", detail: "stop replication on db:3307, db:3308")
        step.ok = true
        let abandoned = try await Self.abandon(fixture, steps: [step])

        await fixture.service.checkAndRecover()

        let recoveries = fixture.node.intent.recoveries
        let closed = try #require(recoveries.first { $0.uid == abandoned.uid })
        #expect(!closed.isActive && !closed.isSuccessful)
        #expect(!closed.acknowledged, "an operator looks at a half-done recovery before another one runs")
        #expect(recoveries.count == 1, "RecoveryPeriodBlockSeconds holds the automated recovery back")
        #expect(fixture.mysql.calls.isEmpty, "\(fixture.mysql.calls)")
        await fixture.stop()
    }

    /// The dead master's failover plan, as the former leader would have made it (a dry run).
    static func plan(_ fixture: Fixture) async throws -> RecoveryPlan {
        let outcome = await fixture.service.recover(try await fixture.deadMaster(), trigger: .automatic,
                                                    command: "automated", dryRun: true)
        guard case .planned(let plan) = outcome else { throw PlanMissing(outcome: "\(outcome)") }
        return plan
    }

    struct PlanMissing: Error { let outcome: String }

    /// Records, through Raft, a recovery that kept its plan and ended its first `done` steps.
    static func abandon(_ fixture: Fixture, plan: RecoveryPlan, done: Int) async throws -> TopologyRecovery {
        var records = [RecoveryStepRecord(name: "hook PreFailoverProcesses", detail: "check-the-fence", ok: true)]
        for step in plan.steps.prefix(done) {
            var record = RecoveryStepRecord(step: step)
            record.ok = true
            records.append(record)
        }
        var recovery = try await abandon(fixture, steps: records)
        recovery.plannedSteps = plan.steps
        recovery.plannedSuccessorKey = plan.successor
        try await fixture.node.submit(.writeRecovery(recovery))
        return recovery
    }

    /// The former leader died right after promoting the successor: the next leader repoints the other
    /// replica, fences the old master, runs the post hooks once and records the success.
    @Test func anAbandonedRecoveryPastThePromoteIsFinishedByTheNextLeader() async throws {
        let fixture = try await Fixture(failingPreHook: false)
        let plan = try await Self.plan(fixture)
        let successor = try #require(plan.successor)
        let promote = try #require(plan.steps.firstIndex { if case .promote = $0 { true } else { false } }, "\(plan.steps)")
        let abandoned = try await Self.abandon(fixture, plan: plan, done: promote + 1)

        await fixture.service.checkAndRecover()
        await fixture.service.waitForRecoveries()

        let recoveries = fixture.node.intent.recoveries
        #expect(recoveries.count == 1, "no second recovery: \(recoveries.map(\.uid))")
        let finished = try #require(recoveries.first { $0.uid == abandoned.uid })
        #expect(!finished.isActive && finished.isSuccessful && finished.successorKey == successor, "\(finished.allErrors)")
        #expect(finished.steps.contains { $0.name == "resumed" && $0.detail.contains("http://10.0.0.9:3000") },
                "\(finished.steps.map(\.name))")
        #expect(finished.processingNodeHostname == fixture.node.settings.httpAdvertise)
        let calls = fixture.mysql.calls
        #expect(!calls.contains { $0.operation == "reset-replica-all" }, "the promote is not run again: \(calls)")
        let sibling = InstanceKey(hostname: "db", port: successor.port == 3307 ? 3308 : 3307)
        #expect(calls.contains { $0.operation == "repoint" && $0.key == sibling && $0.detail.hasPrefix("to \(successor)") },
                "the other replica is repointed: \(calls)")
        #expect(fixture.hooks.phases == [.postMasterFailover, .postFailover], "\(fixture.hooks.phases)")
        await fixture.stop()
    }

    /// The former leader died while the promote was in flight: it runs again (it is idempotent).
    @Test func thePromoteInFlightRunsAgain() async throws {
        let fixture = try await Fixture(failingPreHook: false)
        let plan = try await Self.plan(fixture)
        let successor = try #require(plan.successor)
        let promote = try #require(plan.steps.firstIndex { if case .promote = $0 { true } else { false } })
        let abandoned = try await Self.abandon(fixture, plan: plan, done: promote)

        await fixture.service.checkAndRecover()
        await fixture.service.waitForRecoveries()

        let finished = try #require(fixture.node.intent.recoveries.first { $0.uid == abandoned.uid })
        #expect(finished.isSuccessful && finished.successorKey == successor, "\(finished.allErrors)")
        #expect(fixture.mysql.calls.contains { $0.operation == "reset-replica-all" && $0.key == successor }, "\(fixture.mysql.calls)")
        await fixture.stop()
    }

    /// Stopped after stopping replication only (no role changed): closed and acknowledged, and a fresh
    /// recovery plans again from what the servers look like now.
    @Test func anAbandonedRecoveryBeforeAnyRoleChangeGivesWayToAFreshOne() async throws {
        let fixture = try await Fixture(failingPreHook: false)
        let plan = try await Self.plan(fixture)
        let abandoned = try await Self.abandon(fixture, plan: plan, done: 1)

        await fixture.service.checkAndRecover()
        await fixture.service.waitForRecoveries()

        let recoveries = fixture.node.intent.recoveries
        let closed = try #require(recoveries.first { $0.uid == abandoned.uid })
        #expect(!closed.isActive && !closed.isSuccessful && closed.acknowledged, "\(closed.allErrors)")
        let fresh = try #require(recoveries.first { $0.uid != abandoned.uid }, "\(recoveries.map(\.uid))")
        #expect(fresh.isSuccessful, "\(fresh.allErrors)")
        await fixture.stop()
    }

    /// The successor stopped answering: nothing is guessed, an operator decides.
    @Test func anAbandonedRecoveryWhoseSuccessorIsDownIsLeftToAnOperator() async throws {
        let fixture = try await Fixture(failingPreHook: false)
        let plan = try await Self.plan(fixture)
        let successor = try #require(plan.successor)
        let promote = try #require(plan.steps.firstIndex { if case .promote = $0 { true } else { false } })
        let abandoned = try await Self.abandon(fixture, plan: plan, done: promote + 1)
        fixture.prober.instances.withLock { $0[successor] = nil }
        await fixture.node.discovery.refresh([successor])

        await fixture.service.checkAndRecover()
        await fixture.service.waitForRecoveries()

        let closed = try #require(fixture.node.intent.recoveries.first { $0.uid == abandoned.uid })
        #expect(!closed.isActive && !closed.isSuccessful && !closed.acknowledged)
        #expect(closed.allErrors.contains { $0.contains("successor") }, "\(closed.allErrors)")
        #expect(fixture.mysql.calls.isEmpty, "\(fixture.mysql.calls)")
        await fixture.stop()
    }
}
