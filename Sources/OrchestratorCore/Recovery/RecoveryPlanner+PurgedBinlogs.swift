/// MariaDB's purged-binlog rule in recovery: a replica behind the start of a server's oldest binary
/// log cannot replicate from it (the server no longer has the events it lacks; MariaDB error 1236).
/// Failover loses such a replica rather than leave it with a broken IO thread, a dead intermediate
/// master's replica goes to another parent, and a donor that lacks them does not catch the successor up.
extension RecoveryPlanner {
    /// What `position` lacks on `server`, or nil when nothing is missing or when unknown (nothing is
    /// claimed without the server's `oldestBinlogGTIDPosition`, nor for a non-MariaDB position).
    static func purgedGap(_ position: ReplicationPosition, on server: Instance) -> MariaDBPurgedGap? {
        guard case .mariadb(let mine) = position, let start = server.oldestBinlogGTIDStart else { return nil }
        return MariaDBPurgedGap.first(in: mine, before: start)
    }

    /// Why `position` cannot be served by `successor` (a replica's "lost:" reason), or nil when it can.
    static func purgedBinlogsReason(_ position: ReplicationPosition, successor: Instance) -> String? {
        purgedGap(position, on: successor).map {
            "lost: \(successor.key) has purged binary logs it needs (\(gapText($0, replica: "it", server: successor.key))); re-clone it"
        }
    }

    /// Why `server` cannot serve `replica` at `position`, naming both, or nil when it can.
    static func purgedBinlogsReason(_ position: ReplicationPosition, of replica: InstanceKey, on server: Instance) -> String? {
        purgedGap(position, on: server).map {
            "\(server.key) has purged binary logs \(replica) needs (\(gapText($0, replica: replica.description, server: server.key)))"
        }
    }

    private static func gapText(_ gap: MariaDBPurgedGap, replica: String, server: InstanceKey) -> String {
        let at = gap.replicaPosition.map { "\($0)" } ?? "nothing"
        return "GTID domain \(gap.domain): \(replica) is at \(at), the oldest binary log on \(server) starts after \(gap.oldestAvailable)"
    }
}
