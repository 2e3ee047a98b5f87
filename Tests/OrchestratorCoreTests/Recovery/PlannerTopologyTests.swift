import Foundation
import OrchestratorCore
import Testing

@Suite("Recovery planner: intermediate master and graceful takeover")
struct PlannerTopologyTests {
    private let settings = { var s = PromotionSettings(); s.replicationCredentials = .configured; return s }()

    @Test func deadIntermediateMasterReplicasGoToACandidateSiblingInItsDataCenterFirst() {
        let tree = Fixture.tree().map { $0.with { $0.dataCenter = "dc1" } }
        let im = tree[2].unreachable()
        let plan = RecoveryPlanner.planIntermediateMasterRecovery(
            failed: im, replicas: [tree[3].failingToConnect(), tree[4].failingToConnect()], master: tree[0],
            siblings: [tree[1], im], operatorState: IntentState(), now: Fixture.now, settings: settings)
        #expect(plan.isExecutable)
        #expect(plan.successor == Fixture.key(2))
        #expect(plan.steps == [
            .stopReplication([Fixture.key(4), Fixture.key(5)]),
            .repoint(Fixture.key(4), to: Fixture.key(2), start: true),
            .repoint(Fixture.key(5), to: Fixture.key(2), start: true),
        ])
        #expect(plan.verdict(for: Fixture.key(4))?.reasons.first?.contains("candidate sibling in the failed intermediate master's data center \"dc1\"") == true)
        // Not a candidate sibling: no binary log of replicated events, must_not, or a newer version than the replicas.
        for unsuitable in [tree[1].with { $0.logReplicationUpdatesEnabled = false }, tree[1].with { $0.promotionRule = .mustNot },
                           tree[1].with { $0.version = "11.4.2-MariaDB-log" }] {
            let up = RecoveryPlanner.planIntermediateMasterRecovery(
                failed: im, replicas: [tree[3].failingToConnect(), tree[4].failingToConnect()], master: tree[0],
                siblings: [unsuitable, im], operatorState: IntentState(), now: Fixture.now, settings: settings)
            #expect(up.successor == Fixture.key(1), "\(unsuitable.version) \(unsuitable.promotionRule)")
            #expect(up.steps.contains(.repoint(Fixture.key(4), to: Fixture.key(1), start: true)))
        }
    }

    @Test func deadIntermediateMasterReplicasMoveUpToItsMasterBeforeASiblingElsewhere() {
        let tree = Fixture.tree()
        let im = tree[2].unreachable()
        let plan = RecoveryPlanner.planIntermediateMasterRecovery(
            failed: im, replicas: [tree[3].failingToConnect(), tree[4].failingToConnect()], master: tree[0],
            siblings: [tree[1].with { $0.dataCenter = "dc2" }], operatorState: IntentState(), now: Fixture.now, settings: settings)
        #expect(plan.isExecutable)
        #expect(plan.successor == Fixture.key(1))
        #expect(plan.steps == [
            .stopReplication([Fixture.key(4), Fixture.key(5)]),
            .repoint(Fixture.key(4), to: Fixture.key(1), start: true),
            .repoint(Fixture.key(5), to: Fixture.key(1), start: true),
        ])
        #expect(plan.verdicts.allSatisfy { $0.role == .repointed })
    }

    @Test func deadIntermediateMasterUnderUnreachableMasterUsesSibling() {
        let tree = Fixture.tree()
        let plan = RecoveryPlanner.planIntermediateMasterRecovery(
            failed: tree[2].unreachable(), replicas: [tree[3].failingToConnect(), tree[4].unreachable()],
            master: tree[0].unreachable(), siblings: [tree[1], tree[2]], operatorState: IntentState(),
            now: Fixture.now, settings: settings)
        #expect(plan.successor == Fixture.key(2))
        #expect(plan.lostReplicas == [Fixture.key(5)])
        #expect(plan.steps.contains(.repoint(Fixture.key(4), to: Fixture.key(2), start: true)))
        #expect(plan.explain.contains("New parent: db:2"))
    }

    @Test func gracefulTakeoverToDesignatedReplica() {
        let tree = Fixture.tree()
        let plan = RecoveryPlanner.planGracefulTakeover(
            master: tree[0], replicas: [tree[1], tree[2]], designated: Fixture.key(3), auto: true,
            operatorState: IntentState(), now: Fixture.now, settings: settings)
        #expect(plan.isExecutable && plan.successor == Fixture.key(3))
        #expect(plan.steps == [
            .setReadOnly(Fixture.key(1)),
            .waitUntilApplied(Fixture.key(3), upTo: .positionOf(Fixture.key(1))),
            .stopReplication([Fixture.key(3)]),
            .promote(Fixture.key(3), setWritable: true),
            .waitUntilApplied(Fixture.key(2), upTo: .positionOf(Fixture.key(1))),
            .repoint(Fixture.key(2), to: Fixture.key(3), start: true),
            .repoint(Fixture.key(1), to: Fixture.key(3), start: true),
        ])
        #expect(plan.verdict(for: Fixture.key(3))?.reasons.first == "designated by the operator")
    }

    @Test func gracefulTakeoverWithoutAutoLeavesOldMasterStopped() {
        let tree = Fixture.tree()
        let plan = RecoveryPlanner.planGracefulTakeover(
            master: tree[0], replicas: [tree[1], tree[2]], designated: Fixture.key(2), auto: false,
            operatorState: IntentState(), now: Fixture.now, settings: settings)
        #expect(plan.successor == Fixture.key(2))
        #expect(plan.steps.last == .repoint(Fixture.key(1), to: Fixture.key(2), start: false))
    }

    @Test func gracefulTakeoverRefusesMustNotAndDeadMaster() {
        let tree = Fixture.tree()
        var state = IntentState()
        state.apply(.registerCandidate(CandidateRegistration(key: Fixture.key(3), promotionRule: .mustNot,
                                                             registeredAt: Fixture.now, until: Fixture.now.adding(seconds: 60))))
        let refused = RecoveryPlanner.planGracefulTakeover(
            master: tree[0], replicas: [tree[1], tree[2]], designated: Fixture.key(3), auto: false,
            operatorState: state, now: Fixture.now, settings: settings)
        #expect(!refused.isExecutable && refused.steps.isEmpty)
        #expect(refused.errors.first?.contains("must_not") == true)
        let dead = RecoveryPlanner.planGracefulTakeover(
            master: tree[0].unreachable(), replicas: [tree[1]], designated: nil, auto: false,
            operatorState: IntentState(), now: Fixture.now, settings: settings)
        #expect(dead.errors.first?.contains("force-master-failover") == true)
        let notReplica = RecoveryPlanner.planGracefulTakeover(
            master: tree[0], replicas: [tree[1], tree[2]], designated: Fixture.key(4), auto: false,
            operatorState: IntentState(), now: Fixture.now, settings: settings)
        #expect(notReplica.errors.count == 1)
        #expect(notReplica.errors.first?.contains("db:4 must be directly replicating from the master db:1") == true)
    }
}

