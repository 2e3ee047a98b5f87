import Foundation
import OrchestratorCore
import OrchestratorServer
import OrchestratorTestKit
import Testing

/// Failures are recorded with readable errors and never crash discovery.
@Suite(.serialized, .enabled(if: !MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct DiscoveryErrorTests {
    /// Discovers `key`, expects a DiscoveryError, and returns the stored record.
    private func failedDiscovery(_ harness: DiscoveryHarness, _ key: InstanceKey) async throws -> (DiscoveryError, InstanceRecord) {
        do {
            try await harness.discovery.discover(key)
            Issue.record("discovering \(key) should fail")
            throw CancellationError()
        } catch let error as DiscoveryError {
            let record = try #require(try await harness.store.record(key))
            #expect(record.instance.isLastCheckValid == false)
            #expect(record.instance.lastError == { if case .unreachable(_, let e) = error { e.message } else { "" } }())
            #expect(record.lastAttemptedCheck != nil)
            return (error, record)
        }
    }

    private func code(_ error: DiscoveryError) -> UInt32 {
        if case .unreachable(_, let probe) = error { return probe.code }
        return 0
    }

    @Test("wrong credentials give MySQL error 1045 naming the setting to fix")
    func wrongCredentials() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:1")
        defer { sandbox.down() }
        let harness = try DiscoveryHarness(settings: DiscoveryHarness.settings(password: "not-the-password"))
        defer { Task { await harness.shutdown() } }
        let (error, record) = try await failedDiscovery(harness, sandbox.key(1))
        #expect(code(error) == 1045)
        #expect(record.instance.lastError.contains("Access denied"))
        #expect(record.instance.lastError.contains("MySQLTopologyPassword"))
        #expect(!record.instance.lastError.contains("not-the-password"))
    }

    @Test("a closed port gives error 2003")
    func closedPort() async throws {
        let harness = try DiscoveryHarness()
        defer { Task { await harness.shutdown() } }
        let key = InstanceKey(hostname: "127.0.0.1", port: try closedLoopbackPort())
        let (error, record) = try await failedDiscovery(harness, key)
        #expect(code(error) == 2003 || code(error) == 2002)
        #expect(record.instance.lastError.contains("127.0.0.1:\(key.port)"))
    }

    @Test("a port that answers garbage gives a client protocol error")
    func garbagePort() async throws {
        let listener = try LoopbackListener(behaviour: .garbage)
        defer { listener.close() }
        let harness = try DiscoveryHarness()
        defer { Task { await harness.shutdown() } }
        let (error, record) = try await failedDiscovery(harness, InstanceKey(hostname: "127.0.0.1", port: listener.port))
        #expect((2000...2999).contains(code(error)))
        #expect(record.instance.lastError.contains("is this port a MySQL server?"))
    }

    @Test("a port that accepts and stays silent (like HTTP) times out with a readable error")
    func silentPort() async throws {
        let listener = try LoopbackListener(behaviour: .silent)
        defer { listener.close() }
        let harness = try DiscoveryHarness(settings: DiscoveryHarness.settings(connectTimeout: 1, readTimeout: 1))
        defer { Task { await harness.shutdown() } }
        let (error, _) = try await failedDiscovery(harness, InstanceKey(hostname: "127.0.0.1", port: listener.port))
        #expect((2000...2999).contains(code(error)))
    }

    @Test("a hostile cluster alias travels as data from meta.cluster to the store and back")
    func hostileAlias() async throws {
        // Probing a hostile *hostname* would make the resolver ask DNS; the store test covers hostile keys.
        let alias = "o'brien\"; DROP TABLE database_instance; -- \\"
        let sandbox = try await MariaDBSandbox.up(topology: "star:2", alias: alias)
        defer { sandbox.down() }
        let harness = try DiscoveryHarness()
        defer { Task { await harness.shutdown() } }
        try await harness.discovery.discover(sandbox.key(2))
        let records = try await harness.store.allRecords()
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0.clusterAlias == alias })
        #expect(await harness.discovery.instance(sandbox.key(1))?.suggestedClusterAlias == alias)
    }

    @Test("discovery keeps going when one neighbour is unreachable")
    func unreachableNeighbour() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:3")
        defer { sandbox.down() }
        let harness = try DiscoveryHarness()
        defer { Task { await harness.shutdown() } }
        try await sandbox.kill(1)
        // The replica still names its dead master: the crawl records the master as unreachable.
        let replica = try await harness.discovery.discover(sandbox.key(2))
        #expect(replica.masterKey == sandbox.key(1))
        let master = try #require(try await harness.store.record(sandbox.key(1)))
        #expect(master.instance.isLastCheckValid == false)
        #expect(replica.clusterName == "127.0.0.1:\(sandbox.port(1))")
    }
}
