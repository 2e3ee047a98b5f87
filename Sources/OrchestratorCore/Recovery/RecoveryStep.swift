/// How far a server must have applied before a step continues.
public enum RecoveryPosition: Sendable, Hashable, CustomStringConvertible {
    /// Everything already in its relay log (the IO thread is stopped first).
    case relayLogEnd
    /// A GTID position known now (MySQL set or MariaDB list, as text).
    case gtid(String)
    /// The named server's own position, read when the step runs (graceful takeover: the master's
    /// position after it turned read-only).
    case positionOf(InstanceKey)

    public var description: String {
        switch self {
        case .relayLogEnd: return "the end of its relay log"
        case .gtid(let text): return "GTID \(text)"
        case .positionOf(let key): return "the current position of \(key)"
        }
    }
}

/// One action of a recovery plan, in the order the executor runs them. MySQL-changing steps are
/// preceded by a leadership check in the executor.
public enum RecoveryStep: Sendable, Hashable, CustomStringConvertible {
    /// `STOP SLAVE IO_THREAD` on each (so relay logs stop growing and positions freeze), best effort on
    /// each replica.
    case stopReplication([InstanceKey])
    /// Wait until `key` applied up to `upTo` (MariaDB: `gtid_slave_pos` / `MASTER_GTID_WAIT`; MySQL:
    /// `WAIT_FOR_EXECUTED_GTID_SET`; relay log end: SQL thread idle with exec == read coordinates).
    case waitUntilApplied(InstanceKey, upTo: RecoveryPosition)
    /// Let `key` replicate from `from` (GTID) until it has `upTo`, then stop: the candidate fetches the
    /// transactions only a more advanced, non-promotable replica has.
    case catchUp(InstanceKey, from: InstanceKey, upTo: RecoveryPosition)
    /// `STOP SLAVE; RESET SLAVE ALL` and, when `setWritable`, `SET GLOBAL read_only=0`.
    case promote(InstanceKey, setWritable: Bool)
    /// `CHANGE MASTER TO` the new master using GTID (MariaDB `MASTER_USE_GTID=slave_pos`, or
    /// `current_pos` for a former master; MySQL `MASTER_AUTO_POSITION=1`), then start replication when
    /// `start`.
    case repoint(InstanceKey, to: InstanceKey, start: Bool)
    /// `SET GLOBAL read_only=1` on the failed master if it answers (best effort; failure is recorded,
    /// not fatal).
    case fenceOldMaster(InstanceKey)
    /// `SET GLOBAL read_only=1`, required (graceful takeover).
    case setReadOnly(InstanceKey)
    /// `SET GLOBAL read_only=0`, required (a master left read-only, `RecoverNonWriteableMaster`).
    case setWritable(InstanceKey)
    /// `START SLAVE`.
    case startReplication(InstanceKey)
    /// `RESET SLAVE ALL`-style detach of a replica that cannot follow the new master, so it does not
    /// reconnect to the old one.
    case detach(InstanceKey)
    /// Replicated downtime for `seconds` (always bounded).
    case downtime(InstanceKey, reason: String, seconds: Int64)
    /// Lift a replicated downtime (the successor must not inherit one).
    case endDowntime(InstanceKey)

    /// Short name for audit records (`write-recovery-step`).
    public var name: String {
        switch self {
        case .stopReplication: return "stop-replication"
        case .waitUntilApplied: return "wait-until-applied"
        case .catchUp: return "catch-up"
        case .promote: return "promote"
        case .repoint: return "repoint"
        case .fenceOldMaster: return "fence-old-master"
        case .setReadOnly: return "set-read-only"
        case .setWritable: return "set-writeable"
        case .startReplication: return "start-replication"
        case .detach: return "detach"
        case .downtime: return "downtime"
        case .endDowntime: return "end-downtime"
        }
    }

    /// True when a failure of this step does not abort the recovery.
    public var isBestEffort: Bool {
        switch self {
        case .stopReplication, .fenceOldMaster, .detach, .downtime, .endDowntime: return true
        default: return false
        }
    }

    /// The servers this step touches (MySQL) or annotates (downtime).
    public var instanceKeys: [InstanceKey] {
        switch self {
        case .stopReplication(let keys): return keys
        case .waitUntilApplied(let k, _), .promote(let k, _), .fenceOldMaster(let k), .setReadOnly(let k),
             .setWritable(let k), .startReplication(let k), .detach(let k), .downtime(let k, _, _), .endDowntime(let k):
            return [k]
        case .catchUp(let k, let from, _): return [k, from]
        case .repoint(let k, let to, _): return [k, to]
        }
    }

    public var description: String {
        switch self {
        case .stopReplication(let keys): return "stop replication IO threads on \(keys.map(\.description).joined(separator: ", "))"
        case .waitUntilApplied(let k, let pos): return "wait until \(k) has applied \(pos)"
        case .catchUp(let k, let from, let pos): return "let \(k) replicate from \(from) until it has \(pos), then stop"
        case .promote(let k, let writable):
            return "promote \(k): stop slave, reset slave all" + (writable ? ", set read_only=0" : " (read_only left as is)")
        case .repoint(let k, let to, let start): return "repoint \(k) to \(to) via GTID" + (start ? " and start replication" : "")
        case .fenceOldMaster(let k): return "set read_only=1 on \(k) if it answers (fencing)"
        case .setReadOnly(let k): return "set read_only=1 on \(k)"
        case .setWritable(let k): return "set read_only=0 on \(k)"
        case .startReplication(let k): return "start replication on \(k)"
        case .detach(let k): return "detach \(k) from its master"
        case .downtime(let k, let reason, let seconds): return "downtime \(k) for \(seconds)s (\(reason))"
        case .endDowntime(let k): return "end downtime of \(k)"
        }
    }
}
