import OrchestratorCore
import Testing

private func key(_ port: Int, _ host: String = "127.0.0.1") -> InstanceKey { InstanceKey(hostname: host, port: port) }

/// A healthy instance; `master` nil means a top master.
private func node(_ port: Int, master: Int? = nil, host: String = "127.0.0.1", readOnly: Bool? = nil,
                  alias: String = "") -> Instance {
    var i = Instance(key: key(port, host))
    i.version = "10.11.6-MariaDB-log"
    i.logBinEnabled = true
    i.logReplicationUpdatesEnabled = true
    i.binlogFormat = "ROW"
    i.isLastCheckValid = true
    i.isRecentlyChecked = true
    i.suggestedClusterAlias = alias
    i.readOnly = readOnly ?? (master != nil)
    if let master {
        i.masterKey = key(master, host)
        i.usingMariaDBGTID = true
        i.replicationSQLThreadState = .running
        i.replicationIOThreadState = .running
        i.replicationSQLThreadRunning = true
        i.replicationIOThreadRunning = true
        i.secondsBehindMaster = 0
        i.replicationLagSeconds = 0
    }
    return i
}

private extension ClusterGrouping {
    func instance(_ port: Int, _ host: String = "127.0.0.1") -> Instance { instances.first { $0.key == key(port, host) }! }
}

@Suite("Cluster grouping")
struct ClusterGroupingTests {
    @Test func treeWithIntermediateMaster() {
        // 1 <- 2, 1 <- 3, 3 <- 4 (the sandbox "tree" topology), given deepest first.
        let g = ClusterGrouping(instances: [node(4, master: 3), node(3, master: 1), node(2, master: 1),
                                            node(1, alias: "shop")])
        #expect(g.clusters.count == 1)
        let c = g.clusters[0]
        #expect(c.clusterName == "127.0.0.1:1")
        #expect(c.clusterAlias == "shop")
        #expect(c.masterKey == key(1) && c.masterKnown)
        #expect(c.members == [key(1), key(2), key(3), key(4)])
        #expect(g.instances.map(\.replicationDepth) == [0, 1, 1, 2])
        #expect(g.instances.allSatisfy { $0.clusterName == "127.0.0.1:1" && !$0.isCoMaster })
        #expect(g.instance(1).replicas == [key(2), key(3)])
        #expect(g.instance(3).replicas == [key(4)])
        #expect(g.instance(4).replicas == [])
        #expect(g.cluster(matching: "shop")?.clusterName == "127.0.0.1:1")
        #expect(g.cluster(matching: "127.0.0.1:4")?.clusterName == "127.0.0.1:1")
    }

    @Test("Replicas lists the replicas connected to a server, not dead or disconnected ones still pointing at it")
    func replicasAreTheConnectedOnes() {
        var dead = node(2, master: 1)
        dead.isLastCheckValid = false
        var stopped = node(3, master: 1)
        stopped.replicationIOThreadState = .stopped
        stopped.replicationIOThreadRunning = false
        var reportedByMaster = node(5, master: 1)
        reportedByMaster.isLastCheckValid = false
        var master = node(1)
        master.replicas = [key(5)]  // SHOW SLAVE HOSTS on the master still lists 5
        let g = ClusterGrouping(instances: [master, dead, stopped, node(4, master: 1), reportedByMaster])
        #expect(g.instance(1).replicas == [key(4), key(5)])
        // The dead and the stopped replica are still in the cluster, below their master.
        #expect(g.instance(2).clusterName == "127.0.0.1:1" && g.instance(2).replicationDepth == 1)
        #expect(g.instance(3).clusterName == "127.0.0.1:1" && g.instance(3).replicationDepth == 1)
    }

    @Test func chain() {
        let g = ClusterGrouping(instances: (1...5).map { node($0, master: $0 == 1 ? nil : $0 - 1) })
        #expect(g.instances.map(\.replicationDepth) == [0, 1, 2, 3, 4])
        #expect(Set(g.instances.map(\.clusterName)) == ["127.0.0.1:1"])
        #expect(g.clusters[0].clusterAlias == "127.0.0.1:1")  // no alias anywhere: the name
    }

