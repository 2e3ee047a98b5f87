import Foundation
import OrchestratorCore
import Testing

private let u1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
private let u2 = "4f6d62ed-df65-11e3-b395-60672090eb04"
private let u3 = "b9b4712a-df64-11e3-b391-60672090eb04"

@Suite("GTID: MySQL sets")
struct GTIDMySQLSetTests {
    @Test func parsesAndFormatsCanonically() throws {
        let set = try MySQLGTIDSet(parsing: "\(u2):1-5:7-9,\n\(u1.uppercased()):1-3:4")
        #expect(set.description == "\(u1):1-4,\(u2):1-5:7-9")
        #expect(set.transactionCount == 4 + 5 + 3)
        #expect(try MySQLGTIDSet(parsing: set.description) == set)
        #expect(try MySQLGTIDSet(parsing: "").isEmpty)
        #expect(try MySQLGTIDSet(parsing: "\(u1):3:1-2:4-4") == MySQLGTIDSet(parsing: "\(u1):1-4"))
    }

    @Test func parsesTags() throws {
        let set = try MySQLGTIDSet(parsing: "\(u1):1-2:Blue:1-3:red:5,\(u1):blue:4")
        #expect(set.description == "\(u1):1-2:blue:1-4:red:5")
        #expect(set.contains(.init(uuid: u1, tag: "BLUE"), 4))
        #expect(!set.contains(.init(uuid: u1), 4))
    }

    @Test func rejectsBadTokensNamingThem() {
        let cases: [(String, String)] = [
            ("nonsense:1-3", "nonsense"),
            ("\(u1):0", "0"),
            ("\(u1):5-3", "5-3"),
            ("\(u1):1-x", "1-x"),
            ("\(u1)", u1),
            ("\(u1):1,,\(u2):1", ""),
            ("\(u1):9bad:1", "9bad"),
            ("\(u1):tag", "\(u1):tag"),
        ]
        for (input, token) in cases {
            do {
                _ = try MySQLGTIDSet(parsing: input)
                Issue.record("expected \(input) to fail")
            } catch {
                #expect(error.token == token, "input \(input)")
                #expect(error.description.contains("\"\(token)\""))
            }
        }
    }

    @Test func unionSubtractContains() throws {
        let a = try MySQLGTIDSet(parsing: "\(u1):1-10,\(u2):1-3")
        let b = try MySQLGTIDSet(parsing: "\(u1):5-12,\(u3):1")
        #expect(a.union(b).description == "\(u1):1-12,\(u2):1-3,\(u3):1")
        #expect(a.subtracting(b).description == "\(u1):1-4,\(u2):1-3")
        #expect(b.subtracting(a).description == "\(u1):11-12,\(u3):1")
        #expect(a.intersection(b).description == "\(u1):5-10")
        #expect(a.union(b).contains(a))
        #expect(a.isSubset(of: a.union(b)))
        #expect(!a.contains(b))
        let holes = try MySQLGTIDSet(parsing: "\(u1):1-3:5-8:10")
        #expect(try MySQLGTIDSet(parsing: "\(u1):1-20").subtracting(holes).description == "\(u1):4:9:11-20")
        #expect(holes.subtracting(try MySQLGTIDSet(parsing: "\(u1):2-6")).description == "\(u1):1:7-8:10")
        #expect(holes.removingUUID(u1.uppercased()).isEmpty)
    }

    @Test func comparesAndPicksMostAdvanced() throws {
        let base = try MySQLGTIDSet(parsing: "\(u1):1-100")
        let ahead = try MySQLGTIDSet(parsing: "\(u1):1-120")
        let diverged = try MySQLGTIDSet(parsing: "\(u1):1-110,\(u2):1")
        #expect(ahead.compare(to: base) == .ahead)
        #expect(base.compare(to: ahead) == .behind)
        #expect(base.compare(to: base) == .equal)
        #expect(ahead.compare(to: diverged) == .incomparable)
        #expect([base, ahead, base].mostAdvanced() == .winners([1]))
        #expect([ahead, base, ahead].mostAdvanced() == .winners([0, 2]))
        #expect([base, ahead, diverged].mostAdvanced() == .incomparable([1, 2]))
        #expect([MySQLGTIDSet]().mostAdvanced() == MostAdvanced.none)
    }

