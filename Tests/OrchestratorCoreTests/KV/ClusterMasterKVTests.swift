import Testing
import OrchestratorCore

@Suite struct ClusterMasterKVTests {
    @Test func layoutIsUpstreamsWithHostnamePortAndLiteralAddress() {
        let v4 = ClusterMasterKV.pairs(prefix: "mysql/master/", clusterAlias: "shop",
                                       master: InstanceKey(hostname: "10.0.0.5", port: 3306))
        #expect(v4 == [KVPair("mysql/master/shop", "10.0.0.5:3306"), KVPair("mysql/master/shop/hostname", "10.0.0.5"),
                       KVPair("mysql/master/shop/port", "3306"), KVPair("mysql/master/shop/ipv4", "10.0.0.5"),
                       KVPair("mysql/master/shop/ipv6", "")])
        let v6 = ClusterMasterKV.pairs(prefix: "p/", clusterAlias: "a", master: InstanceKey(hostname: "fd00::5", port: 3307),
                                       resolved: ["10.9.9.9"])
        #expect(v6.suffix(2) == [KVPair("p/a/ipv4", ""), KVPair("p/a/ipv6", "fd00::5")], "a literal is written as itself")
        #expect(v6.count == 5)
        #expect(ClusterMasterKV.pairs(prefix: "p/", clusterAlias: "", master: Fixture.key(1)).isEmpty)
    }

    @Test func aNameIsPublishedWithTheFirstAddressOfEachFamilyItResolvedTo() {
        let master = InstanceKey(hostname: "db1.example", port: 3306)
        let named = ClusterMasterKV.pairs(prefix: "p/", clusterAlias: "a", master: master,
                                          resolved: ["fd00::7", "10.0.0.7", "10.0.0.8", "2001:db8::1"])
        #expect(named == [KVPair("p/a", "db1.example:3306"), KVPair("p/a/hostname", "db1.example"),
                          KVPair("p/a/port", "3306"), KVPair("p/a/ipv4", "10.0.0.7"), KVPair("p/a/ipv6", "fd00::7")])
        // Unresolved (or resolution failed): both address keys empty, so a previous master's address is cleared.
        let unresolved = ClusterMasterKV.pairs(prefix: "p/", clusterAlias: "a", master: master)
        #expect(unresolved.suffix(2) == [KVPair("p/a/ipv4", ""), KVPair("p/a/ipv6", "")])
        let v4only = ClusterMasterKV.addresses(of: "db1.example", resolved: ["garbage", "192.168.1.2"])
        #expect(v4only.ipv4 == "192.168.1.2" && v4only.ipv6 == nil)
        // By host name, for every alias at once.
        let all = ClusterMasterKV.pairs(prefix: "p/", masters: ["a": master, "b": InstanceKey(hostname: "db2", port: 1)],
                                        resolved: ["db1.example": ["10.0.0.7"]])
        #expect(all.first { $0.key == "p/a/ipv4" }?.value == "10.0.0.7")
        #expect(all.first { $0.key == "p/b/ipv4" }?.value == "")
    }

    @Test func onlyNamesNeedResolution() {
        for literal in ["127.0.0.1", "10.0.0.5", "::1", "fd00::5", "2001:db8:0:0:0:0:0:1", "::ffff:10.0.0.1"] {
            #expect(!ClusterMasterKV.needsResolution(literal), "\(literal) is a literal")
        }
        for name in ["db1", "db1.example.com", "localhost", "10.0.0", "1.2.3.4.5", "fd00:::5::1", "abc:def"] {
            #expect(ClusterMasterKV.needsResolution(name), "\(name) is a name")
        }
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
