/// One step of a replication-control plan, run in order on the plan's instance.
public enum ReplicationControlStep: Sendable, Equatable, CustomStringConvertible {
    case startReplication
    case stopReplication
    /// Stop the IO thread, let the SQL thread apply the relay log (bounded), then stop replication.
    case stopReplicationNicely(timeoutSeconds: Double)
    case restartReplication
    /// `RESET SLAVE` (master settings kept).
    case resetReplica
    case detachMasterHost
    case reattachMasterHost
    /// Skip the transaction the SQL thread fails on, then start replication.
    case skipQuery
    case setReadOnly(Bool)
    case flushBinaryLogs
    case purgeBinaryLogs(to: BinlogFileName)
    case setSemiSyncMaster(enabled: Bool)
    /// The replica side takes effect when the IO thread reconnects: `restartIOThread` applies it now.
    case setSemiSyncReplica(enabled: Bool, restartIOThread: Bool)
    case setReplicationDelay(seconds: Int)
    case changeMasterCredentials
    /// Wait (bounded) until both threads run; the outcome is judged by ``ReplicationStartOutcome``.
    case awaitReplicating(timeoutSeconds: Double)

    public var description: String {
        switch self {
        case .startReplication: "start replication"
        case .stopReplication: "stop replication"
        case .stopReplicationNicely(let t): "stop the IO thread, let the SQL thread apply the relay log (up to \(t)s), stop replication"
        case .restartReplication: "stop and start replication"
        case .resetReplica: "reset the replica (relay logs removed, master settings kept)"
        case .detachMasterHost: "detach the master host"
        case .reattachMasterHost: "reattach the master host"
        case .skipQuery: "skip the failing transaction and start replication"
        case .setReadOnly(let on): on ? "set read_only" : "clear read_only"
        case .flushBinaryLogs: "flush binary logs"
        case .purgeBinaryLogs(let file): "purge binary logs before \(file)"
        case .setSemiSyncMaster(let on): "\(on ? "enable" : "disable") semi-sync master"
        case .setSemiSyncReplica(let on, let restart):
            "\(on ? "enable" : "disable") semi-sync replica" + (restart ? ", restarting the IO thread" : "")
        case .setReplicationDelay(let s): "set the replication delay to \(s)s"
        case .changeMasterCredentials: "apply the configured replication credentials"
        case .awaitReplicating(let t): "wait up to \(t)s until both replication threads run"
        }
    }
}

/// What ``ReplicationControlPlanner`` decided: the steps to run on one instance and how to say it
/// went well.
public struct ReplicationControlPlan: Sendable, Equatable {
    public var request: ReplicationControlRequest
    public var instance: InstanceKey
    public var steps: [ReplicationControlStep]
    /// The answer's opening words when every step succeeded, e.g. `Replica started`.
    public var done: String

    public init(request: ReplicationControlRequest, instance: InstanceKey, steps: [ReplicationControlStep], done: String) {
        self.request = request
        self.instance = instance
        self.steps = steps
        self.done = done
    }
}

/// A refused replication-control request: nothing was changed. The message says why and what to do
/// instead.
public struct ReplicationControlRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The command needs a replica and `SHOW SLAVE STATUS` is empty.
        case notAReplica
        /// A safety rule forbids it now (some can be overridden with `?force=true`).
        case unsafe
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
