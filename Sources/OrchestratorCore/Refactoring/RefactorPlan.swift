/// How a moved replica finds its position on the new master.
public enum RefactorPositioning: Sendable, Equatable, Codable, CustomStringConvertible {
    /// MariaDB `MASTER_USE_GTID=slave_pos` (a replica continues from what it replicated).
    case mariadbSlavePos
    /// MariaDB `MASTER_USE_GTID=current_pos` (a former master: its own writes count too).
    case mariadbCurrentPos
    /// MySQL `MASTER_AUTO_POSITION=1`.
    case mysqlAutoPosition
    /// The instance's own executed coordinates on the same master (re-pointing to the master it already
    /// replicates from: provably the same position).
    case coordinates(file: String, position: Int64)

    public var description: String {
        switch self {
        case .mariadbSlavePos: "MariaDB GTID (slave_pos)"
        case .mariadbCurrentPos: "MariaDB GTID (current_pos)"
        case .mysqlAutoPosition: "MySQL GTID auto-position"
        case .coordinates(let file, let position): "binlog coordinates \(file):\(position)"
        }
    }

    public var isGTID: Bool {
        if case .coordinates = self { return false }
        return true
    }
}

/// One step of a refactoring, run in order by the executor.
public enum RefactorStep: Sendable, Equatable, CustomStringConvertible {
    /// `STOP SLAVE`: freezes the instance's position before anything reads or repoints it.
    case stopReplication(InstanceKey)
    /// Wait until `replica` has applied everything `source` has now (`source` is stopped, so its
    /// position is final): a replica never connects to a master that lacks part of its data.
    case waitUntilCaughtUp(InstanceKey, with: InstanceKey)
    /// `CHANGE MASTER TO` the new master.
    case changeMaster(InstanceKey, to: InstanceKey, positioning: RefactorPositioning)
    /// `START SLAVE`.
    case startReplication(InstanceKey)
    /// Wait until both threads run under the new master (or report why not).
    case waitUntilReplicating(InstanceKey, from: InstanceKey)

    public var description: String {
        switch self {
        case .stopReplication(let k): "stop replication on \(k)"
        case .waitUntilCaughtUp(let k, let source): "wait until \(k) has applied everything \(source) has"
        case .changeMaster(let k, let m, let p): "point \(k) at \(m) by \(p)"
        case .startReplication(let k): "start replication on \(k)"
        case .waitUntilReplicating(let k, let m): "wait until \(k) replicates from \(m) (both threads running)"
        }
    }

    /// Whether the step changes a server (the executor confirms Raft leadership first).
    public var changesMySQL: Bool {
        switch self {
        case .stopReplication, .changeMaster, .startReplication: return true
        case .waitUntilCaughtUp, .waitUntilReplicating: return false
        }
    }
}

/// One instance changing masters.
public struct RefactorMove: Sendable, Equatable {
    public var instance: InstanceKey
    /// Its master before the move (nil for a top master, e.g. in `make-co-master`).
    public var from: InstanceKey?
    public var to: InstanceKey
    public var positioning: RefactorPositioning

    public init(instance: InstanceKey, from: InstanceKey?, to: InstanceKey, positioning: RefactorPositioning) {
        self.instance = instance
        self.from = from
        self.to = to
        self.positioning = positioning
    }
}

/// What the planner decided: the moves, the ordered steps that perform them, and what it left alone.
public struct RefactorPlan: Sendable, Equatable {
    public var request: RefactorRequest
    /// The instances changing masters, in the order they move.
    public var moves: [RefactorMove]
    public var steps: [RefactorStep]
    /// Replicas a multi-replica command leaves where they are, with the reason.
    public var skipped: [(key: InstanceKey, reason: String)]
    /// Why nothing needs doing (the instance is already there): a successful no-op.
    public var noopReason: String?

    public init(request: RefactorRequest, moves: [RefactorMove] = [], steps: [RefactorStep] = [],
                skipped: [(key: InstanceKey, reason: String)] = [], noopReason: String? = nil) {
        self.request = request
        self.moves = moves
        self.steps = steps
        self.skipped = skipped
        self.noopReason = noopReason
    }

    public var isNoop: Bool { moves.isEmpty }

    /// Every instance the plan touches (for re-probing afterwards).
    public var touched: [InstanceKey] {
        var keys: [InstanceKey] = []
        for move in moves {
            for k in [move.instance, move.to] + (move.from.map { [$0] } ?? []) where !keys.contains(k) { keys.append(k) }
        }
        return keys
    }

    /// Human-readable lines: the moves, the steps, what was skipped.
    public var explain: [String] {
        var lines: [String] = []
        if let noopReason { lines.append("nothing to do: \(noopReason)") }
        for move in moves {
            lines.append("move \(move.instance) from \(move.from?.description ?? "(no master)") to \(move.to) by \(move.positioning)")
        }
        for (i, step) in steps.enumerated() { lines.append("step \(i + 1): \(step)") }
        for (key, reason) in skipped { lines.append("skip \(key): \(reason)") }
        return lines
    }

    public static func == (a: RefactorPlan, b: RefactorPlan) -> Bool {
        a.request == b.request && a.moves == b.moves && a.steps == b.steps && a.noopReason == b.noopReason
            && a.skipped.map(\.key) == b.skipped.map(\.key) && a.skipped.map(\.reason) == b.skipped.map(\.reason)
    }
}

/// A refused refactoring: nothing was (or will be) changed.
public struct RefactorRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The request names an unknown instance or is malformed.
        case invalid
        /// A safety rule forbids the move.
        case unsafe
        /// An instance is locked by an operator (maintenance, or downtime for automation).
        case locked
        /// An instance cannot be reached (last check invalid).
        case unreachable
    }

    public var kind: Kind
    public var reason: String

    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String { reason }
}
