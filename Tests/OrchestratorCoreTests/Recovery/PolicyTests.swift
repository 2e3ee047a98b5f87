import Foundation
import OrchestratorCore
import Testing

@Suite("Recovery policy: filters, switch, downtime, anti-flapping")
struct PolicyTests {
    static let block: Int64 = 3600

    static var deadMaster: ReplicationAnalysis {
        let dead = Fixture.tree().replacing(1) { $0.unreachable() }
            .replacing(2) { $0.failingToConnect() }.replacing(3) { $0.failingToConnect() }
        return ReplicationAnalyzer.analyze(Fixture.snapshot(dead), now: Fixture.now).first!
    }

    static func recovery(cluster: String = "db:1", successor: Int? = 2, startedAgo: Int64, acked: Bool = false,
                         active: Bool = false) -> TopologyRecovery {
        var entry = deadMaster
        entry.clusterDetails.clusterName = cluster
        entry.clusterDetails.clusterAlias = cluster
        var r = TopologyRecovery(id: 1, uid: "r-1", analysisEntry: entry, type: "MasterRecovery",
                                 start: Fixture.now.adding(seconds: -startedAgo))
        if !active { r.resolve(successor: successor.map(Fixture.key), successful: true, at: r.recoveryStartTimestamp.adding(seconds: 2)) }
        if acked { r.acknowledge(by: "ops", comment: "ok", at: Fixture.now) }
        return r
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var analysis: ReplicationAnalysis = PolicyTests.deadMaster
        var trigger: RecoveryPolicy.Trigger = .automatic
        var filters = RecoveryFilters(masterFilters: ["*"], intermediateMasterFilters: ["*"])
        var state = IntentState()
        var recoveries: [TopologyRecovery] = []
        var expected: RecoveryPolicy.SkipReason?
        var testDescription: String { name }
    }

    static var disabled: IntentState { var s = IntentState(); s.apply(.setGlobalRecoveriesDisabled(true)); return s }
    static var downtimed: IntentState {
        var s = IntentState()
        s.apply(.beginDowntime(Downtime(key: Fixture.key(1), owner: "ops", reason: "m", begin: Fixture.now, end: Fixture.now.adding(seconds: 60))))
        return s
    }

    static let cases: [Case] = [
        Case(name: "allowed", expected: nil),
        Case(name: "filters: empty list allows nothing", filters: RecoveryFilters(), expected: .filteredOut),
        Case(name: "filters: other cluster only", filters: RecoveryFilters(masterFilters: ["^other"]), expected: .filteredOut),
        Case(name: "filters: by alias", analysis: { var a = deadMaster; a.clusterDetails.clusterAlias = "shop"; return a }(),
             filters: RecoveryFilters(masterFilters: ["alias=shop"]), expected: nil),
        Case(name: "global disable", state: disabled, expected: .globallyDisabled),
        Case(name: "downtimed failed master", state: downtimed, expected: .downtimed),
        Case(name: "recent unacknowledged recovery blocks", recoveries: [recovery(startedAgo: 600)], expected: .blockedByRecentRecovery),
        Case(name: "acknowledged recovery does not block", recoveries: [recovery(startedAgo: 600, acked: true)], expected: nil),
        Case(name: "block period over", recoveries: [recovery(startedAgo: block + 1)], expected: nil),
        Case(name: "failed instance was promoted by a recent recovery (cluster renamed)",
             recoveries: [recovery(cluster: "db:9", successor: 1, startedAgo: 60)], expected: .blockedByRecentRecovery),
        Case(name: "other cluster's recovery does not block", recoveries: [recovery(cluster: "db:9", successor: 8, startedAgo: 60)], expected: nil),
        Case(name: "manual recover skips filters, switch, downtime and block", trigger: .manual, filters: RecoveryFilters(),
             state: disabled, recoveries: [recovery(startedAgo: 10)], expected: nil),
        Case(name: "manual recover still waits for a running recovery", trigger: .manual,
             recoveries: [recovery(startedAgo: 1, active: true)], expected: .recoveryInProgress),
        Case(name: "unreachable master is not actionable", analysis: {
            ReplicationAnalyzer.analyze(Fixture.snapshot(Fixture.tree().replacing(1) { $0.unreachable() }), now: Fixture.now).first!
        }(), expected: .notActionable),
    ]

