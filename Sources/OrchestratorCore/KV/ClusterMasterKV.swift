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
/// `host:port`, and the sub-keys `<prefix><alias>/hostname`, `/port`, `/ipv4` and `/ipv6`. The addresses
/// are the host itself when it is an IP literal, else what the name resolved to (the first IPv4 and the
/// first IPv6 address, in the resolver's order). Unlike upstream, a family without an address is written
/// empty rather than left out, so a previous master's address never survives a change of master.
/// Pure: the publisher in the server decides when and resolves names, this decides what.
public enum ClusterMasterKV {
    /// `<prefix><alias>` (the prefix already ends in "/", as configuration loading normalises it).
    public static func key(prefix: String, clusterAlias: String) -> String { prefix + clusterAlias }

    /// The pairs announcing `master` as the master of `clusterAlias`; none for an empty alias.
    /// `resolved`: the addresses `master.hostname` resolved to (ignored for an IP literal).
    public static func pairs(prefix: String, clusterAlias: String, master: InstanceKey, resolved: [String] = []) -> [KVPair] {
        guard !clusterAlias.isEmpty else { return [] }
        let key = key(prefix: prefix, clusterAlias: clusterAlias)
        let (ipv4, ipv6) = addresses(of: master.hostname, resolved: resolved)
        return [KVPair(key, master.description), KVPair(key + "/hostname", master.hostname),
                KVPair(key + "/port", String(master.port)), KVPair(key + "/ipv4", ipv4 ?? ""),
                KVPair(key + "/ipv6", ipv6 ?? "")]
    }

    /// The IPv4 and IPv6 address to publish for `host`: the host itself when it is a literal, else the
    /// first of each family in `resolved` (entries that are not addresses are skipped).
    public static func addresses(of host: String, resolved: [String]) -> (ipv4: String?, ipv6: String?) {
        if isIPv4(host) { return (host, nil) }
        if isIPv6(host) { return (nil, host) }
        return (resolved.first(where: isIPv4), resolved.first(where: isIPv6))
    }

    /// Whether `host` is a name (to resolve) rather than an IP literal.
    public static func needsResolution(_ host: String) -> Bool { !host.isEmpty && !isIPv4(host) && !isIPv6(host) }

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
    /// `resolved`: host name -> its addresses (names absent from it get empty address sub-keys).
    public static func pairs(prefix: String, masters: [String: InstanceKey], resolved: [String: [String]] = [:]) -> [KVPair] {
        masters.flatMap { pairs(prefix: prefix, clusterAlias: $0.key, master: $0.value, resolved: resolved[$0.value.hostname] ?? []) }
            .sorted { $0.key < $1.key }
    }

    /// What to write to a store that last accepted `written`: everything on a full sync (leadership just
    /// gained, or the periodic re-assertion), else the pairs whose value differs.
    public static func toWrite(_ desired: [KVPair], written: [String: String], full: Bool) -> [KVPair] {
        full ? desired : desired.filter { written[$0.key] != $0.value }
    }

    /// Hex groups and colons (an embedded dotted IPv4 tail allowed), at least two colons; no zone id.
    static func isIPv6(_ host: String) -> Bool {
        guard host.filter({ $0 == ":" }).count >= 2, host.count <= 45 else { return false }
        var groups = host.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if let last = groups.last, last.contains(".") {
            guard isIPv4(last) else { return false }
            groups.removeLast()
        }
        return groups.allSatisfy { group in group.count <= 4 && group.allSatisfy(\.isASCIIHexDigit) }
            && host.ranges(of: "::").count <= 1 && !host.contains(":::")
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
    var isASCIIHexDigit: Bool { isASCIIDigit || ("a"..."f").contains(self) || ("A"..."F").contains(self) }
}
