/// One replication cluster as computed by `ClusterGrouping`.
public struct ClusterSummary: Sendable, Hashable, Codable {
    /// `host:port` of the top master (for a co-master pair: the chosen root; for an unknown master: the
    /// unknown master's key).
    public var clusterName: String
    /// Operator override, else the alias the top master detected, else the cluster name.
    public var clusterAlias: String
    /// The top master, when it is a known instance.
    public var masterKey: InstanceKey?
    /// False when the cluster's top is a master we have no record of (its replicas are known).
    public var masterKnown: Bool
    /// Members sorted by key.
    public var members: [InstanceKey]
    /// Members that replicate in a cycle (co-masters).
    public var coMasters: [InstanceKey]
}

/// Pure cluster grouping over the known instances: who belongs to which cluster, how deep each
/// server sits, which servers are co-masters and who replicates from whom.
///
/// Rules (upstream's where it has one):
/// - Follow each instance's `masterKey` upward. The top is an instance with no master (or itself as
///   master); the cluster name is its `host:port` and its depth is 0; each replica is one deeper than
///   its master.
/// - Unknown master: when a chain ends at a master key that is not among the known instances, the
///   cluster is named after that unknown master's key (the real top of the topology, so the name does
///   not change when the master is discovered later, and replicas of a dead, forgotten master stay
///   together). The unknown master counts as depth 0, so the top known replica has depth 1.
/// - Cycles: servers replicating in a ring (a co-master pair A<->B is a ring of two) are all marked
///   `isCoMaster`. One of them is the root (depth 0, names the cluster): the only writable one
///   (`readOnly == false`) if exactly one is, else the smallest key. Depth then grows along the ring
///   and down to the ring's other replicas, as in upstream where the second co-master has depth 1.
/// - AncestryUUID: the server UUIDs from the top of the known chain down to the instance itself.
/// - Errant GTIDs (when `computeErrantGTIDs`): every instance whose master is known and that has GTID
///   data gets `gtidErrant` = `errantGTIDs(relativeTo: master)` (see `ErrantGTID` for both rules).
/// - Replica lists: each instance's `replicas` becomes the sorted union of the known instances whose
///   master it is and the replicas its own probe reported.
/// - Alias, first that applies: `aliasOverrides[clusterName]` (the operator's replicated override);
///   the root's `suggestedClusterAlias` (its `DetectClusterAliasQuery` result), else the first
///   non-empty suggestion among members in key order; the `clusterNameToAlias` map (config
///   `ClusterNameToAlias`: exact name, else regex; upstream applies it only when nothing was
///   detected); the cluster name. Instances' own `suggestedClusterAlias` values are left as probed.
public struct ClusterGrouping: Sendable {
    /// The instances with `clusterName`, `replicationDepth`, `isCoMaster`, `replicas`, `ancestryUUID` and
    /// (when computed) `gtidErrant` filled in, sorted by key.
    public private(set) var instances: [Instance]
    /// The clusters, sorted by name.
    public private(set) var clusters: [ClusterSummary]

