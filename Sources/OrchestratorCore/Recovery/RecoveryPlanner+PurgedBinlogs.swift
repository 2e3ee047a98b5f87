/// MariaDB's purged-binlog rule in failover: a replica behind the start of the successor's oldest
/// binary log cannot be repointed to it (the successor no longer has the events it lacks), so it is
/// lost rather than left with a broken IO thread (MariaDB error 1236).
extension RecoveryPlanner {
    /// Why `position` cannot be served by `successor`, or nil when it can or when unknown (nothing is
    /// claimed without the successor's `oldestBinlogGTIDPosition`).
    static func purgedBinlogsReason(_ position: ReplicationPosition, successor: Instance) -> String? {
        guard case .mariadb(let mine) = position, let start = successor.oldestBinlogGTIDStart else { return nil }
        for domain in start.domains {
            let needed = start.sequence(inDomain: domain)
            guard needed > 0, mine.sequence(inDomain: domain) < needed, let oldest = start.latest(inDomain: domain) else { continue }
            let at = mine.latest(inDomain: domain).map { "\($0)" } ?? "nothing"
            return "lost: \(successor.key) has purged binary logs it needs (GTID domain \(domain): it is at \(at), "
                + "the oldest binary log on \(successor.key) starts after \(oldest)); re-clone it"
        }
        return nil
    }
}
