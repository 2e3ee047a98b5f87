import OrchestratorCore
import Testing

/// Binary log names ordered by their numeric suffix, not as text.
@Suite("Binlog file names: numeric-suffix order")
struct BinlogFileNameTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var earlier: String
        var later: String
        var testDescription: String { "\(earlier) before \(later)" }
    }

    static let ordered: [Case] = [
        Case(earlier: "mysql-bin.000009", later: "mysql-bin.000010"),
        Case(earlier: "binlog.999999", later: "binlog.1000000"),  // text order gets this one wrong
        Case(earlier: "bin.9", later: "bin.000010"),  // widths differ
        Case(earlier: "host-relay-bin.000001", later: "host-relay-bin.000002"),
    ]

    @Test(arguments: ordered)
    func laterFilesFollowEarlierOnes(_ c: Case) {
        let a = BinlogFileName(c.earlier), b = BinlogFileName(c.later)
        #expect(a < b)
        #expect(!(b < a))
        #expect(a.precedes(b) == true)
        #expect(b.precedes(a) == false)
    }

    @Test func textOrderIsWrongPastSixDigitsAndTheTypeIsNot() {
        #expect("binlog.1000000" < "binlog.999999", "the bug being fixed: text puts the newer file first")
        #expect(BinlogFileName("binlog.999999") < BinlogFileName("binlog.1000000"))
        let sorted = ["binlog.1000001", "binlog.999999", "binlog.1000000"].map(BinlogFileName.init).sorted().map(\.name)
        #expect(sorted == ["binlog.999999", "binlog.1000000", "binlog.1000001"])
    }

    @Test(arguments: [("bin.000001", "other.000002"), ("", "bin.000002"), ("bin", "bin.000002"), ("bin.00a1", "bin.000002"),
                      ("bin.+5", "bin.000002")])
    func namesThatCannotBeToldApartAnswerNil(_ a: String, _ b: String) {
        #expect(BinlogFileName(a).precedes(BinlogFileName(b)) == nil)
    }

    @Test func sameFileDoesNotPrecedeItself() {
        #expect(BinlogFileName("bin.000002").precedes(BinlogFileName("bin.000002")) == false)
        #expect(BinlogFileName("bin.000002").number == 2)
        #expect(BinlogFileName("bin.000002").baseName == "bin")
    }

    @Test func coordinatesOrderByFileNumberThenPosition() {
        let old = BinlogCoordinates(logFile: "binlog.999999", logPos: 90_000)
        let new = BinlogCoordinates(logFile: "binlog.1000000", logPos: 4)
        #expect(old < new)
        #expect(!(new < old))
        #expect([new, old].max() == new)
        #expect(BinlogCoordinates(logFile: "binlog.1000000", logPos: 3) < new)
        #expect(old.fileDistance(to: new) == 1)
    }
}
