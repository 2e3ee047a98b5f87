/// An instance's errant GTIDs (`GtidErrant`) in its server's own notation. This is the one place
/// that decides the flavour: MariaDB servers (by version) hold a MariaDB GTID list, every other
/// server a MySQL GTID set.
public enum ErrantGTIDs: Sendable, Equatable, CustomStringConvertible {
    case mysql(MySQLGTIDSet)
    case mariadb(MariaDBGTIDList)

    /// The errant GTIDs of `instance`; nil when it has none. Throws when `GtidErrant` does not parse
    /// in the instance's flavour (the probe wrote something this build cannot read).
    public static func of(_ instance: Instance) throws(ErrantGTIDRefusal) -> ErrantGTIDs? {
        let text = instance.gtidErrant.trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        do {
            if instance.isMariaDB {
                let list = try MariaDBGTIDList(parsing: text)
                return list.entries.isEmpty ? nil : .mariadb(list)
            }
            let set = try MySQLGTIDSet(parsing: text)
            return set.isEmpty ? nil : .mysql(set)
        } catch {
            throw ErrantGTIDRefusal(.unreadable, "cannot read the errant GTIDs \"\(text)\" of \(instance.key) as a "
                + "\(instance.isMariaDB ? "MariaDB GTID list" : "MySQL GTID set") (\(error)); re-probe it with discover "
                + "and report this if it persists")
        }
    }

    public var description: String {
        switch self {
        case .mysql(let set): set.description
        case .mariadb(let list): list.description
        }
    }

    /// Which binary-log events are errant: MySQL by set membership; MariaDB by the sequence ranges
    /// above the master's position (`masterPosition`, ignored for MySQL).
    public func matcher(masterPosition: MariaDBGTIDList?) -> ErrantEventMatcher {
        switch self {
        case .mysql(let set): .mysql(set)
        case .mariadb(let list):
            .mariadb(ErrantGTID.MariaDBErrantRanges(errant: list, masterPosition: masterPosition ?? MariaDBGTIDList()))
        }
    }
}

/// Tells errant binary-log events (`locate-gtid-errant`) from the others.
public enum ErrantEventMatcher: Sendable, Equatable {
    case mysql(MySQLGTIDSet)
    case mariadb(ErrantGTID.MariaDBErrantRanges)

    /// Whether the event's GTID is one of the errant ones (a MySQL event never matches MariaDB ranges,
    /// nor the other way round).
    public func matches(_ event: ErrantGTID.BinlogEventGTID) -> Bool {
        switch (self, event) {
        case (.mysql(let set), .mysql(let one)): set.contains(one)
        case (.mariadb(let ranges), .mariadb(let gtid)): ranges.contains(gtid)
        default: false
        }
    }
}
