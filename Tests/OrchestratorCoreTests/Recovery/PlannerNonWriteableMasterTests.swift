import Foundation
import OrchestratorCore
import Testing

/// `RecoverNonWriteableMaster`: the plan that makes a read-only master writeable, and its refusals.
@Suite("Recovery planner: a master left read-only")
struct PlannerNonWriteableMasterTests {
    private var readOnlyMaster: Instance { Fixture.master(1).with { $0.readOnly = true } }
    private var replicas: [Instance] { [Fixture.replica(2, of: 1), Fixture.replica(3, of: 1)] }

    @Test("a reachable read-only master with replicas gets one step: read_only=0 on itself")
    func unlocksTheMaster() throws {
        let plan = RecoveryPlanner.planMakeMasterWriteable(master: readOnlyMaster, replicas: replicas)
        #expect(plan.isExecutable)
        #expect(plan.kind == .nonWriteableMaster && plan.kind.rawValue == "NonWriteableMasterRecovery")
        #expect(plan.successor == Fixture.key(1))
        #expect(plan.steps == [.setWritable(Fixture.key(1))])
        #expect(!plan.kind.changesMaster, "the KV stores and master-failover hooks are not involved")
        #expect(plan.explain.contains("Making read-only master db:1 writeable"))
        #expect(plan.explain.contains("set read_only=0 on db:1"))
        // The step survives the audit's JSON round trip.
        let data = try JSONEncoder().encode(plan.steps)
        #expect(try JSONDecoder().decode([RecoveryStep].self, from: data) == plan.steps)
        #expect(String(decoding: data, as: UTF8.self).contains(#""Name":"set-writeable""#))
    }

    @Test("refused with a reason: unreachable, a replica, already writeable, or without replicas")
    func refusals() {
        let cases: [(Instance, [Instance], String)] = [
            (readOnlyMaster.unreachable(), replicas, "cannot be reached"),
            (Fixture.replica(2, of: 1), [Fixture.replica(4, of: 2, depth: 2)], "only a cluster's top master"),
            (Fixture.master(1), replicas, "already writeable"),
            (readOnlyMaster, [], "has no replicas"),
        ]
        for (master, replicas, reason) in cases {
            let plan = RecoveryPlanner.planMakeMasterWriteable(master: master, replicas: replicas)
            #expect(!plan.isExecutable && plan.steps.isEmpty, "\(reason)")
            #expect(plan.errors.joined().contains(reason), "\(plan.errors) should say \(reason)")
        }
    }

    @Test("the analysis entry leads to this plan through the planner's entry point")
    func entryPointPlansIt() throws {
        var settings = AnalysisSettings()
        settings.recoverNonWriteableMaster = true
        let instances = [readOnlyMaster] + replicas
        let analysis = try #require(ReplicationAnalyzer.analyze(Fixture.snapshot(instances), now: Fixture.now, settings: settings)
            .first { $0.analyzedInstanceKey == Fixture.key(1) })
        #expect(analysis.analysis == .noWriteableMasterStructureWarning)
        let plan = RecoveryPlanner.plan(for: analysis, instances: instances, operatorState: IntentState(), now: Fixture.now,
                                        settings: PromotionSettings())
        #expect(plan?.steps == [.setWritable(Fixture.key(1))])
    }
}
