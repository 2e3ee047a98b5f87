/// MariaDB's purged-binlog rule. MariaDB has no `gtid_purged`; the probe reads instead the GTID
/// position the target's oldest remaining binary log starts at (`oldestBinlogGTIDPosition`). Events up
/// to that position, domain by domain, are gone from the target, so a replica must already have them.
extension RefactorPlanner {
    /// What a MariaDB `instance` would lack when replicating from `target`: the first domain (ascending)
    /// in which its position is behind the start of the target's oldest binary log. Nil when nothing is
    /// missing, or when either side is not MariaDB or the start is unknown (nothing is claimed then).
    func mariaDBPurgedGap(_ instance: Instance, from target: Instance) -> MariaDBPurgedGap? {
        guard instance.isMariaDB, target.isMariaDB, let start = target.oldestBinlogGTIDStart else { return nil }
        let (position, variable) = mariaDBRequestedPosition(instance, from: target)
        return MariaDBPurgedGap.first(in: position, before: start, variable: variable)
    }

    /// The position `instance` would ask `target` for (the one `gtidPositioning` chooses), with the
    /// name of the variable it comes from. An empty variable is the empty position: from the start.
    func mariaDBRequestedPosition(_ instance: Instance, from target: Instance) -> (MariaDBGTIDList, String) {
        if case .mariadbSlavePos? = try? gtidPositioning(instance, from: target) {
            return (instance.gtidSlavePosition ?? MariaDBGTIDList(), "gtid_slave_pos")
        }
        return (instance.gtidCurrentPosition ?? MariaDBGTIDList(), "gtid_current_pos")
    }

    /// The refusal for `gap`: names the target, the domain, both positions and the ways out.
    func purgedRefusal(_ instance: Instance, from target: Instance, _ gap: MariaDBPurgedGap) -> RefactorRefusal {
        let (i, t) = (instance.key, target.key)
        let mine = gap.replicaPosition.map { "\($0)" } ?? "nothing"
        return RefactorRefusal(.unsafe, "\(t) has purged binary logs \(i) still needs: in GTID domain \(gap.domain), "
            + "\(i) is at \(mine) (\(gap.variable)) but the oldest binary log on \(t) starts after \(gap.oldestAvailable); "
            + "nothing was changed: re-clone \(i) from a backup of \(t), or move it below a server that still has "
            + "those binary logs")
    }
}

/// A MariaDB replica behind the oldest binary log of the server it would replicate from.
struct MariaDBPurgedGap: Sendable, Equatable {
    /// The GTID domain in which events are missing.
    var domain: UInt32
    /// The replica's latest GTID in that domain (nil: it has none of the domain).
    var replicaPosition: MariaDBGTID?
    /// `gtid_slave_pos` or `gtid_current_pos`: which of the replica's positions was compared.
    var variable: String
    /// The last purged GTID of the domain: the oldest binary log holds what follows it.
    var oldestAvailable: MariaDBGTID
}

extension MariaDBPurgedGap {
    /// The first GTID domain (ascending) in which `position` is behind `start`, the GTID position a
    /// server's oldest binary log starts at; nil when nothing is missing. The one rule both the
    /// refactor and the recovery planners apply. `variable` names where `position` came from.
    static func first(in position: MariaDBGTIDList, before start: MariaDBGTIDList, variable: String = "") -> MariaDBPurgedGap? {
        for domain in start.domains {
            let needed = start.sequence(inDomain: domain)
            // Nothing of the domain was ever written before the oldest file: nothing of it is purged.
            guard needed > 0, position.sequence(inDomain: domain) < needed, let oldest = start.latest(inDomain: domain) else { continue }
            return MariaDBPurgedGap(domain: domain, replicaPosition: position.latest(inDomain: domain), variable: variable,
                                    oldestAvailable: oldest)
        }
        return nil
    }
}
