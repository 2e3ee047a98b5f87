import Foundation
import OrchestratorCore
import Testing

/// What a new leader does with a recovery its predecessor left active: resume it from the step in
/// flight, or close it (acknowledged only when no server changed role).
@Suite("Abandoned recovery: resume or close")
struct AbandonedRecoveryTests {
    static let block: Int64 = 3600

    /// The failover plan of the dead master db:1 with replicas db:2 (behind) and db:3 (most advanced).
    static var plan: RecoveryPlan {
        RecoveryPlanner.planMasterFailover(
            failed: Fixture.master(1).unreachable(),
            replicas: [Fixture.replica(2, of: 1, seq: 99), Fixture.replica(3, of: 1, seq: 100), Fixture.replica(4, of: 1, seq: 98)],
            operatorState: IntentState(), now: Fixture.now, settings: PromotionSettings())
    }

    static var instances: [Instance] {
        [Fixture.master(1).unreachable(), Fixture.replica(2, of: 1), Fixture.replica(3, of: 1), Fixture.replica(4, of: 1)]
    }

    /// The recovery as its first leader left it: the plan recorded, the first `done` steps ended (the
    /// last with `lastOK`), started `ago` seconds before now.
    static func abandoned(done: Int, lastOK: Bool = true, ago: Int64 = 30, planned: Bool = true,
                          hooks: Bool = true) -> TopologyRecovery {
        let plan = Self.plan
        var recovery = TopologyRecovery(id: 1, uid: "r-1", analysisEntry: PolicyTests.deadMaster, type: "MasterFailover",
                                        start: Fixture.now.adding(seconds: -ago))
        if planned {
            recovery.plannedSteps = plan.steps
            recovery.plannedSuccessorKey = plan.successor
        }
        if hooks { recovery.steps.append(RecoveryStepRecord(name: "hook PreFailoverProcesses", detail: "true", ok: true)) }
        for (index, step) in plan.steps.prefix(done).enumerated() {
            var record = RecoveryStepRecord(step: step)
            record.ok = index < done - 1 || lastOK
            if !record.ok { record.error = "connection refused" }
            recovery.steps.append(record)
            if case .promote = step, record.ok { recovery.steps.append(RecoveryStepRecord(name: "kv publish", detail: "x", ok: true)) }
        }
        return recovery
    }

    func decide(_ recovery: TopologyRecovery, instances: [Instance] = AbandonedRecoveryTests.instances) -> AbandonedRecovery.Decision {
        AbandonedRecovery.decide(recovery, instances: instances, now: Fixture.now, maxAgeSeconds: Self.block)
    }

    @Test func stoppedBeforeAnyStepIsClosedAndAcknowledged() {
        guard case .close(let ack, _) = decide(Self.abandoned(done: 0)) else { Issue.record("not closed"); return }
        #expect(ack)
    }

    /// Stopping replication and the catch-up wait change no role: a fresh recovery plans again.
    @Test func stoppedWhileWaitingForCatchUpIsClosedAndAcknowledged() {
        #expect(Array(Self.plan.steps.prefix(2).map(\.name)) == ["stop-replication", "wait-until-applied"])
        guard case .close(let ack, let reason) = decide(Self.abandoned(done: 1)) else { Issue.record("not closed"); return }
        #expect(ack, "\(reason)")
    }

    /// The promote step was in flight: it may have reached the server, so it runs again, then the rest.
    @Test func stoppedDuringPromoteResumesFromThePromote() {
        let plan = Self.plan
        guard case .resume(let steps, let successor, _) = decide(Self.abandoned(done: 2)) else { Issue.record("not resumed"); return }
        #expect(successor == Fixture.key(3))
        #expect(steps == Array(plan.steps.dropFirst(2)))
        #expect(steps.first == .promote(Fixture.key(3), setWritable: true))
    }

    @Test func stoppedAfterPromoteResumesWithTheRepoints() {
        let plan = Self.plan
        guard case .resume(let steps, _, _) = decide(Self.abandoned(done: 3)) else { Issue.record("not resumed"); return }
        #expect(steps == Array(plan.steps.dropFirst(3)))
        #expect(steps.first == .repoint(Fixture.key(2), to: Fixture.key(3), start: true))
    }

