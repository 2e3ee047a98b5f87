import Testing
import OrchestratorCore

@Suite struct ClusterMasterKVTests {
    @Test func layoutIsUpstreamsWithHostnamePortAndLiteralAddress() {
        let v4 = ClusterMasterKV.pairs(prefix: "mysql/master/", clusterAlias: "shop",
                                       master: InstanceKey(hostname: "10.0.0.5", port: 3306))
        #expect(v4 == [KVPair("mysql/master/shop", "10.0.0.5:3306"), KVPair("mysql/master/shop/hostname", "10.0.0.5"),
                       KVPair("mysql/master/shop/port", "3306"), KVPair("mysql/master/shop/ipv4", "10.0.0.5")])
        let v6 = ClusterMasterKV.pairs(prefix: "p/", clusterAlias: "a", master: InstanceKey(hostname: "fd00::5", port: 3307))
        #expect(v6.last == KVPair("p/a/ipv6", "fd00::5"))
        #expect(v6.count == 4)
        let named = ClusterMasterKV.pairs(prefix: "p/", clusterAlias: "a", master: InstanceKey(hostname: "db1.example", port: 3306))
        #expect(named.map(\.key) == ["p/a", "p/a/hostname", "p/a/port"], "no address without a literal IP")
        #expect(ClusterMasterKV.pairs(prefix: "p/", clusterAlias: "", master: Fixture.key(1)).isEmpty)
    }

    @Test func eachAliasAnnouncesItsLiveMasterNeverADeadOne() {
        var instances = Fixture.tree()
        instances[0].suggestedClusterAlias = "shop"
        var other = Fixture.master(9)
        other.suggestedClusterAlias = "blog"
        other.isLastCheckValid = false
        let inventory = Inventory(probed: instances + [other], intent: IntentState(), now: Fixture.now)
        let masters = ClusterMasterKV.masters(in: inventory)
        #expect(masters == ["shop": Fixture.key(1)], "the unreachable master of blog is not published")
    }

    @Test func afterAFailoverTheLiveNewMasterWinsTheAliasOverTheDeadOldOne() {
        // Old master 1 is dead and still carries the alias; 2 was promoted with the same alias.
        var old = Fixture.master(1).unreachable()
        old.suggestedClusterAlias = "shop"
        var promoted = Fixture.master(2)
        promoted.suggestedClusterAlias = "shop"
        let inventory = Inventory(probed: [old, promoted, Fixture.replica(3, of: 2, cluster: 2)], intent: IntentState(),
                                  now: Fixture.now)
        #expect(ClusterMasterKV.masters(in: inventory) == ["shop": Fixture.key(2)])
    }

    @Test func aRecoverysPinWinsOverAStaleInventory() {
        var instances = Fixture.tree()
        instances[0].suggestedClusterAlias = "shop"
        let inventory = Inventory(probed: instances, intent: IntentState(), now: Fixture.now)
        let masters = ClusterMasterKV.masters(in: inventory, pinned: ["shop": Fixture.key(3)])
        #expect(masters == ["shop": Fixture.key(3)])
        let pairs = ClusterMasterKV.pairs(prefix: "m/", masters: masters)
        #expect(pairs.first == KVPair("m/shop", "db:3"))
    }

    @Test func onlyChangesAreWrittenExceptOnAFullSync() {
        let desired = [KVPair("m/a", "db:1"), KVPair("m/a/port", "1"), KVPair("m/b", "db:2")]
        let written = ["m/a": "db:1", "m/a/port": "1", "m/b": "db:9"]
        #expect(ClusterMasterKV.toWrite(desired, written: written, full: false) == [KVPair("m/b", "db:2")])
        #expect(ClusterMasterKV.toWrite(desired, written: written, full: true) == desired)
        #expect(ClusterMasterKV.toWrite(desired, written: [:], full: false) == desired)
    }
}
