import OrchestratorCore
import Testing

@Suite("OSC control replicas")
struct OSCReplicasTests {
    func instance(_ port: Int, depth: Int, replicas: [Int] = [], valid: Bool = true) -> Instance {
        var i = Instance(key: InstanceKey(hostname: "db", port: port))
        i.replicationDepth = depth
        i.replicas = replicas.map { InstanceKey(hostname: "db", port: $0) }
        i.isLastCheckValid = valid
        return i
    }

    func ports(_ chosen: [Instance]) -> [Int] { chosen.map(\.key.port) }

    @Test func twoBusiestIntermediateMastersThenOneReplicaOfEachThenDepthThreeThenLeaves() {
        let cluster = [
            instance(1, depth: 0, replicas: [2, 3, 4, 5, 6]),
            instance(2, depth: 1, replicas: [20]),
            instance(3, depth: 1, replicas: [30, 31]),
            instance(4, depth: 1, replicas: [40, 41, 42]),
            instance(5, depth: 1), instance(6, depth: 1),
            instance(20, depth: 2), instance(30, depth: 2), instance(31, depth: 2, replicas: [310]),
            instance(40, depth: 2), instance(41, depth: 2, replicas: [410, 411]), instance(42, depth: 2),
            instance(310, depth: 3), instance(410, depth: 3), instance(411, depth: 3),
        ]
        let chosen = OSCReplicas.choose(from: cluster, ignoreHostnameFilters: [])
        #expect(ports(chosen) == [4, 3, 41, 31, 310, 410, 5, 6])
    }

    @Test func oneIntermediateMasterGivesTwoOfItsReplicas() {
        let cluster = [instance(1, depth: 0, replicas: [2, 3]), instance(2, depth: 1, replicas: [20, 21, 22]),
                       instance(3, depth: 1), instance(20, depth: 2), instance(21, depth: 2), instance(22, depth: 2)]
        #expect(ports(OSCReplicas.choose(from: cluster, ignoreHostnameFilters: [])) == [2, 20, 21, 3])
    }

    @Test func unreachableAndIgnoredServersAreNeverChosen() {
        let cluster = [instance(1, depth: 0, replicas: [2, 3, 4]), instance(2, depth: 1, valid: false),
                       instance(3, depth: 1), instance(4, depth: 1)]
        #expect(ports(OSCReplicas.choose(from: cluster, ignoreHostnameFilters: ["db:4$"])) == [3])
    }
}
