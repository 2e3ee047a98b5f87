import OrchestratorCore
import Testing

private let uTop = "11111111-1111-1111-1111-111111111111"
private let uMid = "22222222-2222-2222-2222-222222222222"
private let uLeaf = "33333333-3333-3333-3333-333333333333"

private func mysql(_ port: Int, uuid: String, master: Int?, executed: String) -> Instance {
    var i = Instance(key: InstanceKey(hostname: "h", port: port))
    i.serverUUID = uuid
    i.serverID = Int64(port)
    i.executedGtidSet = executed
    i.usingOracleGTID = master != nil
    i.supportsOracleGTID = true
    if let master { i.masterKey = InstanceKey(hostname: "h", port: master) }
    return i
}

private func maria(_ port: Int, master: Int?, current: String, binlog: String = "") -> Instance {
    var i = Instance(key: InstanceKey(hostname: "m", port: port))
    i.serverID = Int64(port)
    i.version = "10.11.6-MariaDB-log"
    i.gtidCurrentPos = current
    i.gtidBinlogPos = binlog
    i.usingMariaDBGTID = master != nil
    if let master { i.masterKey = InstanceKey(hostname: "m", port: master) }
    return i
}

@Suite("GTID: errant detection through grouping")
struct GTIDGroupingErrantTests {
    @Test func mysqlChainAncestryAndErrant() {
        // top(1) <- mid(2) <- leaf(3). The leaf read top's 101-105 after we snapshotted mid: not errant.
        // The leaf also has its own write uLeaf:1.
        let g = ClusterGrouping(instances: [
            mysql(1, uuid: uTop, master: nil, executed: "\(uTop):1-105"),
            mysql(2, uuid: uMid, master: 1, executed: "\(uTop):1-100"),
            mysql(3, uuid: uLeaf, master: 2, executed: "\(uTop):1-105,\(uLeaf):1"),
        ])
        let leaf = g.instances.first { $0.key.port == 3 }!
        #expect(leaf.ancestryUUID == "\(uTop),\(uMid),\(uLeaf)")
        #expect(leaf.gtidErrant == "\(uLeaf):1")
        #expect(g.instances.first { $0.key.port == 2 }!.gtidErrant == "")
        #expect(g.instances.first { $0.key.port == 1 }!.gtidErrant == "")
        #expect(leaf.humanReadableDescription().contains("GTID:errant"))
    }

    @Test func mariadbErrantThroughGrouping() {
        let g = ClusterGrouping(instances: [
            maria(1, master: nil, current: "0-1-100", binlog: "0-1-100"),
            maria(2, master: 1, current: "0-1-103"),                   // just ahead of our snapshot
            maria(3, master: 1, current: "0-3-101", binlog: "0-3-101"), // wrote locally
        ])
        #expect(g.instances[1].gtidErrant == "")
        #expect(g.instances[2].gtidErrant == "0-3-101")
        let off = ClusterGrouping(instances: [maria(1, master: nil, current: "0-1-100"), maria(3, master: 1, current: "0-3-101")],
                                  computeErrantGTIDs: false)
        #expect(off.instances[1].gtidErrant == "")
    }

    @Test func mariadbCoMasterOwnWritesAreNotErrant() {
        // 1 <-> 2 co-masters; 2 wrote 0-2-101 that 1 has not applied yet.
        let g = ClusterGrouping(instances: [maria(1, master: 2, current: "0-1-100"), maria(2, master: 1, current: "0-2-101")])
        #expect(g.instances.allSatisfy { $0.isCoMaster && $0.gtidErrant.isEmpty })
    }

    @Test func replicaServerIDIsNeverLineage() throws {
        // The master's position shows an old event written by the replica (server 2); a new local write
        // beyond the master's sequence is still errant.
        let errant = ErrantGTID.mariadb(
            replicaPosition: try MariaDBGTIDList(parsing: "0-2-301"), masterPosition: try MariaDBGTIDList(parsing: "0-2-300"),
            masterServerID: 1, replicaServerID: 2)
        #expect(errant.description == "0-2-301")
    }

    @Test func typedViews() {
        let i = maria(5, master: 1, current: "0-1-10,1-5-3", binlog: "1-5-4")
        #expect(i.gtidCurrentPosition?.domains == [0, 1])
        #expect(i.mariaDBGTIDState?.description == "0-1-10,1-5-4")
        #expect(i.gtidSlavePosition == nil)
        var bad = i
        bad.gtidCurrentPos = "garbage"
        bad.gtidBinlogPos = ""
        #expect(bad.gtidCurrentPosition == nil && bad.mariaDBGTIDState == nil)
        #expect(mysql(1, uuid: uTop, master: nil, executed: "\(uTop):1-3").executedGTIDSet?.transactionCount == 3)
    }
}