    @Test func codableAsText() throws {
        let set = try MySQLGTIDSet(parsing: "\(u1):1-3")
        let data = try JSONEncoder().encode([set])
        #expect(String(decoding: data, as: UTF8.self) == "[\"\(u1):1-3\"]")
        #expect(try JSONDecoder().decode([MySQLGTIDSet].self, from: data) == [set])
    }
}

@Suite("GTID: MariaDB positions")
struct GTIDMariaDBTests {
    @Test func parsesAndFormatsMultiDomain() throws {
        let list = try MariaDBGTIDList(parsing: "1-2-30, 0-1-100,0-1-90,2-5-7")
        #expect(list.description == "0-1-100,1-2-30,2-5-7")
        #expect(list.domains == [0, 1, 2])
        #expect(list.sequence(inDomain: 1) == 30)
        #expect(list.sequence(inDomain: 9) == 0)
        #expect(try MariaDBGTIDList(parsing: "").isEmpty)
        #expect(try MariaDBGTIDList(parsing: list.description) == list)
    }

    @Test func stateWithSeveralServersPerDomain() throws {
        let state = try MariaDBGTIDList(parsing: "0-1-100,0-2-140,1-1-5")
        #expect(state.latest(inDomain: 0) == MariaDBGTID(domainID: 0, serverID: 2, sequence: 140))
        #expect(state.position.description == "0-2-140,1-1-5")
    }

    @Test func rejectsBadTokensNamingThem() {
        let cases: [(String, String)] = [
            ("0-1", "0-1"), ("0-1-2-3", "0-1-2-3"), ("a-1-2", "a-1-2"), ("0-1-x", "0-1-x"),
            ("0-1-5,,1-1-1", ""), ("0--5", "0--5"), ("-1-1-1", "-1-1-1"),
        ]
        for (input, token) in cases {
            do {
                _ = try MariaDBGTIDList(parsing: input)
                Issue.record("expected \(input) to fail")
            } catch {
                #expect(error.token == token, "input \(input)")
                #expect(error.description.contains("MariaDB"))
            }
        }
    }

    @Test func containsAndComparePerDomain() throws {
        let master = try MariaDBGTIDList(parsing: "0-1-100,1-2-50")
        let lagging = try MariaDBGTIDList(parsing: "0-1-90,1-2-50")
        let caughtUp = try MariaDBGTIDList(parsing: "0-1-100,1-2-50")
        let otherDomainAhead = try MariaDBGTIDList(parsing: "0-1-80,1-2-60")
        #expect(master.contains(lagging))
        #expect(!lagging.contains(master))
        #expect(master.compare(to: lagging) == .ahead)
        #expect(master.compare(to: caughtUp) == .equal)
        #expect(master.compare(to: otherDomainAhead) == .incomparable)
        // A domain missing on one side makes it behind in that domain.
        let onlyDomain0 = try MariaDBGTIDList(parsing: "0-1-100")
        #expect(master.compare(to: onlyDomain0) == .ahead)
        // Sequence decides regardless of which server wrote the latest event.
        #expect(try MariaDBGTIDList(parsing: "0-3-100").compare(to: MariaDBGTIDList(parsing: "0-1-100")) == .equal)
        #expect([lagging, master, onlyDomain0].mostAdvanced() == .winners([1]))
        #expect([lagging, otherDomainAhead].mostAdvanced() == .incomparable([0, 1]))
    }

    @Test func unionAndSubtract() throws {
        let a = try MariaDBGTIDList(parsing: "0-1-100,1-2-50")
        let b = try MariaDBGTIDList(parsing: "0-1-120,2-3-1")
        #expect(a.union(b).description == "0-1-120,1-2-50,2-3-1")
        #expect(b.subtracting(a).description == "0-1-120,2-3-1")
        #expect(a.subtracting(b).description == "1-2-50")
        #expect(a.subtracting(a).isEmpty)
    }
}

