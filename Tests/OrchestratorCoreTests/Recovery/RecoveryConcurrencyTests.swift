import OrchestratorCore
import Testing

@Suite("Recovery concurrency: independent clusters at once, one recovery per cluster")
struct RecoveryConcurrencyTests {
    static func analysis(_ name: String, alias: String = "", port: Int = 1) -> ReplicationAnalysis {
        var a = PolicyTests.deadMaster
        a.clusterDetails.clusterName = name
        a.clusterDetails.clusterAlias = alias.isEmpty ? name : alias
        a.analyzedInstanceKey = InstanceKey(hostname: "db", port: port)
        return a
    }

    @Test func independentClustersAllStartInTheirOrder() {
        let five = (1...5).map { Self.analysis("c\($0):3306") }
        let start = RecoveryConcurrency.toStart(five, running: [])
        #expect(start.map(\.clusterDetails.clusterName) == five.map(\.clusterDetails.clusterName))
    }

    @Test func oneAnalysisPerClusterPerRound() {
        let start = RecoveryConcurrency.toStart([Self.analysis("a:1", port: 1), Self.analysis("a:1", port: 2),
                                                 Self.analysis("b:1", port: 3)], running: [])
        #expect(start.map(\.analyzedInstanceKey.port) == [1, 3])
    }

    @Test func aClusterWithARunningRecoveryWaitsOthersDoNot() {
        let running = [RecoveryConcurrency.Cluster(name: "a:1", alias: "a")]
        let start = RecoveryConcurrency.toStart([Self.analysis("a:1", alias: "a"), Self.analysis("b:1", alias: "b")],
                                                running: running)
        #expect(start.map(\.clusterDetails.clusterName) == ["b:1"])
    }

    @Test func aRenamedClusterIsKnownByItsAlias() {
        // After a failover the cluster is named after its new master; the alias stays.
        let running = [RecoveryConcurrency.Cluster(name: "old:1", alias: "orders")]
        #expect(RecoveryConcurrency.toStart([Self.analysis("new:2", alias: "orders")], running: running).isEmpty)
        // An alias that is only the name does not join two clusters.
        let byName = [RecoveryConcurrency.Cluster(name: "x:1", alias: "x:1")]
        #expect(RecoveryConcurrency.toStart([Self.analysis("y:1", alias: "x:1")], running: byName).count == 1)
    }

    @Test func idsStayUniqueBeforeAnyIsRecorded() {
        let recorded = [PolicyTests.recovery(startedAgo: 10)]
        let first = RecoveryConcurrency.nextID(recorded: recorded, lastHandedOut: 0)
        let second = RecoveryConcurrency.nextID(recorded: recorded, lastHandedOut: first)
        #expect(first == recorded[0].id + 1)
        #expect(second == first + 1)
        #expect(RecoveryConcurrency.nextID(recorded: [], lastHandedOut: 0) == 1)
    }
}
