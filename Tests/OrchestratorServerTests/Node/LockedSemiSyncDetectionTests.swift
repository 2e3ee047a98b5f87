import Foundation
import OrchestratorCore
import Testing
@testable import OrchestratorServer
import OrchestratorServerTestKit

/// Discovery records since when a master's binlog coordinates have not moved, and each replica's
/// Last_IO_Errno; the node's analysis uses both: a semi-sync master short of acknowledgements whose
/// binlog is still for longer than ReasonableLockedSemiSyncMasterSeconds is LockedSemiSyncMaster.
@Suite("Node: locked semi-sync master and IO errno from discovery")
struct LockedSemiSyncDetectionTests {
    /// db:1 a semi-sync master waiting for one acknowledgement with none connected; db:2 its replica,
    /// IO thread connecting with errno 2003 and no error text.
    final class SemiSyncProber: TopologyProber, @unchecked Sendable {
        private let lock = NSLock()
        private var position: Int64 = 1000
        func advance() { lock.withLock { position += 100 } }

        func probe(_ key: InstanceKey) async -> ProbeResult {
            var i = Instance(key: key)
            i.isLastCheckValid = true
            i.usingMariaDBGTID = key.port == 2
            i.logBinEnabled = true
            if key.port == 1 {
                i.selfBinlogCoordinates = BinlogCoordinates(logFile: "bin.000001", logPos: lock.withLock { position })
                i.semiSyncAvailable = true
                i.semiSyncMasterEnabled = true
                i.semiSyncMasterStatus = true
                i.semiSyncMasterWaitForReplicaCount = 1
                i.semiSyncMasterClients = 0
                i.replicas = [InstanceKey(hostname: "db", port: 2)]
                return ProbeResult(key: key, instance: i)
            }
            i.readOnly = true
            i.masterKey = InstanceKey(hostname: "db", port: 1)
            i.replicationIOThreadState = .other  // Connecting
            i.replicationSQLThreadState = .running
            i.replicationSQLThreadRunning = true
            var result = ProbeResult(key: key, instance: i)
            result.lastIOErrno = 2003
            return result
        }
    }

    private func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "db", port: port) }

    @Test func hypothesisBecomesLockedOnceTheBinlogStaysStillLongEnough() async throws {
        let clock = DiscoveryCrawlTests.FixedClock()
        let database = try BackendDatabase()
        let machine = try IntentStateMachine(database: database)
        var raftSettings = RaftService.Settings(id: "n1", voters: ["n1"])
        raftSettings.tickInterval = .milliseconds(10)
        let raft = try RaftService(settings: raftSettings, storage: InMemoryRaftStorage(),
                                   transport: InMemoryRaftNetwork().endpoint("n1"), stateMachine: machine)
        let prober = SemiSyncProber()
        let discovery = Discovery(settings: DiscoverySettings(mysql: MySQLClientConfig(user: "u", password: "p")),
                                  prober: prober, store: InstanceStore(database: database), clock: clock)
        var settings = OrchestratorNode.Settings(raftID: "n1", httpAdvertise: "http://n1")
        settings.analysis.reasonableLockedSemiSyncMasterSeconds = 20
        let node = OrchestratorNode(settings: settings, raft: raft, stateMachine: machine, discovery: discovery, clock: clock)
        let running = Task { try await raft.run() }
        defer { running.cancel() }

        func code(_ port: Int) async -> AnalysisCode? {
            await node.analyze().first { $0.analyzedInstanceKey == key(port) }?.analysis
        }

        try await discovery.discover(key(1))
        let since = try #require(await discovery.instanceRecords().first { $0.key == key(1) }?.binlogCoordinatesUnchangedSince)
        #expect(since == clock.now())
        #expect(await code(1) == .lockedSemiSyncMasterHypothesis)
        // The errno alone (no error text) makes the replica one failing to connect.
        #expect(await discovery.instanceRecords().first { $0.key == key(2) }?.lastIOErrno == 2003)
        #expect(await code(2) == .firstTierReplicaFailingToConnectToMaster)

        // Polled again with the same coordinates: the first sighting is kept, and past the threshold
        // the master is locked.
        clock.advance(15)
        await discovery.pollOnce()
        #expect(await discovery.instanceRecords().first { $0.key == key(1) }?.binlogCoordinatesUnchangedSince == since)
        #expect(await code(1) == .lockedSemiSyncMasterHypothesis)
        clock.advance(10)
        await discovery.pollOnce()
        #expect(await code(1) == .lockedSemiSyncMaster)

        // The binlog moves: the wait starts again.
        prober.advance()
        clock.advance(5)
        await discovery.pollOnce()
        #expect(await discovery.instanceRecords().first { $0.key == key(1) }?.binlogCoordinatesUnchangedSince == clock.now())
        #expect(await code(1) == .lockedSemiSyncMasterHypothesis)
    }
}