    @Test func coMasterPairWithReplicas() {
        // 1 <-> 2 co-masters; 1 writable; 3 replicates from 2, 4 from 1.
        let g = ClusterGrouping(instances: [node(1, master: 2, readOnly: false), node(2, master: 1),
                                            node(3, master: 2), node(4, master: 1)])
        #expect(g.clusters.count == 1)
        #expect(g.clusters[0].clusterName == "127.0.0.1:1")
        #expect(g.clusters[0].coMasters == [key(1), key(2)])
        #expect(g.instance(1).isCoMaster && g.instance(2).isCoMaster)
        #expect(!g.instance(3).isCoMaster)
        #expect(g.instances.map(\.replicationDepth) == [0, 1, 2, 1])
        #expect(g.instance(1).replicas == [key(2), key(4)])
    }

    @Test func coMasterRootIsSmallestKeyWhenBothReadOnly() {
        let g = ClusterGrouping(instances: [node(8, master: 7, readOnly: true), node(7, master: 8, readOnly: true)])
        #expect(g.clusters[0].clusterName == "127.0.0.1:7")
        #expect(g.instance(7).replicationDepth == 0 && g.instance(8).replicationDepth == 1)
        // Writable one wins regardless of key order.
        let h = ClusterGrouping(instances: [node(8, master: 7, readOnly: false), node(7, master: 8, readOnly: true)])
        #expect(h.clusters[0].clusterName == "127.0.0.1:8")
    }

    @Test func ringOfThreeTerminates() {
        let g = ClusterGrouping(instances: [node(1, master: 3), node(2, master: 1), node(3, master: 2), node(4, master: 3)])
        #expect(g.clusters.count == 1)
        #expect(g.clusters[0].clusterName == "127.0.0.1:1")
        #expect(g.instances.map(\.replicationDepth) == [0, 1, 2, 3])
        #expect(g.clusters[0].coMasters == [key(1), key(2), key(3)])
    }

    @Test func twoClustersAndOverride() {
        let g = ClusterGrouping(
            instances: [node(1, alias: "a"), node(2, master: 1), node(1, host: "10.0.0.9", alias: "b"),
                        node(2, master: 1, host: "10.0.0.9")],
            aliasOverrides: ["10.0.0.9:1": "billing"])
        #expect(g.clusters.map(\.clusterName) == ["10.0.0.9:1", "127.0.0.1:1"])
        #expect(g.clusters.map(\.clusterAlias) == ["billing", "a"])
        #expect(g.instance(2, "10.0.0.9").clusterName == "10.0.0.9:1")
        #expect(g.instance(2).clusterName == "127.0.0.1:1")
        #expect(g.instance(1, "10.0.0.9").suggestedClusterAlias == "b")  // left as probed
    }

    @Test func orphanWithUnknownMaster() {
        // 5's master 9 is not known; 6 replicates from 5.
        let g = ClusterGrouping(instances: [node(5, master: 9, alias: "lost"), node(6, master: 5), node(1)])
        let orphan = g.cluster(named: "127.0.0.1:9")!
        #expect(!orphan.masterKnown)
        #expect(orphan.masterKey == nil)
        #expect(orphan.members == [key(5), key(6)])
        #expect(orphan.clusterAlias == "lost")
        #expect(g.instance(5).replicationDepth == 1 && g.instance(6).replicationDepth == 2)
        #expect(g.cluster(named: "127.0.0.1:1")?.members == [key(1)])
    }

    @Test func selfMasterIsTop() {
        let g = ClusterGrouping(instances: [node(1, master: 1)])
        #expect(g.instances[0].replicationDepth == 0 && g.instances[0].clusterName == "127.0.0.1:1")
    }

    @Test func probedReplicasAreKept() {
        var master = node(1)
        master.replicas = [key(7)]  // reported by SHOW SLAVE HOSTS, not yet discovered
        let g = ClusterGrouping(instances: [master, node(2, master: 1)])
        #expect(g.instance(1).replicas == [key(2), key(7)])
    }
}

