/// Typed views of an instance's GTID text fields, and errant-GTID computation against its master.
extension Instance {
    /// `ExecutedGtidSet` parsed (MySQL); nil when empty or malformed.
    public var executedGTIDSet: MySQLGTIDSet? { executedGtidSet.isEmpty ? nil : try? MySQLGTIDSet(parsing: executedGtidSet) }
    /// `GtidCurrentPos` parsed (MariaDB); nil when empty or malformed.
    public var gtidCurrentPosition: MariaDBGTIDList? { gtidCurrentPos.isEmpty ? nil : try? MariaDBGTIDList(parsing: gtidCurrentPos) }
    /// `GtidSlavePos` parsed (MariaDB); nil when empty or malformed.
    public var gtidSlavePosition: MariaDBGTIDList? { gtidSlavePos.isEmpty ? nil : try? MariaDBGTIDList(parsing: gtidSlavePos) }
    /// `GtidBinlogPos` parsed (MariaDB); nil when empty or malformed.
    public var gtidBinlogPosition: MariaDBGTIDList? { gtidBinlogPos.isEmpty ? nil : try? MariaDBGTIDList(parsing: gtidBinlogPos) }
    /// `oldestBinlogGTIDPosition` parsed (MariaDB); nil when unknown, empty (nothing purged) or malformed.
    public var oldestBinlogGTIDStart: MariaDBGTIDList? {
        oldestBinlogGTIDPosition.isEmpty ? nil : try? MariaDBGTIDList(parsing: oldestBinlogGTIDPosition)
    }

    /// Everything this MariaDB server has applied or written: `gtid_binlog_pos` and
    /// `gtid_current_pos` merged (highest sequence per domain and server). Nil when both are empty.
    public var mariaDBGTIDState: MariaDBGTIDList? {
        let parts = [gtidBinlogPosition, gtidCurrentPosition].compactMap { $0 }
        guard let first = parts.first else { return nil }
        return parts.dropFirst().reduce(first) { $0.union($1) }
    }

    /// The errant GTIDs of this replica relative to `master`, as text for `GtidErrant` ("" when none or
    /// when either side has no GTID data). MySQL uses `ErrantGTID.mysql` with this instance's
    /// `AncestryUUID` (plus the master's UUID); MariaDB uses `ErrantGTID.mariadb` over
    /// `mariaDBGTIDState` of both.
    public func errantGTIDs(relativeTo master: Instance) -> String {
        errantGTIDs(relativeTo: master, mine: parsedGTIDs, theirs: master.parsedGTIDs)
    }

    /// This instance's GTID fields parsed once, for comparing many replicas with one master.
    public var parsedGTIDs: ParsedGTIDs { ParsedGTIDs(mysql: executedGTIDSet, mariadb: mariaDBGTIDState) }

    /// ``errantGTIDs(relativeTo:)`` over already parsed GTID fields of both sides.
    public func errantGTIDs(relativeTo master: Instance, mine: ParsedGTIDs, theirs: ParsedGTIDs) -> String {
        if let mine = mine.mysql, let theirs = theirs.mysql {
            var ancestry = ancestryUUID.split(separator: ",").map { String($0).trimmingWhitespace() }
            if !master.serverUUID.isEmpty { ancestry.append(master.serverUUID) }
            return ErrantGTID.mysql(
                replicaExecuted: mine, masterExecuted: theirs, replicaUUID: serverUUID,
                masterUUID: master.serverUUID, ancestryUUIDs: ancestry, isCoMaster: isCoMaster).description
        }
        if let mine = mine.mariadb, let theirs = theirs.mariadb {
            return ErrantGTID.mariadb(
                replicaPosition: mine, masterPosition: theirs, masterServerID: UInt32(truncatingIfNeeded: master.serverID),
                replicaServerID: UInt32(truncatingIfNeeded: serverID), isCoMaster: isCoMaster).description
        }
        return ""
    }
}

/// An instance's GTID text fields, parsed: `ExecutedGtidSet` (MySQL) and the merged MariaDB state.
public struct ParsedGTIDs: Sendable {
    public var mysql: MySQLGTIDSet?
    public var mariadb: MariaDBGTIDList?
    public var isEmpty: Bool { mysql == nil && mariadb == nil }
}
