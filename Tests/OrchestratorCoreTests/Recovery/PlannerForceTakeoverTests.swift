import Foundation
import OrchestratorCore
import Testing

@Suite("Recovery planner: force-master-takeover and operator candidates")
struct PlannerForceTakeoverTests {
    private let settings = PromotionSettings()

    @Test func demotesTheLiveMasterFirstAndPromotesTheDesignatedReplica() {
        let tree = Fixture.tree()
        let plan = RecoveryPlanner.planForceMasterTakeover(
            master: tree[0], replicas: [tree[1], tree[2]], designated: Fixture.key(3),
            operatorState: IntentState(), now: Fixture.now, settings: settings)
        #expect(plan.isExecutable && plan.successor == Fixture.key(3))
        #expect(plan.steps.first == .fenceOldMaster(Fixture.key(1)))
        #expect(plan.steps.filter { $0 == .fenceOldMaster(Fixture.key(1)) }.count == 1)
        #expect(plan.steps.contains(.promote(Fixture.key(3), setWritable: true)))
        #expect(plan.steps.contains(.repoint(Fixture.key(2), to: Fixture.key(3), start: true)))
        #expect(!plan.steps.contains { if case .repoint(Fixture.key(1), _, _) = $0 { return true } else { return false } },
                "the old master is left read-only, not repointed")
        #expect(plan.verdict(for: Fixture.key(3))?.reasons.first == "designated by the operator")
    }

    @Test func aBehindDesignatedReplicaCatchesUpFromTheMoreAdvancedOne() {
        let master = Fixture.master(1)
        let ahead = Fixture.replica(2, of: 1, seq: 120), behind = Fixture.replica(3, of: 1, seq: 100)
        let plan = RecoveryPlanner.planMasterFailover(
            failed: master.unreachable(), replicas: [ahead, behind], operatorState: IntentState(), now: Fixture.now,
            settings: settings, designated: Fixture.key(3))
        #expect(plan.successor == Fixture.key(3))
        #expect(plan.steps.contains { if case .catchUp(Fixture.key(3), from: Fixture.key(2), _) = $0 { return true } else { return false } })
        #expect(plan.lostTransactions.isEmpty)
    }

    @Test func refusesAReplicaThatIsNotADirectChild() {
        let tree = Fixture.tree()
        let plan = RecoveryPlanner.planForceMasterTakeover(
            master: tree[0], replicas: [tree[1], tree[2]], designated: Fixture.key(4),
            operatorState: IntentState(), now: Fixture.now, settings: settings)
        #expect(!plan.isExecutable)
        #expect(plan.errors.first?.contains("not a direct replica") == true)
    }
}
