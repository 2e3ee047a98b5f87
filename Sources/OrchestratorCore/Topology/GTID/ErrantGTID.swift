/// Errant-GTID detection: transactions a replica has that did not come to it through its master.
/// They surface (and break replication) once that replica is promoted, so recovery and analysis flag
/// them.
public enum ErrantGTID {
    // MARK: - MySQL

    /// Upstream orchestrator's rule. From the replica's `gtid_executed`, drop the UUIDs of its ancestors
    /// (`AncestryUUID`, the servers above it; their transactions arrive via the master by construction),
    /// except the replica's own UUID, which is dropped too when the replica is a co-master (its
    /// co-master may simply not have applied its latest writes yet). From the master's `gtid_executed`,
    /// drop the master's own UUID (it keeps writing; the two reads are not simultaneous). Errant is the
    /// first minus the second.
    ///
    /// - Parameters:
    ///   - replicaExecuted: the replica's `@@gtid_executed`.
    ///   - masterExecuted: its master's `@@gtid_executed`.
    ///   - replicaUUID: the replica's `@@server_uuid`.
    ///   - masterUUID: the master's `@@server_uuid`.
    ///   - ancestryUUIDs: UUIDs of the replica's ancestors (master, its master, ...); may include the
    ///     replica's own UUID, as upstream's AncestryUUID does.
    ///   - isCoMaster: whether the replica is one of a co-master pair.
    public static func mysql(
        replicaExecuted: MySQLGTIDSet,
        masterExecuted: MySQLGTIDSet,
        replicaUUID: String,
        masterUUID: String,
        ancestryUUIDs: [String],
        isCoMaster: Bool = false
    ) -> MySQLGTIDSet {
        var redactedReplica = replicaExecuted
        let own = replicaUUID.lowercased()
        for uuid in ancestryUUIDs.map({ $0.lowercased() }) where !uuid.isEmpty {
            if uuid != own || isCoMaster { redactedReplica = redactedReplica.removingUUID(uuid) }
        }
        if isCoMaster, !own.isEmpty { redactedReplica = redactedReplica.removingUUID(own) }
        guard !redactedReplica.isEmpty else { return MySQLGTIDSet() }
        let redactedMaster = masterExecuted.removingUUID(masterUUID)
        return redactedReplica.subtracting(redactedMaster)
    }

    // MARK: - MariaDB

    /// Our rule for MariaDB, whose positions keep only the latest event per domain (no ranges).
    ///
    /// A replica entry `d-s-n` (from `gtid_binlog_state` when available, else `gtid_binlog_pos` or
    /// `gtid_current_pos`) is errant when both hold:
    /// 1. the master has not reached it: the master has no domain `d`, or its highest sequence in `d`
    ///    is below `n`; and
    /// 2. server `s` is not in the master's lineage: not the master itself, not a server whose events
    ///    appear in the master's position, and not one of `lineageServerIDs` (extra ancestors the caller
    ///    knows of).
    ///
    /// The replica's own server id never counts as lineage (its own writes are the classic errant
    /// transactions, even when the master's position happens to show an old event of it), except
    /// for a co-master, whose own writes flow to the other co-master and may simply not have arrived
    /// yet (upstream's co-master exception).
    ///
    /// Rule 2 keeps a replica that merely read newer master events than our (earlier) master snapshot
    /// from being flagged. An errant event is typically one written on the replica itself (server id =
    /// the replica's) or one left from a former topology (a domain the master never saw). Limitation:
    /// once the master's sequence in that domain passes `n`, the errant event can no longer be told
    /// apart from positions alone.
    public static func mariadb(
        replicaPosition: MariaDBGTIDList,
        masterPosition: MariaDBGTIDList,
        masterServerID: UInt32,
        replicaServerID: UInt32? = nil,
        isCoMaster: Bool = false,
        lineageServerIDs: Set<UInt32> = []
    ) -> MariaDBGTIDList {
        var lineage = lineageServerIDs
        lineage.insert(masterServerID)
        for entry in masterPosition.entries { lineage.insert(entry.serverID) }
        if let replicaServerID, replicaServerID != masterServerID {
            if isCoMaster { lineage.insert(replicaServerID) } else { lineage.remove(replicaServerID) }
        }
        return MariaDBGTIDList(replicaPosition.subtracting(masterPosition).entries.filter {
            !lineage.contains($0.serverID)
        })
    }
}
