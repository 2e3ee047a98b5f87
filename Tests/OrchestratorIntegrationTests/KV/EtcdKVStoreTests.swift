import Foundation
import Testing
import OrchestratorCore
@testable import OrchestratorServer

/// orchd's etcd writer against a real etcd: one transaction per write, endpoints tried in order, a store
/// that is down fails fast with an error naming it.
@Suite("etcd key-value store", .serialized, .disabled(if: EtcdProcess.skipped, "etcd not installed or ORCHD_SKIP_INTEGRATION=1"))
struct EtcdKVStoreTests {
    @Test func writesUpstreamsLayoutAndFallsBackToTheNextEndpoint() async throws {
        let etcd = try EtcdProcess(name: "store")
        defer { etcd.stop() }
        try etcd.start()
        let client = try HTTPClient()
        defer { Task { await client.shutDown() } }
        let live = try HTTPAddress(parsing: etcd.endpoint)
        // Nothing listens on the peer port's neighbour below the client port... use a closed port first.
        let dead = try HTTPAddress(parsing: "http://127.0.0.1:\(etcd.peerPort + 1000)")
        let store = EtcdKVStore(endpoints: [dead, live], client: client, timeout: .seconds(20))  // a loaded CI machine: etcd fsyncs slowly
        let pairs = ClusterMasterKV.pairs(prefix: "mysql/master/", clusterAlias: "shop",
                                          master: InstanceKey(hostname: "127.0.0.1", port: 3306))
        try await store.put(pairs)
        #expect(try etcd.get("mysql/master/shop") == "127.0.0.1:3306")
        #expect(try etcd.get("mysql/master/shop/hostname") == "127.0.0.1")
        #expect(try etcd.get("mysql/master/shop/port") == "3306")
        #expect(try etcd.get("mysql/master/shop/ipv4") == "127.0.0.1")

        etcd.stop()
        let down = EtcdKVStore(endpoints: [live], client: client, timeout: .seconds(2))
        await #expect(throws: MasterKVStoreError.self) { try await down.put(pairs) }
    }
}
