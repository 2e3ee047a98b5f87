/// One key and its value, as published to a key-value store (etcd, ZooKeeper).
public struct KVPair: Sendable, Hashable, CustomStringConvertible {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    public var description: String { "\(key)=\(value)" }
}

/// Which keys announce a cluster's master to applications, in upstream's layout: `<prefix><alias>` holds
/// `host:port`, and the sub-keys `<prefix><alias>/hostname`, `/port` and, when the host is an IP
/// literal, `/ipv4` or `/ipv6`. Pure: the publisher in the server decides when, this decides what.
public enum ClusterMasterKV {
    /// `<prefix><alias>` (the prefix already ends in "/", as configuration loading normalises it).
    public static func key(prefix: String, clusterAlias: String) -> String { prefix + clusterAlias }

    /// The pairs announcing `master` as the master of `clusterAlias`; none for an empty alias.
    public static func pairs(prefix: String, clusterAlias: String, master: InstanceKey) -> [KVPair] {
        guard !clusterAlias.isEmpty else { return [] }
        let key = key(prefix: prefix, clusterAlias: clusterAlias)
        var pairs = [KVPair(key, master.description), KVPair(key + "/hostname", master.hostname),
                     KVPair(key + "/port", String(master.port))]
        // Upstream resolves the name for these; orchd does no resolution (names stay as operators gave
        // them), so only a literal address yields one.
        if isIPv4(master.hostname) {
            pairs.append(KVPair(key + "/ipv4", master.hostname))
        } else if master.hostname.contains(":") {
            pairs.append(KVPair(key + "/ipv6", master.hostname))
        }
        return pairs
    }

    /// The master every cluster alias should announce now: per alias, the cluster whose master answers
    /// (several clusters carry one alias for a while after a failover: the dead old master still reports
    /// it), then the larger one. Aliases whose best master does not answer are left out: a store keeps
    /// its last value rather than learn a dead master. `pinned` (alias -> master, from recoveries this
    /// node just ran) wins over the inventory, which may not have caught up yet.
    public static func masters(in inventory: Inventory, pinned: [String: InstanceKey] = [:]) -> [String: InstanceKey] {
        var best: [String: (key: InstanceKey, rank: (Int, Int))] = [:]
        for cluster in inventory.grouping.clusters {
            guard cluster.masterKnown, let masterKey = cluster.masterKey, !cluster.clusterAlias.isEmpty,
                  let master = inventory.instance(masterKey) else { continue }
            let rank = (master.isLastCheckValid ? 1 : 0, cluster.members.count)
            if let current = best[cluster.clusterAlias], current.rank >= rank { continue }
            best[cluster.clusterAlias] = (masterKey, rank)
        }
        var masters = best.filter { $0.value.rank.0 == 1 }.mapValues(\.key)
        for (alias, key) in pinned { masters[alias] = key }
        return masters
    }

    /// Every pair for `masters`, sorted by key (a stable order for writes and tests).
    public static func pairs(prefix: String, masters: [String: InstanceKey]) -> [KVPair] {
        masters.flatMap { pairs(prefix: prefix, clusterAlias: $0.key, master: $0.value) }.sorted { $0.key < $1.key }
    }

    /// What to write to a store that last accepted `written`: everything on a full sync (leadership just
    /// gained, or the periodic re-assertion), else the pairs whose value differs.
    public static func toWrite(_ desired: [KVPair], written: [String: String], full: Bool) -> [KVPair] {
        full ? desired : desired.filter { written[$0.key] != $0.value }
    }

    static func isIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit) && Int(part)! <= 255
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