    @Test(arguments: cases)
    func decision(_ c: Case) {
        let d = RecoveryPolicy.decide(c.analysis, trigger: c.trigger, filters: c.filters, operatorState: c.state,
                                      recentRecoveries: c.recoveries, recoveryPeriodBlockSeconds: Self.block, now: Fixture.now)
        switch (d, c.expected) {
        case (.recover, nil): break
        case (.skip(let reason, let message), let expected?):
            #expect(reason == expected, "\(c.name): \(message)")
            #expect(!message.isEmpty)
        default:
            Issue.record("\(c.name): got \(d), expected \(c.expected.map { "\($0)" } ?? "recover")")
        }
    }

    @Test func intermediateMasterUsesItsOwnFilters() {
        let dead = Fixture.tree().replacing(3) { $0.unreachable() }
            .replacing(4) { $0.failingToConnect() }.replacing(5) { $0.failingToConnect() }
        let entry = ReplicationAnalyzer.analyze(Fixture.snapshot(dead), now: Fixture.now).first { $0.analysis == .deadIntermediateMaster }!
        let onlyMaster = RecoveryFilters(masterFilters: ["*"])
        #expect(RecoveryPolicy.decide(entry, filters: onlyMaster, operatorState: IntentState(), recentRecoveries: [],
                                      recoveryPeriodBlockSeconds: Self.block, now: Fixture.now) != .recover)
        let both = RecoveryFilters(masterFilters: [], intermediateMasterFilters: ["db:1"])
        #expect(RecoveryPolicy.decide(entry, filters: both, operatorState: IntentState(), recentRecoveries: [],
                                      recoveryPeriodBlockSeconds: Self.block, now: Fixture.now) == .recover)
    }

    /// The issue's note: after a failover nothing is left that silently blocks the next recovery of
    /// the same cluster once the block period passed (or the first recovery is acknowledged).
    @Test func secondFailoverOfSameClusterIsAllowedAfterBlockOrAck() {
        // First failover: db:1 died, db:2 promoted. The plan downtimes only the failed master (lost-in-recovery).
        let first = RecoveryPlanner.planMasterFailover(
            failed: Fixture.master(1).unreachable(), replicas: [Fixture.replica(2, of: 1), Fixture.replica(3, of: 1)],
            operatorState: IntentState(), now: Fixture.now, settings: PromotionSettings())
        #expect(first.successor == Fixture.key(2))
        #expect(first.steps.filter { if case .downtime = $0 { return true }; return false }
                == [.downtime(Fixture.key(1), reason: "lost-in-recovery", seconds: 365 * 24 * 3600)])
        var record = Self.recovery(startedAgo: 0)
        record.resolve(successor: first.successor, successful: true, at: Fixture.now)
        // Second failure: the new master db:2 dies; its cluster is now named db:2.
        let dead = [Fixture.master(2), Fixture.replica(3, of: 2, cluster: 2)]
            .replacing(2) { $0.unreachable() }.replacing(3) { $0.failingToConnect() }
        let second = ReplicationAnalyzer.analyze(Fixture.snapshot(dead), now: Fixture.now).first!
        #expect(second.analysis == .deadMaster)
        func decide(at now: Timestamp, _ records: [TopologyRecovery]) -> RecoveryPolicy.Decision {
            RecoveryPolicy.decide(second, filters: RecoveryFilters(masterFilters: ["*"]), operatorState: IntentState(),
                                  recentRecoveries: records, recoveryPeriodBlockSeconds: Self.block, now: now)
        }
        #expect(decide(at: Fixture.now.adding(seconds: 60), [record]) != .recover)
        #expect(decide(at: Fixture.now.adding(seconds: Self.block + 1), [record]) == .recover)
        var acked = record
        acked.acknowledge(by: "ops", comment: "fine", at: Fixture.now.adding(seconds: 61))
        #expect(decide(at: Fixture.now.adding(seconds: 62), [acked]) == .recover)
    }

    /// The failed master's lost-in-recovery downtime never blocks: db:1 came back, an operator made it
    /// master again (before it ever replicated, so nobody ended the downtime), and it dies again.
    @Test func lostInRecoveryDowntimeDoesNotBlockTheNextRecovery() {
        var state = IntentState()
        let first = RecoveryPlanner.planMasterFailover(
            failed: Fixture.master(1).unreachable(), replicas: [Fixture.replica(2, of: 1), Fixture.replica(3, of: 1)],
            operatorState: state, now: Fixture.now, settings: PromotionSettings())
        for case .downtime(let key, let reason, let seconds) in first.steps {
            state.apply(.beginDowntime(Downtime(key: key, owner: LostInRecovery.owner, reason: reason,
                                                begin: Fixture.now, end: Fixture.now.adding(seconds: seconds))))
        }
        #expect(state.activeDowntime(for: Fixture.key(1), at: Fixture.now.adding(seconds: 7200)) != nil)
        let dead = Fixture.tree().replacing(1) { $0.unreachable() }
            .replacing(2) { $0.failingToConnect() }.replacing(3) { $0.failingToConnect() }
        let later = Fixture.now.adding(seconds: 7200)
        let analysis = ReplicationAnalyzer.analyze(Fixture.snapshot(dead, state: state), now: later).first!
        #expect(analysis.analysis == .deadMaster && analysis.isDowntimed)
        #expect(RecoveryPolicy.decide(analysis, filters: RecoveryFilters(masterFilters: ["*"]), operatorState: state,
                                      recentRecoveries: [], recoveryPeriodBlockSeconds: Self.block, now: later) == .recover)
        // An operator's downtime still blocks.
        var operatorDowntime = state
        operatorDowntime.apply(.beginDowntime(Downtime(key: Fixture.key(1), owner: "ops", reason: LostInRecovery.reason,
                                                       begin: later, end: later.adding(seconds: 60))))
        #expect(RecoveryPolicy.decide(analysis, filters: RecoveryFilters(masterFilters: ["*"]), operatorState: operatorDowntime,
                                      recentRecoveries: [], recoveryPeriodBlockSeconds: Self.block, now: later) != .recover)
    }

    /// The leader ends a lost-in-recovery downtime once the server replicates (both threads running,
    /// last probe valid); not before, and never an operator's downtime.
    @Test func lostInRecoveryDowntimeEndsWhenReplicatingAgain() {
        var state = IntentState()
        let end = Fixture.now.adding(seconds: LostInRecovery.failedMasterDowntimeSeconds)
        state.apply(.beginDowntime(Downtime(key: Fixture.key(1), owner: LostInRecovery.owner, reason: LostInRecovery.reason,
                                            begin: Fixture.now, end: end)))
        state.apply(.beginDowntime(Downtime(key: Fixture.key(3), owner: "ops", reason: LostInRecovery.reason,
                                            begin: Fixture.now, end: end)))
        let stillMaster = [Fixture.master(1).with { $0.readOnly = true }, Fixture.replica(3, of: 2)]
        #expect(LostInRecovery.downtimesToEnd(operatorState: state, instances: stillMaster, now: Fixture.now).isEmpty)
        let unreachable = [Fixture.replica(1, of: 2).unreachable()]
        #expect(LostInRecovery.downtimesToEnd(operatorState: state, instances: unreachable, now: Fixture.now).isEmpty)
        let broken = [Fixture.replica(1, of: 2).failingToConnect()]
        #expect(LostInRecovery.downtimesToEnd(operatorState: state, instances: broken, now: Fixture.now).isEmpty)
        let rejoined = [Fixture.replica(1, of: 2), Fixture.replica(3, of: 2)]
        #expect(LostInRecovery.downtimesToEnd(operatorState: state, instances: rejoined, now: Fixture.now) == [Fixture.key(1)])
        var forgotten = state
        forgotten.apply(.forget(keys: [Fixture.key(1)]))
        #expect(forgotten.activeDowntime(for: Fixture.key(1), at: Fixture.now) == nil)
    }

    @Test func topologyRecoveryJSONShape() throws {
        var r = Self.recovery(startedAgo: 5)
        r.steps = [RecoveryStepRecord(step: .promote(Fixture.key(2), setWritable: true))]
        r.lostReplicas = [Fixture.key(5)]
        let data = try JSONEncoder().encode(r)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["Id", "UID", "AnalysisEntry", "SuccessorKey", "SuccessorAlias", "IsActive", "IsSuccessful", "LostReplicas",
                    "ParticipatingInstanceKeys", "AllErrors", "RecoveryStartTimestamp", "RecoveryEndTimestamp",
                    "ProcessingNodeHostname", "ProcessingNodeToken", "Acknowledged", "AcknowledgedBy", "AcknowledgedComment",
                    "LastDetectionId", "RelatedRecoveryId", "Type", "RecoveryType", "Steps"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect((object["SuccessorKey"] as? [String: Any])?["Port"] as? Int == 2)
        #expect(((object["Steps"] as? [[String: Any]])?.first?["Name"]) as? String == "promote")
        #expect(try JSONDecoder().decode(TopologyRecovery.self, from: data) == r)
    }
}