@Suite("Topology tree")
struct TopologyTreeTests {
    @Test func rendersTreeLikeUpstream() {
        let g = ClusterGrouping(instances: [node(13306), node(13307, master: 13306), node(13308, master: 13306),
                                            node(13309, master: 13308)])
        let text = TopologyTree.render(g.instances)
        let expected = """
        127.0.0.1:13306     [0s,ok,10.11.6-MariaDB-log,rw,ROW,>>]
        + 127.0.0.1:13307   [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]
        + 127.0.0.1:13308   [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]
          + 127.0.0.1:13309 [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]
        """
        #expect(text == expected)
    }

    @Test func marksBrokenReplicasAliasesAndFlags() {
        var broken = node(2, master: 1)
        broken.replicationIOThreadState = .other
        broken.lastIOError = "error connecting"
        broken.secondsBehindMaster = nil
        var aliased = node(3, master: 1)
        aliased.instanceAlias = "r3"
        aliased.isDowntimed = true
        aliased.semiSyncReplicaStatus = true
        aliased.gtidErrant = "0-3-5"
        aliased.replicationLagSeconds = 42
        aliased.secondsBehindMaster = 42
        var master = node(1)
        master.semiSyncMasterStatus = true
        master.logBinEnabled = true
        let text = TopologyTree.render([master, broken, aliased], lagThresholdSeconds: 10)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "127.0.0.1:1        [0s,ok,10.11.6-MariaDB-log,rw,ROW,>>,semi:master]")
        #expect(lines[1] == "- 127.0.0.1:2      [null,nonreplicating,10.11.6-MariaDB-log,ro,ROW,>>,GTID]")
        #expect(lines[2] == "+ 127.0.0.1:3 (r3) [42s,lag,10.11.6-MariaDB-log,ro,ROW,>>,GTID:errant,semi:replica,downtimed]")
    }

    @Test func tabulatedAsUpstream() {
        var lagging = node(13307, master: 13306)
        lagging.replicationLagSeconds = 1234
        lagging.secondsBehindMaster = 1234
        let g = ClusterGrouping(instances: [node(13306), lagging, node(13308, master: 13306), node(13309, master: 13308)])
        let expected = """
        127.0.0.1:13306    |   0s|ok |10.11.6-MariaDB-log|rw|ROW|>>
        + 127.0.0.1:13307  |1234s|lag|10.11.6-MariaDB-log|ro|ROW|>>,GTID
        + 127.0.0.1:13308  |   0s|ok |10.11.6-MariaDB-log|ro|ROW|>>,GTID
          + 127.0.0.1:13309|   0s|ok |10.11.6-MariaDB-log|ro|ROW|>>,GTID
        """
        // Every column is padded, the last one too (as upstream), so all lines have one length.
        let lines = TopologyTree.render(g.instances, tabulated: true).split(separator: "\n").map(String.init)
        #expect(Set(lines.map(\.count)).count == 1)
        let trimmed = lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }
        #expect(trimmed == expected.split(separator: "\n").map(String.init))
    }

    @Test func invalidAndNoBinlog() {
        var dead = node(1)
        dead.isLastCheckValid = false
        dead.logBinEnabled = false
        #expect(TopologyTree.render([dead]) == "127.0.0.1:1 [unknown,invalid,10.11.6-MariaDB-log,rw,nobinlog]")
        #expect(TopologyTree.render([dead], extended: false) == "127.0.0.1:1")
    }

    @Test func coMastersDrawnAsBranches() {
        let g = ClusterGrouping(instances: [node(1, master: 2, readOnly: false), node(2, master: 1), node(3, master: 2)])
        let lines = TopologyTree.render(g.instances, extended: false).split(separator: "\n")
        #expect(lines == ["+ 127.0.0.1:1", "+ 127.0.0.1:2", "  + 127.0.0.1:3"])
        // Without grouping (co-master flags unset) the ring still renders, once each.
        let raw = TopologyTree.render([node(1, master: 2), node(2, master: 1)], extended: false)
        #expect(raw == "127.0.0.1:1\n+ 127.0.0.1:2")
    }
}
