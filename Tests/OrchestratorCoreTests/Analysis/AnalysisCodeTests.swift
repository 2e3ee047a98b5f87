import OrchestratorCore
import Testing

/// Every analysis code from a small topology: (name, instances, analyzed instance, expected code).
@Suite("Analysis: codes from snapshot fixtures")
struct AnalysisCodeTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var instances: [Instance]
        var port: Int
        var expected: AnalysisCode
        var settings = AnalysisSettings()
        var lastAttempt: [InstanceKey: Timestamp] = [:]
        var unchangedSince: [InstanceKey: Timestamp] = [:]
        var errno: [InstanceKey: Int] = [:]
        var testDescription: String { name }
    }

    static let t = Fixture.tree()
    static let singleReplica = [Fixture.master(6), Fixture.replica(7, of: 6, cluster: 6)]
    static let singleIM = Fixture.tree().removing(5)
    static var semiSync: [Instance] {
        t.replacing(1) { $0.with {
            $0.semiSyncMasterEnabled = true; $0.semiSyncMasterStatus = true
            $0.semiSyncMasterWaitForReplicaCount = 1; $0.semiSyncMasterClients = 0
        } }
    }
    static var lagging: [Instance] {
        t.replacing(1) { $0.unreachable() }.replacing(2) { $0.with { $0.secondsBehindMaster = 120; $0.replicationLagSeconds = 120 } }
            .replacing(3) { $0.with { $0.secondsBehindMaster = 300; $0.replicationLagSeconds = 300 } }
    }

    static let cases: [Case] = [
        Case(name: "healthy tree", instances: t, port: 1, expected: .noProblem),
        Case(name: "master down, replicas fail to connect", instances: t.replacing(1) { $0.unreachable() }
            .replacing(2) { $0.failingToConnect() }.replacing(3) { $0.failingToConnect() }, port: 1, expected: .deadMaster),
        Case(name: "holistic: master unreachable but replicas still replicate", instances: t.replacing(1) { $0.unreachable() },
             port: 1, expected: .unreachableMaster),
        Case(name: "holistic: one replica's IO thread still connected (SQL stopped)", instances: t.replacing(1) { $0.unreachable() }
            .replacing(2) { $0.failingToConnect() }
            .replacing(3) { $0.with { $0.replicationSQLThreadState = .stopped; $0.replicationSQLThreadRunning = false } },
             port: 1, expected: .unreachableMaster),
        Case(name: "master and one replica down", instances: t.replacing(1) { $0.unreachable() }
            .replacing(2) { $0.unreachable() }.replacing(3) { $0.failingToConnect() }, port: 1, expected: .deadMasterAndSomeReplicas),
        Case(name: "master and all replicas down", instances: t.replacing(1) { $0.unreachable() }
            .replacing(2) { $0.unreachable() }.replacing(3) { $0.unreachable() }, port: 1, expected: .deadMasterAndReplicas),
        Case(name: "standalone master down", instances: [Fixture.master(9).unreachable()], port: 9, expected: .deadMasterWithoutReplicas),
        Case(name: "master down, all replicas lagging", instances: lagging, port: 1, expected: .unreachableMasterWithLaggingReplicas),
        Case(name: "replicas stopped", instances: t.replacing(2) { $0.stopped() }.replacing(3) { $0.stopped() },
             port: 1, expected: .allMasterReplicasNotReplicating),
        Case(name: "replicas stopped or dead", instances: t.replacing(2) { $0.stopped() }.replacing(3) { $0.unreachable() },
             port: 1, expected: .allMasterReplicasNotReplicatingOrDead),
        Case(name: "single replica stopped", instances: singleReplica.replacing(7) { $0.stopped() }, port: 6,
             expected: .masterSingleReplicaNotReplicating),
        Case(name: "single replica dead", instances: singleReplica.replacing(7) { $0.unreachable() }, port: 6,
             expected: .masterSingleReplicaDead),
        Case(name: "semi-sync master short of acks", instances: semiSync, port: 1, expected: .lockedSemiSyncMasterHypothesis),
        Case(name: "semi-sync master short of acks, binlog frozen", instances: semiSync, port: 1, expected: .lockedSemiSyncMaster,
             unchangedSince: [Fixture.key(1): Fixture.now.adding(seconds: -60)]),
        Case(name: "semi-sync master short of acks, binlog still for exactly ReasonableLockedSemiSyncMasterSeconds",
             instances: semiSync, port: 1, expected: .lockedSemiSyncMasterHypothesis,
             settings: { var s = AnalysisSettings(); s.reasonableLockedSemiSyncMasterSeconds = 30; return s }(),
             unchangedSince: [Fixture.key(1): Fixture.now.adding(seconds: -30)]),
        Case(name: "semi-sync master short of acks, binlog still for longer than ReasonableLockedSemiSyncMasterSeconds",
             instances: semiSync, port: 1, expected: .lockedSemiSyncMaster,
             settings: { var s = AnalysisSettings(); s.reasonableLockedSemiSyncMasterSeconds = 30; return s }(),
             unchangedSince: [Fixture.key(1): Fixture.now.adding(seconds: -31)]),
        Case(name: "read-only master with RecoverNonWriteableMaster", instances: t.replacing(1) { $0.with { $0.readOnly = true } },
             port: 1, expected: .noWriteableMasterStructureWarning,
             settings: { var s = AnalysisSettings(); s.recoverNonWriteableMaster = true; return s }()),
        Case(name: "intermediate master down, replicas fail to connect", instances: t.replacing(3) { $0.unreachable() }
            .replacing(4) { $0.failingToConnect() }.replacing(5) { $0.failingToConnect() }, port: 3, expected: .deadIntermediateMaster),
        Case(name: "intermediate master and one replica down", instances: t.replacing(3) { $0.unreachable() }
            .replacing(4) { $0.unreachable() }.replacing(5) { $0.failingToConnect() }, port: 3,
             expected: .deadIntermediateMasterAndSomeReplicas),
        Case(name: "intermediate master and its replicas down", instances: t.replacing(3) { $0.unreachable() }
            .replacing(4) { $0.unreachable() }.replacing(5) { $0.unreachable() }, port: 3, expected: .deadIntermediateMasterAndReplicas),
        Case(name: "intermediate master down, single replica failing to connect", instances: singleIM.replacing(3) { $0.unreachable() }
            .replacing(4) { $0.failingToConnect() }, port: 3, expected: .deadIntermediateMasterWithSingleReplicaFailingToConnect),
        Case(name: "failing to connect by errno only", instances: singleIM.replacing(3) { $0.unreachable() }
            .replacing(4) { $0.failingToConnect().with { $0.lastIOError = "" } }, port: 3,
             expected: .deadIntermediateMasterWithSingleReplicaFailingToConnect, errno: [Fixture.key(4): 2003]),
        Case(name: "intermediate master down, single replica stopped", instances: singleIM.replacing(3) { $0.unreachable() }
            .replacing(4) { $0.stopped() }, port: 3, expected: .deadIntermediateMasterWithSingleReplica),
        Case(name: "intermediate master unreachable, replicas replicate", instances: t.replacing(3) { $0.unreachable() },
             port: 3, expected: .unreachableIntermediateMaster),
        Case(name: "intermediate master fine, replicas stopped", instances: t.replacing(4) { $0.stopped() }.replacing(5) { $0.stopped() },
             port: 3, expected: .allIntermediateMasterReplicasNotReplicating),
        // Upstream needs at least one reachable replica: unreachable ones say nothing about replication.
        Case(name: "intermediate master fine, all its replicas unreachable", instances: t.replacing(4) { $0.unreachable() }
            .replacing(5) { $0.unreachable() }, port: 3, expected: .noProblem),
        Case(name: "intermediate master fine, one replica unreachable, the other stopped", instances: t
            .replacing(4) { $0.unreachable() }.replacing(5) { $0.stopped() }, port: 3,
             expected: .allIntermediateMasterReplicasNotReplicating),
        Case(name: "intermediate master fine, replicas failing to connect", instances: t.replacing(4) { $0.failingToConnect() }
            .replacing(5) { $0.failingToConnect() }, port: 3, expected: .allIntermediateMasterReplicasFailingToConnectOrDead),
        Case(name: "first-tier replica cannot connect", instances: t.replacing(2) { $0.failingToConnect() }, port: 2,
             expected: .firstTierReplicaFailingToConnectToMaster),
        Case(name: "stale success: probe attempted long after last success", instances: t
            .replacing(2) { $0.failingToConnect() }.replacing(3) { $0.failingToConnect() }, port: 1, expected: .deadMaster,
             lastAttempt: [Fixture.key(1): Fixture.now.adding(seconds: 30)]),
    ]

    @Test(arguments: cases)
    func code(_ c: Case) {
        var settings = c.settings
        settings.includeNoProblem = true
        let snapshot = AnalysisSnapshot(instances: c.instances, lastAttemptedCheck: c.lastAttempt,
                                        binlogCoordinatesUnchangedSince: c.unchangedSince, lastIOErrno: c.errno)
        let entries = ReplicationAnalyzer.analyze(snapshot, now: Fixture.now, settings: settings)
        let entry = entries.first { $0.analyzedInstanceKey == Fixture.key(c.port) }
        #expect(entry?.analysis == c.expected, "\(c.name): got \(entry?.analysis.rawValue ?? "no entry")")
    }

    @Test func deadMasterCountsAndFields() throws {
        let instances = Fixture.tree().replacing(1) { $0.unreachable() }
            .replacing(2) { $0.failingToConnect() }.replacing(3) { $0.failingToConnect() }
        let entries = ReplicationAnalyzer.analyze(Fixture.snapshot(instances), now: Fixture.now)
        let dead = try #require(entries.first)
        #expect(dead.analyzedInstanceKey == Fixture.key(1))
        #expect(dead.isMaster && !dead.lastCheckValid && dead.isActionableRecovery)
        #expect(dead.countReplicas == 2 && dead.countValidReplicas == 2 && dead.countValidReplicatingReplicas == 0)
        #expect(dead.countReplicasFailingToConnectToMaster == 2)
        #expect(dead.replicas == [Fixture.key(2), Fixture.key(3)])
        #expect(dead.mariaDBGTIDImmediateTopology && !dead.oracleGTIDImmediateTopology)
        #expect(dead.clusterDetails.clusterName == "db:1")
        // Replicas 2 and 3 are each reported as failing to connect to the master.
        #expect(entries.filter { $0.analysis == .firstTierReplicaFailingToConnectToMaster }.count == 2)
    }

    @Test func noProblemEntriesOmittedByDefault() {
        #expect(ReplicationAnalyzer.analyze(Fixture.snapshot(Fixture.tree()), now: Fixture.now).isEmpty)
    }

    @Test func unreachableMasterIsNotActionable() {
        let entries = ReplicationAnalyzer.analyze(Fixture.snapshot(Fixture.tree().replacing(1) { $0.unreachable() }), now: Fixture.now)
        #expect(entries.first?.analysis == .unreachableMaster)
        #expect(entries.first?.isActionableRecovery == false)
    }
}
