import OrchestratorCore
@testable import OrchestratorServer
import Testing

/// Cluster facts copied onto the store's records after grouping.
struct DiscoveryRegroupingTests {
    private func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "127.0.0.1", port: port) }

    private func record(_ port: Int, master: Int?, alias: String = "", domain: String = "") -> InstanceRecord {
        var instance = Instance(key: key(port))
        instance.masterKey = master.map(key)
        instance.usingMariaDBGTID = master != nil
        instance.suggestedClusterAlias = alias
        // Probed and, for a replica, connected (its master lists it among its Replicas).
        instance.isLastCheckValid = true
        if master != nil { instance.replicationIOThreadState = .running }
        return InstanceRecord(instance: instance, clusterDomain: domain)
    }

    @Test("a tree: names, depths, alias and domain from the top master")
    func tree() {
        var records = [
            record(1, master: nil, alias: "orders", domain: "example.com"),
            record(2, master: 1), record(3, master: 1), record(4, master: 3),
        ].reduce(into: [InstanceKey: InstanceRecord]()) { $0[$1.key] = $1 }
        DiscoveryRegrouping.regroup(&records)
        for (port, depth) in [1: 0, 2: 1, 3: 1, 4: 2] {
            let r = records[key(port)]!
            #expect(r.instance.clusterName == "127.0.0.1:1")
            #expect(r.instance.replicationDepth == depth)
            #expect(r.clusterAlias == "orders")
            #expect(r.clusterDomain == "example.com")
        }
        #expect(records[key(3)]!.instance.replicas == [key(4)])
    }

    @Test("no detected alias: the ClusterNameToAlias map, else the cluster name")
    func aliasFallbacks() {
        var records = [record(10, master: nil), record(11, master: 10)]
            .reduce(into: [InstanceKey: InstanceRecord]()) { $0[$1.key] = $1 }
        DiscoveryRegrouping.regroup(&records)
        #expect(records[key(11)]!.clusterAlias == "127.0.0.1:10")
        DiscoveryRegrouping.regroup(&records, clusterNameToAlias: ["127.0.0.1:10": "mapped"])
        #expect(records[key(11)]!.clusterAlias == "mapped")
    }

    @Test("co-masters are flagged and share one cluster")
    func coMasters() {
        var a = record(20, master: 21)
        a.instance.readOnly = false
        var b = record(21, master: 20)
        b.instance.readOnly = true
        var records = [a, b, record(22, master: 21)].reduce(into: [InstanceKey: InstanceRecord]()) { $0[$1.key] = $1 }
        DiscoveryRegrouping.regroup(&records)
        #expect(records[key(20)]!.instance.isCoMaster && records[key(21)]!.instance.isCoMaster)
        #expect(Set(records.values.map(\.instance.clusterName)) == ["127.0.0.1:20"])
        #expect(records[key(20)]!.instance.replicationDepth == 0)
        #expect(records[key(22)]!.instance.isCoMaster == false)
    }
}