@Suite("GTID: errant detection")
struct GTIDErrantTests {
    @Test func mysqlReplicaOwnWritesAreErrant() throws {
        // Master u1 with replica u2 that was written to directly (u2:1-2).
        let master = try MySQLGTIDSet(parsing: "\(u1):1-100")
        let replica = try MySQLGTIDSet(parsing: "\(u1):1-105,\(u2):1-2")
        let errant = ErrantGTID.mysql(
            replicaExecuted: replica, masterExecuted: master, replicaUUID: u2, masterUUID: u1,
            ancestryUUIDs: [u1, u2])
        #expect(errant.description == "\(u2):1-2")
    }

    @Test func mysqlReplicaAheadOfMasterSnapshotIsNotErrant() throws {
        let master = try MySQLGTIDSet(parsing: "\(u1):1-100")
        let replica = try MySQLGTIDSet(parsing: "\(u1):1-105")
        let errant = ErrantGTID.mysql(
            replicaExecuted: replica, masterExecuted: master, replicaUUID: u2, masterUUID: u1, ancestryUUIDs: [u1, u2])
        #expect(errant.isEmpty)
    }

    @Test func mysqlForeignHistoryIsErrantAndCoMasterOwnIsNot() throws {
        // u3 is a former server the master never saw.
        let master = try MySQLGTIDSet(parsing: "\(u1):1-100,\(u2):1-4")
        let replica = try MySQLGTIDSet(parsing: "\(u1):1-100,\(u2):1-6,\(u3):1-9")
        let asReplica = ErrantGTID.mysql(
            replicaExecuted: replica, masterExecuted: master, replicaUUID: u2, masterUUID: u1, ancestryUUIDs: [u1, u2])
        #expect(asReplica.description == "\(u2):5-6,\(u3):1-9")
        let asCoMaster = ErrantGTID.mysql(
            replicaExecuted: replica, masterExecuted: master, replicaUUID: u2, masterUUID: u1,
            ancestryUUIDs: [u1, u2], isCoMaster: true)
        #expect(asCoMaster.description == "\(u3):1-9")
    }

    @Test func mariadbLocalWriteOnReplicaIsErrant() throws {
        // Master server 1; replica server 2 had a local write in domain 0 after event 100.
        let master = try MariaDBGTIDList(parsing: "0-1-100")
        let replica = try MariaDBGTIDList(parsing: "0-2-101")
        let errant = ErrantGTID.mariadb(replicaPosition: replica, masterPosition: master, masterServerID: 1)
        #expect(errant.description == "0-2-101")
    }

    @Test func mariadbAheadOfSnapshotFromLineageIsNot() throws {
        // Replica read events 101-105 written by the top master (server 1) via intermediate master 3.
        let master = try MariaDBGTIDList(parsing: "0-1-100")
        let replica = try MariaDBGTIDList(parsing: "0-1-105")
        #expect(ErrantGTID.mariadb(replicaPosition: replica, masterPosition: master, masterServerID: 3).isEmpty)
        // Master wrote itself (server 3) just after our snapshot.
        let ownWrite = try MariaDBGTIDList(parsing: "0-3-101")
        #expect(ErrantGTID.mariadb(replicaPosition: ownWrite, masterPosition: master, masterServerID: 3).isEmpty)
    }

    @Test func mariadbUnknownDomainIsErrantAndLineageCanBeExtended() throws {
        let master = try MariaDBGTIDList(parsing: "0-1-100")
        let replica = try MariaDBGTIDList(parsing: "0-1-100,5-7-3")
        #expect(ErrantGTID.mariadb(replicaPosition: replica, masterPosition: master, masterServerID: 1).description == "5-7-3")
        #expect(ErrantGTID.mariadb(
            replicaPosition: replica, masterPosition: master, masterServerID: 1, lineageServerIDs: [7]).isEmpty)
    }

    @Test func mariadbOldLocalEventsCoveredByMasterAreNotErrant() throws {
        // A former primary (server 2) rejoined: its own old events are behind the master's sequence.
        let master = try MariaDBGTIDList(parsing: "0-1-300")
        let replica = try MariaDBGTIDList(parsing: "0-2-200,0-1-300")
        #expect(ErrantGTID.mariadb(replicaPosition: replica, masterPosition: master, masterServerID: 1).isEmpty)
    }
}
