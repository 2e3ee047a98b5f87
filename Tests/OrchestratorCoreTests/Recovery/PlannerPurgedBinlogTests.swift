import OrchestratorCore
import Testing

/// MariaDB failover: a replica behind the start of the successor's oldest binary log is lost, not repointed.
@Suite("Recovery planner: MariaDB purged binary logs")
struct PlannerPurgedBinlogTests {
    private func failover(successorStart: String) -> RecoveryPlan {
        let replicas = [Fixture.replica(2, of: 1, seq: 99),
                        Fixture.replica(3, of: 1, seq: 100).with { $0.oldestBinlogGTIDPosition = successorStart },
                        Fixture.replica(4, of: 1, seq: 98)]
        return RecoveryPlanner.planMasterFailover(failed: Fixture.master(1).unreachable(), replicas: replicas,
                                                  operatorState: IntentState(), now: Fixture.now, settings: PromotionSettings())
    }

    @Test func aReplicaBehindTheSuccessorsOldestBinlogIsLost() throws {
        let plan = failover(successorStart: "0-1-99")
        #expect(plan.successor == Fixture.key(3))
        #expect(plan.verdict(for: Fixture.key(2))?.role == .repointed)
        let lost = try #require(plan.verdict(for: Fixture.key(4)))
        #expect(lost.role == .lost)
        #expect(lost.reasons.first == "lost: db:3 has purged binary logs it needs (GTID domain 0: it is at 0-1-98, "
                + "the oldest binary log on db:3 starts after 0-1-99); re-clone it")
        #expect(plan.lostReplicas == [Fixture.key(4)])
        #expect(plan.steps.contains(.repoint(Fixture.key(2), to: Fixture.key(3), start: true)))
        #expect(!plan.steps.contains(.repoint(Fixture.key(4), to: Fixture.key(3), start: true)))
        #expect(plan.steps.contains { if case .downtime(Fixture.key(4), _, _) = $0 { return true }; return false })
    }

    @Test func withoutAKnownStartEveryoneFollows() {
        for start in ["", "0-1-98", "0-1-50"] {
            let plan = failover(successorStart: start)
            #expect(plan.lostReplicas.isEmpty, "start \(start)")
            #expect(plan.steps.contains(.repoint(Fixture.key(4), to: Fixture.key(3), start: true)), "start \(start)")
        }
    }
}
