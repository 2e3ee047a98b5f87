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

    /// Regrouping only the clusters around some keys gives what regrouping everything gives, whatever
    /// changed: a replica moving to another cluster (and taking its own replica), a master failing,
    /// a replica promoted to a cluster of its own, a co-master pair forming.
    @Test("regrouping around changed keys equals regrouping everything", arguments: 0..<4)
    func scopedEqualsFull(change: Int) {
        // Three clusters: 1 <- 2, 3 <- 4 (under 3); 10 <- 11, 12; 20 <- 21.
        var records = [
            record(1, master: nil, alias: "a", domain: "a.example"), record(2, master: 1), record(3, master: 1), record(4, master: 3),
            record(10, master: nil, alias: "b"), record(11, master: 10), record(12, master: 10),
            record(20, master: nil, alias: "c"), record(21, master: 20),
        ].reduce(into: [InstanceKey: InstanceRecord]()) { $0[$1.key] = $1 }
        DiscoveryRegrouping.regroup(&records)
        var changed: Set<InstanceKey> = []
        switch change {
        case 0:  // 3 (with 4 under it) moves under 10
            records[key(3)]!.instance.masterKey = key(10)
            changed = [key(3)]
        case 1:  // master 1 fails its probe
            records[key(1)]!.instance.isLastCheckValid = false
            changed = [key(1)]
        case 2:  // 11 is detached: a cluster of its own
            records[key(11)]!.instance.masterKey = nil
            changed = [key(11)]
        default:  // 20 and 21 become co-masters
            records[key(20)]!.instance.masterKey = key(21)
            changed = [key(20)]
        }
        var full = records
        let fullChanged = DiscoveryRegrouping.regroup(&full)
        var scoped = records
        let scopedChanged = DiscoveryRegrouping.regroup(&scoped, around: changed)
        #expect(scoped == full)
        #expect(scopedChanged == fullChanged)
        // Only the clusters involved were looked at.
        let looked = DiscoveryRegrouping.clusters(around: changed, in: records)
        #expect(looked.count < records.count || change == 0)
    }
}
