/// How far a replica has applied its master's stream, on the basis all compared replicas share.
///
/// - MySQL: `gtid_executed` minus the replica's errant GTIDs (they did not come from the master).
/// - MariaDB: `gtid_slave_pos` (what arrived through replication; local writes show only in
///   `gtid_current_pos`), falling back to `gtid_current_pos`, minus errant entries.
/// - Neither: `ExecBinlogCoordinates`, comparable only among replicas of the same master.
public enum ReplicationPosition: Sendable, Hashable, CustomStringConvertible {
    case mysql(MySQLGTIDSet)
    case mariadb(MariaDBGTIDList)
    case coordinates(BinlogCoordinates)
    case unknown

    /// The basis shared by `instances`: MySQL GTID if all have `gtid_executed`, else MariaDB GTID if
    /// all have a MariaDB position, else coordinates if all replicate from one master.
    public static func basis(of instances: [Instance]) -> ReplicaProgress.Basis {
        guard !instances.isEmpty else { return .none }
        if instances.allSatisfy({ $0.executedGTIDSet != nil }) { return .mysqlGTID }
        if instances.allSatisfy({ $0.gtidSlavePosition != nil || $0.gtidCurrentPosition != nil }) { return .mariaDBGTID }
        if Set(instances.map(\.masterKey)).count == 1, instances.allSatisfy({ !$0.execBinlogCoordinates.isEmpty }) {
            return .binlogCoordinates
        }
        return .none
    }

    /// `instance`'s position on `basis`.
    public init(_ instance: Instance, basis: ReplicaProgress.Basis) {
        switch basis {
        case .mysqlGTID:
            guard let executed = instance.executedGTIDSet else { self = .unknown; return }
            let errant = (try? MySQLGTIDSet(parsing: instance.gtidErrant)) ?? MySQLGTIDSet()
            self = .mysql(executed.subtracting(errant))
        case .mariaDBGTID:
            guard let pos = instance.gtidSlavePosition ?? instance.gtidCurrentPosition else { self = .unknown; return }
            let errant = Set(((try? MariaDBGTIDList(parsing: instance.gtidErrant)) ?? MariaDBGTIDList()).entries)
            self = .mariadb(MariaDBGTIDList(pos.entries.filter { !errant.contains($0) }).position)
        case .binlogCoordinates:
            self = instance.execBinlogCoordinates.isEmpty ? .unknown : .coordinates(instance.execBinlogCoordinates)
        case .none:
            self = .unknown
        }
    }

    public var description: String {
        switch self {
        case .mysql(let set): return set.description
        case .mariadb(let list): return list.description
        case .coordinates(let c): return c.description
        case .unknown: return "unknown"
        }
    }

    /// How `self` relates to `other` (`.incomparable` across bases or when unknown).
    public func compare(to other: ReplicationPosition) -> GTIDOrder {
        switch (self, other) {
        case (.mysql(let a), .mysql(let b)): return a.compare(to: b)
        case (.mariadb(let a), .mariadb(let b)): return a.compare(to: b)
        case (.coordinates(let a), .coordinates(let b)): return a == b ? .equal : (a < b ? .behind : .ahead)
        default: return .incomparable
        }
    }

    /// Everything in either position (the most advanced point both lead to).
    public func union(_ other: ReplicationPosition) -> ReplicationPosition {
        switch (self, other) {
        case (.mysql(let a), .mysql(let b)): return .mysql(a.union(b))
        case (.mariadb(let a), .mariadb(let b)): return .mariadb(a.union(b).position)
        case (.coordinates(let a), .coordinates(let b)): return .coordinates(max(a, b))
        case (.unknown, _): return other
        default: return self
        }
    }

    /// What `reference` has that `self` lacks: the transactions lost if `self` became the master.
    /// Text ("" when nothing) and a count (MySQL: transactions; MariaDB: sequence numbers summed over
    /// domains; coordinates: 1 when behind, as bytes are not transactions).
    public func missing(relativeTo reference: ReplicationPosition) -> (text: String, count: UInt64) {
        switch (self, reference) {
        case (.mysql(let mine), .mysql(let ref)):
            let diff = ref.subtracting(mine)
            return (diff.description, diff.transactionCount)
        case (.mariadb(let mine), .mariadb(let ref)):
            let diff = ref.subtracting(mine)
            let count = diff.domains.reduce(UInt64(0)) { sum, d in
                sum + (diff.sequence(inDomain: d) - min(diff.sequence(inDomain: d), mine.sequence(inDomain: d)))
            }
            return (diff.position.description, count)
        case (.coordinates(let mine), .coordinates(let ref)):
            return mine < ref ? ("events after \(mine) up to \(ref)", 1) : ("", 0)
        case (.unknown, .unknown):
            return ("", 0)
        default:
            return ("everything: no comparable position", UInt64.max)
        }
    }
}
