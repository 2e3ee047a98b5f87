import OrchestratorCore
import Testing

/// Upstream's graceful-takeover refusals that scripts grep for, decided by the planner.
@Suite("Recovery planner: graceful takeover refusals")
struct PlannerTakeoverRefusalTests {
    private func graceful(_ replicas: [Instance], designated: InstanceKey?, auto: Bool) -> RecoveryPlan {
        RecoveryPlanner.planGracefulTakeover(master: Fixture.master(1), replicas: replicas, designated: designated, auto: auto,
                                             operatorState: IntentState(), now: Fixture.now, settings: PromotionSettings())
    }

    private var twoReplicas: [Instance] { [Fixture.replica(2, of: 1), Fixture.replica(3, of: 1, seq: 101)] }

    @Test("without -d and with several direct replicas, the plain command refuses: target instance not indicated")
    func severalReplicasNeedADestination() {
        let plan = graceful(twoReplicas, designated: nil, auto: false)
        #expect(!plan.isExecutable && plan.steps.isEmpty && plan.successor == nil)
        #expect(plan.errors.count == 1)
        #expect(plan.errors.first?.contains("target instance not indicated") == true, "\(plan.errors)")
        #expect(plan.errors.first?.contains("db:1 has 2 replicas") == true, "\(plan.errors)")
        #expect(plan.errors.first?.contains("-d") == true, "the fix is named")
    }

    @Test("graceful-master-takeover-auto still chooses the best replica itself")
    func autoChoosesTheBest() {
        let plan = graceful(twoReplicas, designated: nil, auto: true)
        #expect(plan.isExecutable, "\(plan.errors)")
        #expect(plan.successor == Fixture.key(3))
    }

    @Test("without -d, a master with a single direct replica hands over to it")
    func singleReplicaNeedsNoDestination() {
        let plan = graceful([Fixture.replica(2, of: 1)], designated: nil, auto: false)
        #expect(plan.isExecutable, "\(plan.errors)")
        #expect(plan.successor == Fixture.key(2))
    }

    @Test("a -d that is not a direct replica of the master is refused: must be directly replicating from the master")
    func designatedMustBeADirectReplica() {
        for auto in [false, true] {
            let plan = graceful(twoReplicas, designated: Fixture.key(4), auto: auto)
            #expect(!plan.isExecutable && plan.steps.isEmpty)
            #expect(plan.errors.first?.contains("db:4 must be directly replicating from the master db:1") == true, "\(plan.errors)")
        }
    }
}
