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
}