    /// Groups `instances` (keys must be unique; a later duplicate replaces an earlier one).
    public init(instances input: [Instance], aliasOverrides: [String: String] = [:],
                clusterNameToAlias: [String: String] = [:], computeErrantGTIDs: Bool = true) {
        var byKey: [InstanceKey: Instance] = [:]
        byKey.reserveCapacity(input.count)
        for instance in input { byKey[instance.key] = instance }
        // Sorted once, for both passes (10,000 host names are not sorted for free).
        let sortedKeys = byKey.keys.sorted()

        struct Placement { var cluster: String; var depth: Int; var masterKnown: Bool }
        var placed: [InstanceKey: Placement] = [:]
        placed.reserveCapacity(byKey.count)
        var coMasters: Set<InstanceKey> = []

        // Looked up many times per instance: kept apart so that no lookup copies a whole Instance
        // (copies, not logic, were most of the cost of grouping a 10,000-server fleet).
        var masterOf: [InstanceKey: InstanceKey] = [:]
        var uuidOf: [InstanceKey: String] = [:]
        masterOf.reserveCapacity(byKey.count)
        uuidOf.reserveCapacity(byKey.count)
        for (key, instance) in byKey {
            if let mk = instance.masterKey, mk.isValid, mk != key { masterOf[key] = mk }
            if !instance.serverUUID.isEmpty { uuidOf[key] = instance.serverUUID }
        }
        func master(of key: InstanceKey) -> InstanceKey? { masterOf[key] }

        for start in sortedKeys where placed[start] == nil {
            var path: [InstanceKey] = []
            var position: [InstanceKey: Int] = [:]
            var current = start
            // Walk up until something already placed, a top, an unknown master or a cycle. Bounded:
            // each step adds a new key to `path`, and there are finitely many keys.
            while true {
                if placed[current] != nil { break }
                if let index = position[current] {
                    let ring = Array(path[index...])
                    let rootIndex = ClusterGrouping.chooseRingRoot(ring, byKey)
                    let name = ring[rootIndex].displayString
                    for (i, member) in ring.enumerated() {
                        let depth = (rootIndex - i + ring.count) % ring.count
                        placed[member] = Placement(cluster: name, depth: depth, masterKnown: true)
                        coMasters.insert(member)
                    }
                    path.removeSubrange(index...)
                    break
                }
                position[current] = path.count
                path.append(current)
                guard let mk = master(of: current) else {
                    placed[current] = Placement(cluster: current.displayString, depth: 0, masterKnown: true)
                    path.removeLast()
                    break
                }
                guard byKey.index(forKey: mk) != nil else {
                    placed[current] = Placement(cluster: mk.displayString, depth: 1, masterKnown: false)
                    path.removeLast()
                    break
                }
                current = mk
            }
            // Everything left on the path hangs below an already placed master.
            for key in path.reversed() {
                let above = placed[master(of: key)!]!
                placed[key] = Placement(cluster: above.cluster, depth: above.depth + 1, masterKnown: above.masterKnown)
            }
        }

        // `Replicas` as upstream fills it: the replicas connected to the server, which upstream reads
        // only from the server's own probe (SHOW SLAVE HOSTS / binlog dump threads). orchd keeps that
        // list and adds replicas whose own probe shows them connected (reachable, IO thread running),
        // which covers replicas without report_host. A replica that is unreachable, or reachable but
        // not connected, still points at its master (the tree shows it there) but is not listed unless
        // the master itself still reports it: a dead replica is not one the master serves.
        var connectedChildren: [InstanceKey: [InstanceKey]] = [:]
        for (key, child) in byKey {
            guard let mk = master(of: key), byKey.index(forKey: mk) != nil,
                  child.isLastCheckValid, child.replicationIOThreadState.isRunning else { continue }
            connectedChildren[mk, default: []].append(key)
        }

        var result: [Instance] = []
        result.reserveCapacity(byKey.count)
        var membersByCluster: [String: [InstanceKey]] = [:]
        for key in sortedKeys {
            var instance = byKey[key]!
            let placement = placed[key]!
            instance.clusterName = placement.cluster
            instance.replicationDepth = placement.depth
            instance.isCoMaster = coMasters.contains(key)
            // Most servers have no replica: no set to build for them.
            let children = connectedChildren[key] ?? []
            if !children.isEmpty || instance.replicas.count > 1 {
                instance.replicas = Array(Set(instance.replicas).union(children)).sorted()
            }
            instance.ancestryUUID = ClusterGrouping.ancestry(of: key, uuids: uuidOf, master: master)
            result.append(instance)
            membersByCluster[placement.cluster, default: []].append(key)
        }
        // Errant GTIDs need the co-master flags and ancestry computed above, on both sides.
        // Each instance's GTID text is parsed once, though a master is compared with all its replicas;
        // errant GTIDs are filled in place.
        if computeErrantGTIDs {
            var position: [InstanceKey: Int] = [:]
            position.reserveCapacity(result.count)
            for (i, instance) in result.enumerated() { position[instance.key] = i }
            var parsed: [Int: ParsedGTIDs] = [:]
            func gtids(_ i: Int) -> ParsedGTIDs {
                if let known = parsed[i] { return known }
                let fresh = result[i].parsedGTIDs
                parsed[i] = fresh
                return fresh
            }
            for i in result.indices {
                guard let mk = master(of: result[i].key), let m = position[mk] else { continue }
                let mine = gtids(i)
                guard !mine.isEmpty else { continue }
                result[i].gtidErrant = result[i].errantGTIDs(relativeTo: result[m], mine: mine, theirs: gtids(m))
            }
        }
        instances = result

        clusters = membersByCluster.keys.sorted().map { name in
            let members = membersByCluster[name]!
            let root = members.first { placed[$0]!.depth == 0 }
            let detected = root.flatMap { byKey[$0]?.suggestedClusterAlias }.flatMap { $0.isEmpty ? nil : $0 }
                ?? members.lazy.compactMap { byKey[$0]!.suggestedClusterAlias.isEmpty ? nil : byKey[$0]!.suggestedClusterAlias }.first
            let override = aliasOverrides[name].flatMap { $0.isEmpty ? nil : $0 }
            return ClusterSummary(
                clusterName: name,
                clusterAlias: override ?? detected ?? ClusterFilters.mappedAlias(clusterNameToAlias, clusterName: name) ?? name,
                masterKey: root,
                masterKnown: placed[members[0]]!.masterKnown,
                members: members,
                coMasters: members.filter { coMasters.contains($0) })
        }
    }

