/// The per-instance facts analysis counts: is the check valid, is replication running, is the replica
/// failing to connect to its master. Pure helpers over `Instance` plus snapshot extras.
enum ReplicaHealth {
    /// MySQL client errors that mean "cannot reach/keep a connection to the server" (CR_CONNECTION_ERROR,
    /// CR_CONN_HOST_ERROR, CR_UNKNOWN_HOST, CR_SERVER_GONE_ERROR, CR_SERVER_LOST, ER_NET_READ_ERROR,
    /// ER_NET_READ_INTERRUPTED, ER_MASTER_NET_READ) as seen in `Last_IO_Errno`.
    static let connectionErrnos: Set<Int> = [2002, 2003, 2005, 2006, 2013, 1158, 1159, 1189]

    /// Upstream's "valid": the last probe succeeded, and (when the attempt time is known) it is not
    /// older than one poll plus `ReasonableInstanceCheckSeconds` before the latest attempt.
    static func isValid(_ instance: Instance, attemptedAt: Timestamp?, settings: AnalysisSettings) -> Bool {
        guard instance.isLastCheckValid else { return false }
        guard let attemptedAt else { return true }
        guard let seen = instance.lastSeenTimestamp else { return false }
        let window = Int64(settings.instancePollSeconds + settings.reasonableInstanceCheckSeconds)
        return attemptedAt <= seen.adding(seconds: window)
    }

    /// Both threads running (upstream "replicating").
    static func isReplicating(_ r: Instance) -> Bool {
        r.replicationIOThreadState.isRunning && r.replicationSQLThreadState.isRunning
    }

    /// IO thread not running (stopped or still connecting) while the SQL thread runs, with a
    /// connection error: upstream's pattern `error %connecting to master` (also matching
    /// "reconnecting" and MySQL 8's "source"), or a connection errno.
    static func isFailingToConnect(_ r: Instance, errno: Int?) -> Bool {
        guard !r.replicationIOThreadState.isRunning, r.replicationSQLThreadState.isRunning else { return false }
        if let errno, connectionErrnos.contains(errno) { return true }
        let text = Substring(r.lastIOError.lowercased())
        guard let error = text.range(of: "error ") else { return false }
        let rest = text[error.upperBound...]
        return rest.contains("connecting to master") || rest.contains("connecting to source")
    }

    /// Seconds of lag as upstream's `slave_lag_seconds`: the prober fills `replicationLagSeconds` with
    /// `ReplicationLagQuery`'s value when one is configured, else with `Seconds_Behind_Master`. Nil
    /// (unknown) stays unknown: falling back to `Seconds_Behind_Master` here would rank candidates by
    /// the number the operator's query exists to replace.
    static func lagSeconds(_ r: Instance) -> Int64? { r.replicationLagSeconds }

    /// `STATEMENT` < `MIXED` < `ROW`: upstream's order for binlog formats.
    static func binlogFormatRank(_ format: String) -> Int {
        switch format.uppercased() {
        case "STATEMENT": return 0
        case "MIXED": return 1
        case "ROW": return 2
        default: return 3
        }
    }
}
