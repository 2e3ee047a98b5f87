import OrchestratorCore
import Testing

private let u1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
private let u2 = "4f6d62ed-df65-11e3-b395-60672090eb04"

@Suite("Errant GTID repair")
struct ErrantGTIDRepairTests {
    // MARK: - MySQL

    @Test func mysqlInjectionListsEveryTransactionInOrder() throws {
        let errant = try MySQLGTIDSet(parsing: "\(u2):7,\(u1):3-5:9,\(u1):blue:2")
        #expect(try ErrantGTID.mysqlInjectionGTIDs(errant) == [
            "\(u1):3", "\(u1):4", "\(u1):5", "\(u1):9", "\(u1):blue:2", "\(u2):7",
        ])
        #expect(try ErrantGTID.mysqlInjectionGTIDs(MySQLGTIDSet()) == [])
    }

    @Test func mysqlInjectionRefusesHugeSets() throws {
        let errant = try MySQLGTIDSet(parsing: "\(u1):1-50000")
        #expect(throws: ErrantGTID.RepairRefusal.self) { try ErrantGTID.mysqlInjectionGTIDs(errant, limit: 10_000) }
        do {
            _ = try ErrantGTID.mysqlInjectionGTIDs(errant, limit: 10)
        } catch {
            #expect("\(error)".contains("50000 transactions"))
            #expect("\(error)".contains("re-clone"))
        }
    }

    @Test func mysqlResetMasterPurgesExecutedMinusErrant() throws {
        let executed = try MySQLGTIDSet(parsing: "\(u1):1-100,\(u2):1-3")
        let errant = try MySQLGTIDSet(parsing: "\(u2):1-3")
        #expect(try ErrantGTID.mysqlPurgedAfterReset(executed: executed, errant: errant).description == "\(u1):1-100")
        let partial = try MySQLGTIDSet(parsing: "\(u2):2")
        #expect(try ErrantGTID.mysqlPurgedAfterReset(executed: executed, errant: partial).description
            == "\(u1):1-100,\(u2):1:3")
        #expect(throws: ErrantGTID.RepairRefusal.self) {
            try ErrantGTID.mysqlPurgedAfterReset(executed: executed, errant: MySQLGTIDSet())
        }
        #expect(throws: ErrantGTID.RepairRefusal.self, "a stale errant set not in gtid_executed") {
            try ErrantGTID.mysqlPurgedAfterReset(executed: executed, errant: try MySQLGTIDSet(parsing: "\(u2):4"))
        }
    }

    // MARK: - MariaDB

    @Test func mariadbInjectsTheErrantEntriesTheMasterHasNotReached() throws {
        // Master 1 at 0-1-100 (and domain 5 at 5-1-3); replica 2 wrote 0-2-101..103 and 7-2-1 locally.
        let state = try MariaDBGTIDList(parsing: "0-1-100,5-1-3")
        let errant = try MariaDBGTIDList(parsing: "0-2-103,7-2-1")
        let injections = try ErrantGTID.mariadbInjections(errant, masterBinlogState: state, masterServerID: 1)
        #expect(injections.map(\.description) == ["0-2-103", "7-2-1"])
        // Two foreign servers in one domain: injected in ascending sequence (strict mode needs that).
        let two = try MariaDBGTIDList(parsing: "0-5-110,0-7-105")
        #expect(try ErrantGTID.mariadbInjections(two, masterBinlogState: state, masterServerID: 1).map(\.description)
            == ["0-7-105", "0-5-110"])
    }

    @Test func mariadbRefusesWhatWouldBeOutOfOrder() throws {
        let errant = try MariaDBGTIDList(parsing: "0-2-103")
        for state in ["0-1-103", "0-1-150", "0-1-99,0-3-200"] {
            let master = try MariaDBGTIDList(parsing: state)
            #expect(throws: ErrantGTID.RepairRefusal.self, "\(state)") {
                try ErrantGTID.mariadbInjections(errant, masterBinlogState: master, masterServerID: 1)
            }
        }
        do {
            _ = try ErrantGTID.mariadbInjections(errant, masterBinlogState: try MariaDBGTIDList(parsing: "0-1-150"),
                                                 masterServerID: 1)
        } catch {
            #expect("\(error)".contains("1950"))
            #expect("\(error)".contains("gtid_slave_pos"), "names the alternative")
        }
        #expect(throws: ErrantGTID.RepairRefusal.self, "the master's own server id") {
            try ErrantGTID.mariadbInjections(try MariaDBGTIDList(parsing: "0-1-200"),
                                             masterBinlogState: try MariaDBGTIDList(parsing: "0-1-100"), masterServerID: 1)
        }
    }

    @Test func mariadbErrantRangesSpanFromTheMastersSequence() throws {
        let ranges = ErrantGTID.MariaDBErrantRanges(errant: try MariaDBGTIDList(parsing: "0-2-103,7-2-1"),
                                                    masterPosition: try MariaDBGTIDList(parsing: "0-1-100"))
        func g(_ d: UInt32, _ s: UInt32, _ n: UInt64) -> MariaDBGTID { MariaDBGTID(domainID: d, serverID: s, sequence: n) }
        #expect(ranges.contains(g(0, 2, 101)))
        #expect(ranges.contains(g(0, 2, 103)))
        #expect(!ranges.contains(g(0, 2, 100)), "at or below the master's sequence: not errant")
        #expect(!ranges.contains(g(0, 2, 104)))
        #expect(!ranges.contains(g(0, 1, 102)), "another server's event")
        #expect(ranges.contains(g(7, 2, 1)))
        #expect(!ranges.contains(g(8, 2, 1)))
    }

    // MARK: - Binary log events

    @Test func readsGTIDsFromBinlogEventInfo() throws {
        #expect(ErrantGTID.binlogEventGTID(info: "BEGIN GTID 0-3210002-5")
            == .mariadb(MariaDBGTID(domainID: 0, serverID: 3210002, sequence: 5)))
        #expect(ErrantGTID.binlogEventGTID(info: "GTID 0-3210002-4")
            == .mariadb(MariaDBGTID(domainID: 0, serverID: 3210002, sequence: 4)))
        #expect(ErrantGTID.binlogEventGTID(info: "BEGIN GTID 1-2-3 cid=17")
            == .mariadb(MariaDBGTID(domainID: 1, serverID: 2, sequence: 3)))
        #expect(ErrantGTID.binlogEventGTID(info: "SET @@SESSION.GTID_NEXT= '\(u1):42'")
            == .mysql(try MySQLGTIDSet(parsing: "\(u1):42")))
        #expect(ErrantGTID.binlogEventGTID(info: "COMMIT /* xid=27 */") == nil)
        #expect(ErrantGTID.binlogEventGTID(info: "SET @@SESSION.GTID_NEXT= 'ANONYMOUS'") == nil)
    }
}