    /// Upstream's AncestryUUID: the server UUIDs from the top of the known chain down to `key`
    /// itself, comma-separated, empty UUIDs skipped; a ring is followed once around.
    static func ancestry(of key: InstanceKey, uuids: [InstanceKey: String],
                         master: (InstanceKey) -> InstanceKey?) -> String {
        var chain: [String] = []
        // Chains are a few servers long: a linear search beats hashing into a set per instance.
        var seen: [InstanceKey] = []
        var current: InstanceKey? = key
        while let k = current, !seen.contains(k) {
            seen.append(k)
            if let uuid = uuids[k] { chain.append(uuid) }
            current = master(k)
        }
        if chain.count == 1 { return chain[0] }
        return chain.reversed().joined(separator: ",")
    }

    /// The ring member that names the cluster: the only writable one, else the smallest key.
    static func chooseRingRoot(_ ring: [InstanceKey], _ byKey: [InstanceKey: Instance]) -> Int {
        let writable = ring.indices.filter { byKey[ring[$0]]?.readOnly == false }
        if writable.count == 1 { return writable[0] }
        return ring.indices.min { ring[$0] < ring[$1] }!
    }

    /// Drops the grouped instances once their owner keeps its own copy (`Inventory` keeps annotated
    /// ones; holding both doubled a fleet's read model).
    mutating func releaseInstances() { instances = [] }

    /// The summary of the cluster named `name`.
    public func cluster(named name: String) -> ClusterSummary? {
        // Binary search: `clusters` is sorted by name (a fleet has thousands, asked once per instance).
        var low = 0
        var high = clusters.count
        while low < high {
            let mid = (low + high) / 2
            if clusters[mid].clusterName < name { low = mid + 1 } else { high = mid }
        }
        return low < clusters.count && clusters[low].clusterName == name ? clusters[low] : nil
    }

    /// The cluster whose name or alias matches `hint` exactly (upstream's cluster hint), or that
    /// contains the instance `hint` names.
    public func cluster(matching hint: String) -> ClusterSummary? {
        if let exact = clusters.first(where: { $0.clusterName == hint || $0.clusterAlias == hint }) { return exact }
        guard let key = try? InstanceKey(parsing: hint) else { return nil }
        return clusters.first { $0.members.contains(key) }
    }
}
