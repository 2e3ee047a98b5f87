import Foundation
import OrchestratorCore
import OrchestratorServer
import OrchestratorTestKit
import Testing

/// Discovery against real MariaDB sandboxes started by `Scripts/sandbox`.
@Suite(.serialized, .enabled(if: !MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct DiscoveryIntegrationTests {
    @Test("discovering from the deepest replica of a tree finds all 4 with masters, depths, cluster and alias")
    func treeFromDeepestReplica() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: "orders")
        defer { sandbox.down() }
        var settings = DiscoveryHarness.settings()
        settings.detectInstanceAliasQuery = "SELECT CONCAT('node-', @@port)"
        settings.dataCenterPattern = "^([0-9]+)\\."
        let harness = try DiscoveryHarness(settings: settings)
        defer { Task { await harness.shutdown() } }

        let deepest = try await harness.discovery.discover(sandbox.key(4))
        #expect(deepest.masterKey == sandbox.key(3))

        let instances = await harness.discovery.instances()
        #expect(instances.map(\.key) == (1...4).map { sandbox.key($0) })
        let byKey = Dictionary(uniqueKeysWithValues: instances.map { ($0.key, $0) })
        let expectedMasters: [Int: Int?] = [1: nil, 2: 1, 3: 1, 4: 3]
        let expectedDepths = [1: 0, 2: 1, 3: 1, 4: 2]
        for n in 1...4 {
            let instance = try #require(byKey[sandbox.key(n)])
            #expect(instance.masterKey == expectedMasters[n]!.map { sandbox.key($0) }, "master of \(n)")
            #expect(instance.replicationDepth == expectedDepths[n], "depth of \(n)")
            #expect(instance.clusterName == "127.0.0.1:\(sandbox.port(1))")
            #expect(instance.isLastCheckValid)
            #expect(instance.isCoMaster == false)
            #expect(instance.logBinEnabled && instance.logReplicationUpdatesEnabled)
            #expect(instance.isMariaDB)
            #expect(instance.instanceAlias == "node-\(sandbox.port(n))")
            #expect(instance.dataCenter == "127")
            #expect(instance.lastDiscoveryLatencyNanoseconds > 0)
        }
        let master = try #require(byKey[sandbox.key(1)])
        #expect(master.suggestedClusterAlias == "orders")
        #expect(master.replicas == [sandbox.key(2), sandbox.key(3)])
        #expect(master.readOnly == false)
        #expect(!master.selfBinlogCoordinates.isEmpty)
        #expect(!master.gtidCurrentPos.isEmpty)
        let intermediate = try #require(byKey[sandbox.key(3)])
        #expect(intermediate.replicas == [sandbox.key(4)])
        for n in 2...4 {
            let replica = try #require(byKey[sandbox.key(n)])
            #expect(replica.replicationIOThreadState == .running && replica.replicationSQLThreadState == .running)
            #expect(replica.usingMariaDBGTID)
            #expect(replica.readOnly)
            #expect(replica.secondsBehindMaster != nil)
        }

        // The store holds the same, with the cluster's alias and domain on every row.
        let stored = try await harness.store.records(cluster: "127.0.0.1:\(sandbox.port(1))")
        #expect(stored.count == 4)
        #expect(stored.allSatisfy { $0.clusterAlias == "orders" && $0.clusterDomain == "sandbox" })
        #expect(stored.allSatisfy { $0.lastChecked != nil && $0.instance.lastSeenTimestamp != nil })
    }

    @Test("two sandboxes at once are two clusters with their own aliases")
    func twoSandboxesTwoClusters() async throws {
        let first = try await MariaDBSandbox.up(topology: "tree", alias: "alpha")
        defer { first.down() }
        let second = try await MariaDBSandbox.up(topology: "chain:3", alias: "beta")
        defer { second.down() }
        let harness = try DiscoveryHarness()
        defer { Task { await harness.shutdown() } }

        try await harness.discovery.discover(first.key(2))
        try await harness.discovery.discover(second.key(3))

        let names = try await harness.store.clusterNames()
        #expect(names == ["127.0.0.1:\(first.port(1))", "127.0.0.1:\(second.port(1))"].sorted())
        let alpha = try await harness.store.records(cluster: "127.0.0.1:\(first.port(1))")
        let beta = try await harness.store.records(cluster: "127.0.0.1:\(second.port(1))")
        #expect(alpha.count == 4 && alpha.allSatisfy { $0.clusterAlias == "alpha" })
        #expect(beta.count == 3 && beta.allSatisfy { $0.clusterAlias == "beta" })
        #expect(beta.map(\.instance.replicationDepth).sorted() == [0, 1, 2])
    }

    @Test("a replica stopped with STOP SLAVE shows both threads stopped and stays in its cluster")
    func stoppedReplica() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:3")
        defer { sandbox.down() }
        let harness = try DiscoveryHarness()
        defer { Task { await harness.shutdown() } }
        try await harness.discovery.discover(sandbox.key(1))

        try await sandbox.sql(2, "STOP SLAVE")
        await harness.discovery.pollOnce()

        let stopped = try #require(await harness.discovery.instance(sandbox.key(2)))
        #expect(stopped.replicationIOThreadState == .stopped)
        #expect(stopped.replicationSQLThreadState == .stopped)
        #expect(stopped.replicationThreadsStopped)
        #expect(stopped.problems == ["not_replicating"])
        #expect(stopped.masterKey == sandbox.key(1))
        #expect(stopped.clusterName == "127.0.0.1:\(sandbox.port(1))")
        #expect(stopped.isLastCheckValid)
        let running = try #require(await harness.discovery.instance(sandbox.key(3)))
        #expect(running.replicaRunning)
    }

    @Test("a killed instance turns IsLastCheckValid false within one poll, with the error kept")
    func killedInstance() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "tree")
        defer { sandbox.down() }
        let harness = try DiscoveryHarness()
        defer { Task { await harness.shutdown() } }
        try await harness.discovery.discover(sandbox.key(1))
        let before = try #require(try await harness.store.record(sandbox.key(4)))

        try await sandbox.kill(4)
        harness.clock.advance(seconds: 5)
        let results = await harness.discovery.pollOnce()

        #expect(results.contains { $0.key == sandbox.key(4) && !$0.isValid })
        let record = try #require(try await harness.store.record(sandbox.key(4)))
        #expect(record.instance.isLastCheckValid == false)
        #expect(record.instance.problems.contains("last_check_invalid"))
        #expect(["2002", "2003", "2013"].contains { record.instance.lastError.contains("MySQL error \($0)") }, "\(record.instance.lastError)")
        // Last known facts are kept; the attempt advanced but last seen did not.
        #expect(record.instance.masterKey == sandbox.key(3))
        #expect(record.lastAttemptedCheck! > before.lastAttemptedCheck!)
        #expect(record.instance.lastSeenTimestamp == before.instance.lastSeenTimestamp)
        #expect(record.instance.clusterName == "127.0.0.1:\(sandbox.port(1))")
        // Everything else is still fine.
        let others = await harness.discovery.instances().filter { $0.key != sandbox.key(4) }
        #expect(others.count == 3 && others.allSatisfy(\.isLastCheckValid))

        // Back with its data: valid again on the next poll (the pool reconnects).
        try await sandbox.start(4)
        await harness.discovery.pollOnce()
        #expect(await harness.discovery.instance(sandbox.key(4))?.isLastCheckValid == true)
    }

    @Test("a killed master: its replicas report the IO thread not running and the error")
    func killedMaster() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:3")
        defer { sandbox.down() }
        let harness = try DiscoveryHarness()
        defer { Task { await harness.shutdown() } }
        try await harness.discovery.discover(sandbox.key(2))
        try await sandbox.kill(1)
        // Replicas notice within a moment (MASTER_CONNECT_RETRY=1); poll until they do (bounded).
        var replica: Instance?
        for _ in 0..<50 {
            await harness.discovery.pollOnce()
            replica = await harness.discovery.instance(sandbox.key(2))
            if replica?.replicationIOThreadState != .running { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(await harness.discovery.instance(sandbox.key(1))?.isLastCheckValid == false)
        #expect(replica?.replicationIOThreadState == .other || replica?.replicationIOThreadState == .stopped)
        #expect(replica?.replicationSQLThreadState == .running)
        #expect(replica?.clusterName == "127.0.0.1:\(sandbox.port(1))")
    }

    @Test("semi-sync status and variables are read")
    func semiSync() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:2", semiSync: true)
        defer { sandbox.down() }
        let harness = try DiscoveryHarness()
        defer { Task { await harness.shutdown() } }
        try await harness.discovery.discover(sandbox.key(1))
        let master = try #require(await harness.discovery.instance(sandbox.key(1)))
        let replica = try #require(await harness.discovery.instance(sandbox.key(2)))
        #expect(master.semiSyncAvailable && master.semiSyncMasterEnabled && master.semiSyncMasterStatus)
        #expect(master.semiSyncMasterClients == 1)
        #expect(master.semiSyncMasterTimeout == 2000)
        #expect(replica.semiSyncReplicaEnabled && replica.semiSyncReplicaStatus)
    }

    @Test("forget removes an instance and it is not re-added through its master; unseen ones age out")
    func forgetting() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:3")
        defer { sandbox.down() }
        let harness = try DiscoveryHarness()
        defer { Task { await harness.shutdown() } }
        try await harness.discovery.discover(sandbox.key(1))

        await harness.discovery.forget(sandbox.key(3))
        await harness.discovery.pollOnce()
        #expect(await harness.discovery.instances().map(\.key) == [sandbox.key(1), sandbox.key(2)])
        #expect(try await harness.store.record(sandbox.key(3)) == nil)

        // Explicit discovery brings it back.
        try await harness.discovery.discover(sandbox.key(3))
        #expect(await harness.discovery.instances().count == 3)

        // UnseenInstanceForgetHours (240): an instance dead for longer is dropped, the others stay.
        try await sandbox.stop(2)
        harness.clock.advance(seconds: 241 * 3600)
        await harness.discovery.pollOnce()
        #expect(await harness.discovery.instances().map(\.key) == [sandbox.key(1), sandbox.key(3)])
        #expect(try await harness.store.record(sandbox.key(2)) == nil)
    }
}
