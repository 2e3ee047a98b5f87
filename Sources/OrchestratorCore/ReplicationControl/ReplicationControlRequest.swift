/// The replication-control commands that take only an instance, with upstream's names (API paths
/// `/api/<command>/:host/:port` and orchestrator-client commands).
public enum ReplicationControlCommand: String, CaseIterable, Sendable {
    case startReplica = "start-replica"
    case stopReplica = "stop-replica"
    case stopReplicaNice = "stop-replica-nice"
    case restartReplica = "restart-replica"
    case resetReplica = "reset-replica"
    case detachReplica = "detach-replica"
    case reattachReplica = "reattach-replica"
    case detachReplicaMasterHost = "detach-replica-master-host"
    case reattachReplicaMasterHost = "reattach-replica-master-host"
    case skipQuery = "skip-query"
    case setReadOnly = "set-read-only"
    case setWriteable = "set-writeable"
    case flushBinaryLogs = "flush-binary-logs"
    case enableSemiSyncMaster = "enable-semi-sync-master"
    case disableSemiSyncMaster = "disable-semi-sync-master"
    case enableSemiSyncReplica = "enable-semi-sync-replica"
    case disableSemiSyncReplica = "disable-semi-sync-replica"
}

/// One replication-control request: a plain command, or one of those that take a value.
public enum ReplicationControlRequest: Sendable, Equatable {
    case command(ReplicationControlCommand)
    /// `delay-replication`: `MASTER_DELAY` in seconds (0 removes it).
    case delayReplication(seconds: Int)
    /// `purge-binary-logs`: removes the instance's binary logs before this file.
    case purgeBinaryLogs(to: BinlogFileName)
    /// `change-master-credentials`: the configured replication user and password.
    case changeMasterCredentials

    /// The command's name, as in the API path.
    public var name: String {
        switch self {
        case .command(let c): c.rawValue
        case .delayReplication: "delay-replication"
        case .purgeBinaryLogs: "purge-binary-logs"
        case .changeMasterCredentials: "change-master-credentials"
        }
    }
}

/// What the operator added to a request.
public struct ReplicationControlOptions: Sendable, Equatable {
    /// `?force=true`: run although a safety rule refuses (set-writeable, skip-query, purge-binary-logs).
    public var force: Bool
    /// How long `stop-replica-nice` lets the SQL thread apply its relay log.
    public var niceStopTimeoutSeconds: Double
    /// How long `start-replica` / `restart-replica` wait for both threads to run.
    public var startTimeoutSeconds: Double

    public init(force: Bool = false, niceStopTimeoutSeconds: Double = 10, startTimeoutSeconds: Double = 10) {
        self.force = force
        self.niceStopTimeoutSeconds = niceStopTimeoutSeconds
        self.startTimeoutSeconds = startTimeoutSeconds
    }
}
