/// One step of an errant-GTID repair, run in order.
public enum ErrantGTIDRepairStep: Sendable, Equatable, CustomStringConvertible {
    /// MySQL: the master commits one empty transaction under each GTID.
    case injectEmptyTransactions(master: InstanceKey, gtids: [String])
    /// MariaDB: the master binlogs a no-op under each errant `d-s-n` (re-checked against its
    /// `gtid_binlog_state` when run).
    case injectMariaDBNoops(master: InstanceKey, errant: MariaDBGTIDList)
    /// Wait (bounded) until `replica` has applied everything `source` has now: the injected no-ops
    /// reached it. Not reaching it is reported, not a failure (replication may be stopped).
    case awaitCaughtUp(replica: InstanceKey, with: InstanceKey, timeoutSeconds: Double)
    /// MySQL: on the replica, `RESET MASTER` and `gtid_purged` = executed minus `errant` (replication
    /// stopped around it when running).
    case resetMasterRemovingErrant(InstanceKey, errant: MySQLGTIDSet)

    public var description: String {
        switch self {
        case .injectEmptyTransactions(let m, let gtids): "inject \(gtids.count) empty transactions on \(m)"
        case .injectMariaDBNoops(let m, let errant): "binlog a no-op under each of \(errant) on \(m)"
        case .awaitCaughtUp(let r, let s, let t): "wait up to \(t)s until \(r) has applied everything \(s) has"
        case .resetMasterRemovingErrant(let k, let errant): "RESET MASTER on \(k), keeping gtid_executed minus \(errant)"
        }
    }

    /// Whether the step only waits (a dry run skips it).
    public var isWait: Bool {
        if case .awaitCaughtUp = self { return true }
        return false
    }
}

/// What ``ErrantGTIDPlanner`` decided for a repair.
public struct ErrantGTIDRepairPlan: Sendable, Equatable {
    /// `gtid-errant-inject-empty` or `gtid-errant-reset-master`.
    public var command: String
    /// The instance with the errant GTIDs.
    public var instance: InstanceKey
    public var errant: ErrantGTIDs
    /// Where the changing statements run: the cluster master (inject) or the instance (reset-master).
    public var runsOn: InstanceKey
    public var steps: [ErrantGTIDRepairStep]

    public init(command: String, instance: InstanceKey, errant: ErrantGTIDs, runsOn: InstanceKey, steps: [ErrantGTIDRepairStep]) {
        self.command = command
        self.instance = instance
        self.errant = errant
        self.runsOn = runsOn
        self.steps = steps
    }
}

/// What ``ErrantGTIDPlanner/locate(_:inventory:)`` decided: the errant GTIDs and how to recognise
/// their events in the instance's binary logs.
public struct ErrantGTIDLocatePlan: Sendable, Equatable {
    public var instance: InstanceKey
    public var errant: ErrantGTIDs
    public var matcher: ErrantEventMatcher

    public init(instance: InstanceKey, errant: ErrantGTIDs, matcher: ErrantEventMatcher) {
        self.instance = instance
        self.errant = errant
        self.matcher = matcher
    }
}

/// A refused errant-GTID command: nothing was changed. The message says why and what to do instead.
public struct ErrantGTIDRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The instance has no errant GTIDs (upstream refuses too: scripts rely on it).
        case noErrantGTID
        /// The repair is not safe now (replicas that need the binary logs, no reachable master, ...).
        case unsafe
        /// The server cannot do this repair (reset-master on MariaDB).
        case unsupported
        /// `GtidErrant` does not parse in the server's flavour.
        case unreadable
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