    @Test func everyStepDoneResumesWithNothingLeftToRun() {
        let all = Self.plan.steps.count
        guard case .resume(let steps, _, _) = decide(Self.abandoned(done: all)) else { Issue.record("not resumed"); return }
        #expect(steps.isEmpty)
    }

    @Test func aFailedStepIsNotRetried() {
        guard case .close(let ack, let reason) = decide(Self.abandoned(done: 3, lastOK: false)) else { Issue.record("not closed"); return }
        #expect(!ack)
        #expect(reason.contains("repoint") || reason.contains("promote"), "\(reason)")
    }

    @Test func aSuccessorThatDoesNotAnswerIsLeftToAnOperator() {
        let instances = Self.instances.map { $0.key == Fixture.key(3) ? $0.unreachable() : $0 }
        guard case .close(let ack, let reason) = decide(Self.abandoned(done: 3), instances: instances) else {
            Issue.record("not closed"); return
        }
        #expect(!ack)
        #expect(reason.contains("db:3") || reason.contains("successor"), "\(reason)")
    }

    @Test func tooOldToResume() {
        guard case .close(let ack, _) = decide(Self.abandoned(done: 3, ago: Self.block + 1)) else { Issue.record("not closed"); return }
        #expect(!ack)
    }

    @Test func recordsThatDoNotFollowThePlanAreNotGuessedAbout() {
        var recovery = Self.abandoned(done: 3)
        recovery.plannedSteps = Array(Self.plan.steps.dropFirst())
        guard case .close(let ack, _) = decide(recovery) else { Issue.record("not closed"); return }
        #expect(!ack)
    }

    /// A record written by an orchd that did not keep the plan: closed, acknowledged only when no
    /// MySQL step ran.
    @Test func recordsWithoutAPlanKeepTheOldRule() {
        guard case .close(let untouched, _) = decide(Self.abandoned(done: 0, planned: false)) else { Issue.record("not closed"); return }
        #expect(untouched)
        guard case .close(let touched, _) = decide(Self.abandoned(done: 1, planned: false)) else { Issue.record("not closed"); return }
        #expect(!touched)
    }

    @Test func theResumptionPlanKeepsTheRecoverysKindAndFailedServer() {
        let recovery = Self.abandoned(done: 3)
        let plan = AbandonedRecovery.resumptionPlan(of: recovery, steps: [.fenceOldMaster(Fixture.key(1))], successor: Fixture.key(3))
        #expect(plan.kind == .masterFailover)
        #expect(plan.failedKey == recovery.analysisEntry.analyzedInstanceKey)
        #expect(plan.isExecutable && plan.steps.count == 1)
    }

    /// The recorded plan survives the replicated audit's JSON.
    @Test func thePlanRoundTripsThroughJSON() throws {
        let recovery = Self.abandoned(done: 3)
        let data = try JSONEncoder().encode(recovery)
        let decoded = try JSONDecoder().decode(TopologyRecovery.self, from: data)
        #expect(decoded.plannedSteps == recovery.plannedSteps && decoded.plannedSuccessorKey == Fixture.key(3))
    }

    /// A node that ran steps but could not record its outcome records it later, unless another leader
    /// resumed the recovery meanwhile.
    @Test func aLateOutcomeStandsUnlessAnotherLeaderResumed() {
        var closed = Self.abandoned(done: 3)
        closed.resolve(successor: nil, successful: false, at: Fixture.now)
        #expect(AbandonedRecovery.lateOutcomeStands(over: nil))
        #expect(AbandonedRecovery.lateOutcomeStands(over: Self.abandoned(done: 3)), "over an active record")
        #expect(AbandonedRecovery.lateOutcomeStands(over: closed), "over another leader's close")
        var resumed = Self.abandoned(done: 3)
        resumed.steps.append(RecoveryStepRecord(name: AbandonedRecovery.resumedStepName, detail: "resumed by b", ok: true))
        #expect(!AbandonedRecovery.lateOutcomeStands(over: resumed))
    }
}
