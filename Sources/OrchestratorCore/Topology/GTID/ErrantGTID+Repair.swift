/// Repairing errant GTIDs: what to inject on the master so a replica's errant transactions become
/// known to the whole cluster (`gtid-errant-inject-empty`), what `gtid_purged` a MySQL replica gets
/// after `gtid-errant-reset-master`, and which binary-log events are errant (`locate-gtid-errant`).
/// Pure: the server side reads the positions and runs the statements.
extension ErrantGTID {
    /// Why an errant set cannot be repaired the asked way; the text names the GTID and what to do.
    public struct RepairRefusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    // MARK: - MySQL

    /// Every GTID of `errant`, one `uuid[:tag]:n` per transaction, in order; the master then commits an
    /// empty transaction under each. Refuses a set larger than `limit` (a sign that the replica was
    /// written to heavily or belongs elsewhere: re-clone it rather than inject thousands of GTIDs).
    public static func mysqlInjectionGTIDs(_ errant: MySQLGTIDSet, limit: Int = 10_000) throws(RepairRefusal) -> [String] {
        let count = errant.transactionCount
        guard count <= UInt64(max(0, limit)) else {
            throw RepairRefusal("the errant set \(errant) holds \(count) transactions, more than \(limit) to inject one by one; "
                + "re-clone the replica from its master instead")
        }
        var gtids: [String] = []
        for source in errant.ranges.keys.sorted() {
            let prefix = source.tag.isEmpty ? source.uuid : "\(source.uuid):\(source.tag)"
            for interval in errant.ranges[source] ?? [] {
                for n in interval.lower...interval.upper { gtids.append("\(prefix):\(n)") }
            }
        }
        return gtids
    }

    /// MySQL `gtid-errant-reset-master`: after `RESET MASTER` the replica's `gtid_purged` (and so
    /// `gtid_executed`) becomes what it executed minus the errant transactions.
    public static func mysqlPurgedAfterReset(executed: MySQLGTIDSet, errant: MySQLGTIDSet) throws(RepairRefusal) -> MySQLGTIDSet {
        guard !errant.isEmpty else { throw RepairRefusal("there are no errant GTIDs to remove") }
        guard executed.contains(errant) else {
            throw RepairRefusal("the errant set \(errant) is not part of gtid_executed \(executed): the view is stale, "
                + "re-read the instance and try again")
        }
        return executed.subtracting(errant)
    }

    // MARK: - MariaDB

    /// MariaDB has no `GTID_NEXT`: a GTID is chosen for the next binlogged statement with the session
    /// variables `gtid_domain_id`, `server_id` and `gtid_seq_no`, and an empty `BEGIN; COMMIT` is not
    /// binlogged at all. So each errant `d-s-n` is neutralised by the master binlogging a no-op
    /// statement as `d-s-n`: the master's position then reaches `n` in domain `d`, every other replica
    /// applies the no-op, and the errant replica ignores it (it carries the replica's own server id).
    ///
    /// Only the latest errant GTID per domain and server is injected: MariaDB positions keep the latest
    /// event per domain, so that is what makes the replica's position known to the cluster. Entries
    /// come back in ascending sequence per domain, the order the master must binlog them in.
    ///
    /// Refused when the master already binlogged sequence `n` or beyond in domain `d`: a lower sequence
    /// would be out of order (error 1950 under `gtid_strict_mode`, and a position that goes backwards
    /// without it), and the replica's event then conflicts with the master's own event of that number.
    /// - Parameters:
    ///   - errant: the replica's errant entries (`GtidErrant`).
    ///   - masterBinlogState: the master's `@@gtid_binlog_state` (or `@@gtid_binlog_pos`), read now.
    ///   - masterServerID: the master's `@@server_id`; an errant entry of the master itself is refused.
    public static func mariadbInjections(
        _ errant: MariaDBGTIDList, masterBinlogState: MariaDBGTIDList, masterServerID: UInt32
    ) throws(RepairRefusal) -> [MariaDBGTID] {
        var out: [MariaDBGTID] = []
        // Ascending sequence within each domain: every injection must be above the one before it.
        let ordered = errant.entries.sorted { ($0.domainID, $0.sequence, $0.serverID) < ($1.domainID, $1.sequence, $1.serverID) }
        for gtid in ordered {
            guard gtid.serverID != masterServerID else {
                throw RepairRefusal("errant GTID \(gtid) carries the master's own server id \(masterServerID); "
                    + "it cannot be injected on the master")
            }
            let reached = masterBinlogState.sequence(inDomain: gtid.domainID)
            if masterBinlogState.latest(inDomain: gtid.domainID) != nil, reached >= gtid.sequence {
                throw RepairRefusal("the master already binlogged sequence \(reached) in domain \(gtid.domainID), at or past "
                    + "errant GTID \(gtid): injecting it would be out of order (gtid_strict_mode error 1950) and the "
                    + "replica's transaction \(gtid) conflicts with the master's own; re-clone the replica from its master, "
                    + "or if the errant writes may be dropped, point it at the master's position (STOP SLAVE; "
                    + "SET GLOBAL gtid_slave_pos = master's gtid_binlog_pos; CHANGE MASTER TO MASTER_USE_GTID=slave_pos)")
            }
            out.append(gtid)
        }
        return out
    }

