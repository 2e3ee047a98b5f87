import OrchestratorCore
import Testing

private func replica(_ port: Int, master: Int = 1) -> Instance {
    var i = Instance(key: InstanceKey(hostname: "r", port: port))
    i.masterKey = InstanceKey(hostname: "r", port: master)
    return i
}

@Suite("Topology: replica progress")
struct TopologyReplicaProgressTests {
    private let u = "3e11fa47-71ca-11e1-9e33-c80aa9429562"

    @Test func mysqlGTIDBasis() {
        var a = replica(2), b = replica(3)
        a.executedGtidSet = "\(u):1-10"
        b.executedGtidSet = "\(u):1-12"
        let (result, basis) = ReplicaProgress.mostAdvanced([a, b])
        #expect(result == .winners([1]) && basis == .mysqlGTID)
    }

    @Test func mariaDBBasisWithDivergence() {
        var a = replica(2), b = replica(3), c = replica(4)
        a.gtidCurrentPos = "0-1-100,1-2-5"
        b.gtidCurrentPos = "0-1-101,1-2-4"
        c.gtidCurrentPos = "0-1-99,1-2-4"
        let (result, basis) = ReplicaProgress.mostAdvanced([a, b, c])
        #expect(basis == .mariaDBGTID)
        #expect(result == .incomparable([0, 1]))
        b.gtidCurrentPos = "0-1-101,1-2-5"
        #expect(ReplicaProgress.mostAdvanced([a, b, c]).0 == .winners([1]))
    }

    @Test func coordinatesBasisNeedsOneMaster() {
        var a = replica(2), b = replica(3)
        a.execBinlogCoordinates = BinlogCoordinates(logFile: "bin.000010", logPos: 5)
        b.execBinlogCoordinates = BinlogCoordinates(logFile: "bin.000009", logPos: 900)
        #expect(ReplicaProgress.mostAdvanced([a, b]) == (.winners([0]), .binlogCoordinates))
        b.execBinlogCoordinates = a.execBinlogCoordinates
        #expect(ReplicaProgress.mostAdvanced([a, b]).0 == .winners([0, 1]))
        var other = replica(4, master: 9)
        other.execBinlogCoordinates = a.execBinlogCoordinates
        #expect(ReplicaProgress.mostAdvanced([a, other]) == (.incomparable([0, 1]), .none))
        #expect(ReplicaProgress.mostAdvanced([]) == (.none, .none))
    }
}
