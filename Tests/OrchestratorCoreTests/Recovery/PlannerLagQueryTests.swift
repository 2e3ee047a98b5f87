import OrchestratorCore
import Testing

/// With `ReplicationLagQuery`, a replica's lag is the query's value (`replicationLagSeconds`), which can
/// differ from `Seconds_Behind_Master`: ranking and `FailMasterPromotionOnLagMinutes` use the former.
@Suite("Recovery planner: lag from ReplicationLagQuery")
struct PlannerLagQueryTests {
    private func failover(_ replicas: [Instance], settings: PromotionSettings = PromotionSettings()) -> RecoveryPlan {
        RecoveryPlanner.planMasterFailover(failed: Fixture.master(1).unreachable(), replicas: replicas,
                                           operatorState: IntentState(), now: Fixture.now, settings: settings)
    }

    @Test("at equal positions the replica with less query lag wins, whatever Seconds_Behind_Master says")
    func rankingUsesReplicationLagSeconds() {
        // db:2 reports no Seconds_Behind_Master lag but the heartbeat says 100 s; db:3 the other way round.
        let heartbeatLagging = Fixture.replica(2, of: 1).with { $0.secondsBehindMaster = 0; $0.replicationLagSeconds = 100 }
        let heartbeatCurrent = Fixture.replica(3, of: 1).with { $0.secondsBehindMaster = 100; $0.replicationLagSeconds = 0 }
        #expect(failover([heartbeatLagging, heartbeatCurrent]).successor == Fixture.key(3))
        #expect(failover([heartbeatCurrent, heartbeatLagging]).successor == Fixture.key(3))
    }

    @Test("FailMasterPromotionOnLagMinutes excludes by the query's lag, not Seconds_Behind_Master")
    func failOnLagUsesReplicationLagSeconds() {
        var settings = PromotionSettings()
        settings.failMasterPromotionOnLagMinutes = 1
        let heartbeatLagging = Fixture.replica(2, of: 1, seq: 101).with { $0.secondsBehindMaster = 0; $0.replicationLagSeconds = 600 }
        let heartbeatCurrent = Fixture.replica(3, of: 1).with { $0.secondsBehindMaster = 600; $0.replicationLagSeconds = 0 }
        let plan = failover([heartbeatLagging, heartbeatCurrent], settings: settings)
        #expect(plan.successor == Fixture.key(3))
        let reasons = plan.verdict(for: Fixture.key(2))?.reasons.joined(separator: "|") ?? ""
        #expect(reasons.contains("lags 600s, more than FailMasterPromotionOnLagMinutes=1"))
        #expect(plan.verdict(for: Fixture.key(3))?.reasons.contains { $0.contains("FailMasterPromotionOnLagMinutes") } == false)
    }

    @Test("the topology line shows the query's lag, and null when the query failed")
    func topologyLagString() {
        let replica = Fixture.replica(2, of: 1).with { $0.secondsBehindMaster = 3; $0.replicationLagSeconds = 42; $0.isRecentlyChecked = true }
        #expect(replica.lagStatusString == "42s")
        #expect(replica.with { $0.replicationLagSeconds = nil }.lagStatusString == "null")
    }
}