@Suite("Recovery planner: entry points over probed instances")
struct PlannerEntryPointTests {
    @Test func planForDeadMasterAnalysis() throws {
        let dead = Fixture.tree().replacing(1) { $0.unreachable() }
            .replacing(2) { $0.failingToConnect() }.replacing(3) { $0.failingToConnect() }
        let entry = try #require(ReplicationAnalyzer.analyze(Fixture.snapshot(dead), now: Fixture.now).first)
        let plan = try #require(RecoveryPlanner.plan(for: entry, instances: dead, operatorState: IntentState(),
                                                     now: Fixture.now, settings: PromotionSettings()))
        #expect(plan.kind == .masterFailover && plan.successor == Fixture.key(2))
        #expect(plan.recoveryType == "MasterRecoveryGTID")
        #expect(plan.participatingInstanceKeys == [Fixture.key(1), Fixture.key(2), Fixture.key(3)])
        // The intermediate master's own replicas stay under it.
        #expect(!plan.participatingInstanceKeys.contains(Fixture.key(4)))
    }

    @Test func planForDeadIntermediateMasterAnalysis() throws {
        let dead = Fixture.tree().replacing(3) { $0.unreachable() }
            .replacing(4) { $0.failingToConnect() }.replacing(5) { $0.failingToConnect() }
        let entry = try #require(ReplicationAnalyzer.analyze(Fixture.snapshot(dead), now: Fixture.now)
            .first { $0.analysis == .deadIntermediateMaster })
        let plan = try #require(RecoveryPlanner.plan(for: entry, instances: dead, operatorState: IntentState(),
                                                     now: Fixture.now, settings: PromotionSettings()))
        // db:2, a sibling of the dead db:3 in the same (unnamed) data center, takes its replicas.
        #expect(plan.kind == .intermediateMasterRecovery && plan.successor == Fixture.key(2))
        #expect(plan.recoveryType == "IntermediateMasterRecoveryGTID")
    }

    @Test func hypotheticalFailoverOfHealthyCluster() throws {
        let plan = try #require(RecoveryPlanner.hypotheticalFailover(of: Fixture.key(1), instances: Fixture.tree(),
                                                                     operatorState: IntentState(), now: Fixture.now,
                                                                     settings: PromotionSettings()))
        #expect(plan.isExecutable && plan.successor == Fixture.key(2))
        #expect(RecoveryPlanner.hypotheticalFailover(of: Fixture.key(42), instances: Fixture.tree(), operatorState: IntentState(),
                                                     now: Fixture.now, settings: PromotionSettings()) == nil)
    }
}

@Suite("Recovery planner: plan JSON")
struct PlanJSONTests {
    @Test func planRoundTripsWithReadableSteps() throws {
        var state = IntentState()
        state.apply(.registerCandidate(CandidateRegistration(key: Fixture.key(2), promotionRule: .mustNot,
                                                             registeredAt: Fixture.now, until: Fixture.now.adding(seconds: 60))))
        let plan = RecoveryPlanner.planMasterFailover(
            failed: Fixture.master(1).unreachable(),
            replicas: [Fixture.replica(2, of: 1), Fixture.replica(3, of: 1, seq: 99), Fixture.replica(4, of: 1).unreachable()],
            operatorState: state, now: Fixture.now, settings: PromotionSettings())
        let graceful = RecoveryPlanner.planGracefulTakeover(
            master: Fixture.master(1), replicas: [Fixture.replica(2, of: 1)], designated: nil, auto: true,
            operatorState: IntentState(), now: Fixture.now, settings: PromotionSettings())
        for p in [plan, graceful] {
            let data = try JSONEncoder().encode(p)
            #expect(try JSONDecoder().decode(RecoveryPlan.self, from: data) == p)
        }
        let data = try JSONEncoder().encode(plan)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let steps = try #require(object["Steps"] as? [[String: Any]])
        #expect(steps.map { $0["Name"] as? String ?? "" }
                == ["stop-replication", "wait-until-applied", "wait-until-applied", "catch-up", "promote", "repoint",
                    "fence-old-master", "downtime", "downtime"])
        #expect((steps[3]["Position"] as? [String: Any])?["GTID"] as? String == "0-1-100")
        #expect((object["SuccessorKey"] as? [String: Any])?["Port"] as? Int == 3)
        #expect((object["Candidates"] as? [[String: Any]])?.count == 3)
    }
}