    /// The errant events of a MariaDB replica as sequence ranges: for each errant `d-s-n`, the events of
    /// domain `d` written by server `s` with a sequence above what the master has reached in `d` and at
    /// most `n`. Used to find the binary logs holding them.
    public struct MariaDBErrantRanges: Sendable, Equatable {
        public struct Range: Sendable, Equatable {
            public var domainID: UInt32
            public var serverID: UInt32
            /// Exclusive: the master's sequence in the domain.
            public var above: UInt64
            /// Inclusive: the errant entry's sequence.
            public var upTo: UInt64
        }

        public var ranges: [Range]

        public init(errant: MariaDBGTIDList, masterPosition: MariaDBGTIDList) {
            ranges = errant.entries.map {
                Range(domainID: $0.domainID, serverID: $0.serverID, above: masterPosition.sequence(inDomain: $0.domainID),
                      upTo: $0.sequence)
            }
        }

        public func contains(_ gtid: MariaDBGTID) -> Bool {
            ranges.contains {
                $0.domainID == gtid.domainID && $0.serverID == gtid.serverID && gtid.sequence > $0.above
                    && gtid.sequence <= $0.upTo
            }
        }
    }

    // MARK: - Binary log events

    /// The GTID of a `SHOW BINLOG EVENTS` row whose `Event_type` is `Gtid`, from its `Info`:
    /// MariaDB `BEGIN GTID 0-1-42` / `GTID 0-1-42` (optionally followed by more words), MySQL
    /// `SET @@SESSION.GTID_NEXT= 'uuid:n'`. Nil for anything else.
    public static func binlogEventGTID(info: String) -> BinlogEventGTID? {
        let words = info.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if let index = words.firstIndex(where: { $0 == "GTID" }), index + 1 < words.count,
           let list = try? MariaDBGTIDList(parsing: String(words[index + 1])), list.entries.count == 1 {
            return .mariadb(list.entries[0])
        }
        if info.uppercased().contains("GTID_NEXT"), let open = info.firstIndex(of: "'") {
            let rest = info[info.index(after: open)...]
            guard let close = rest.firstIndex(of: "'") else { return nil }
            let text = String(rest[..<close])
            guard let set = try? MySQLGTIDSet(parsing: text), set.transactionCount == 1 else { return nil }
            return .mysql(set)
        }
        return nil
    }

    /// One binary-log event's GTID.
    public enum BinlogEventGTID: Sendable, Equatable {
        case mariadb(MariaDBGTID)
        /// A set holding the one transaction.
        case mysql(MySQLGTIDSet)
    }
}
