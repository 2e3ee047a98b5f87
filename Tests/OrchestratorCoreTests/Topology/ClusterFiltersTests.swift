import Foundation
import OrchestratorCore
import Testing

@Suite("Cluster filters and info")
struct ClusterFiltersTests {
    @Test func filterRules() {
        let name = "db-main-1.example.com:3306"
        #expect(ClusterFilters.matches(["*"], clusterName: name, clusterAlias: "shop"))
        #expect(ClusterFilters.matches([name], clusterName: name, clusterAlias: "shop"))
        #expect(ClusterFilters.matches(["shop"], clusterName: name, clusterAlias: "shop"))
        #expect(ClusterFilters.matches(["alias=shop"], clusterName: name, clusterAlias: "shop"))
        #expect(!ClusterFilters.matches(["alias=sho"], clusterName: name, clusterAlias: "shop"))
        #expect(ClusterFilters.matches(["alias~=^sh"], clusterName: name, clusterAlias: "shop"))
        #expect(!ClusterFilters.matches(["alias~=^op"], clusterName: name, clusterAlias: "shop"))
        #expect(ClusterFilters.matches(["main-[0-9]"], clusterName: name, clusterAlias: "shop"))
        #expect(!ClusterFilters.matches(["other", "", "(bad"], clusterName: name, clusterAlias: "shop"))
        #expect(!ClusterFilters.matches([], clusterName: name, clusterAlias: "shop"))
    }

    @Test func aliasMapAndPatterns() {
        let map = ["127.0.0.1:13306": "exact", "^10\\.0\\.": "tens", "": "ignored"]
        #expect(ClusterFilters.mappedAlias(map, clusterName: "127.0.0.1:13306") == "exact")
        #expect(ClusterFilters.mappedAlias(map, clusterName: "10.0.0.5:3306") == "tens")
        #expect(ClusterFilters.mappedAlias(map, clusterName: "192.168.0.1:3306") == nil)
        #expect(ClusterFilters.firstCapture("^db-([a-z]+)-", in: "db-ams-7.example.com") == "ams")
        #expect(ClusterFilters.firstCapture("^db-([a-z]+)-", in: "web-1") == "")
        #expect(ClusterFilters.firstCapture("", in: "db-ams-7") == "")
        #expect(ClusterFilters.hostnameMatchesAny("backup-3.example.com", filters: ["^backup-"]))
        #expect(!ClusterFilters.hostnameMatchesAny("db-3.example.com", filters: ["^backup-", ""]))
    }

    @Test func groupingAliasPrecedence() {
        var master = Instance(key: InstanceKey(hostname: "10.0.0.1", port: 3306))
        var replica = Instance(key: InstanceKey(hostname: "10.0.0.2", port: 3306))
        replica.masterKey = master.key
        // Only the config map: it names the cluster.
        var g = ClusterGrouping(instances: [master, replica], clusterNameToAlias: ["^10\\.0\\.0\\.1:": "mapped"])
        #expect(g.clusters[0].clusterAlias == "mapped")
        // A detected alias wins over the config map (upstream applies the map only without one).
        master.suggestedClusterAlias = "detected"
        g = ClusterGrouping(instances: [master, replica], clusterNameToAlias: ["^10\\.0\\.0\\.1:": "mapped"])
        #expect(g.clusters[0].clusterAlias == "detected")
        // The operator's override wins over both.
        g = ClusterGrouping(instances: [master, replica], aliasOverrides: ["10.0.0.1:3306": "override"],
                            clusterNameToAlias: ["^10": "mapped"])
        #expect(g.clusters[0].clusterAlias == "override")
    }

    @Test func clusterInfoShapeAndValues() throws {
        var master = Instance(key: InstanceKey(hostname: "10.0.0.1", port: 3306))
        master.suggestedClusterAlias = "shop"
        var a = Instance(key: InstanceKey(hostname: "10.0.0.2", port: 3306))
        a.masterKey = master.key
        a.replicationLagSeconds = 4
        var b = Instance(key: InstanceKey(hostname: "10.0.0.3", port: 3306))
        b.masterKey = master.key
        b.replicationLagSeconds = 9
        let g = ClusterGrouping(instances: [master, a, b])
        let info = ClusterInfo(summary: g.clusters[0], instances: g.instances, clusterDomain: "shop.vip",
                               recoverMasterClusterFilters: ["alias=shop"], recoverIntermediateMasterClusterFilters: [])
        #expect(info.countInstances == 3 && info.heuristicLag == 9)
        #expect(info.hasAutomatedMasterRecovery && !info.hasAutomatedIntermediateMasterRecovery)
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(info)) as! [String: Any]
        #expect(Set(object.keys) == ["ClusterName", "ClusterAlias", "ClusterDomain", "CountInstances", "HeuristicLag",
                                     "HasAutomatedMasterRecovery", "HasAutomatedIntermediateMasterRecovery"])
        #expect(object["ClusterName"] as? String == "10.0.0.1:3306")
        #expect(try JSONDecoder().decode(ClusterInfo.self, from: JSONEncoder().encode(info)) == info)
    }
}
