/// A node's read model: the probed instances, grouped into clusters and annotated with replicated
/// operator intent, answering the API's read queries. Pure: built from values, `now` is an input.
public struct Inventory: Sendable {
    /// Grouped and annotated instances, sorted by key.
    public let instances: [Instance]
    public let grouping: ClusterGrouping
    /// Positions in `instances` (not copies: a fleet's instances are large).
    private let byKey: [InstanceKey: Int]
    /// Derived results shared by the copies of this inventory (see `InventoryMemo`).
    public let memo = InventoryMemo()

    public init(probed: [Instance], intent: IntentState, now: Timestamp, clusterNameToAlias: [String: String] = [:]) {
        var grouping = ClusterGrouping(instances: probed, aliasOverrides: intent.clusterAliasOverrides,
                                       clusterNameToAlias: clusterNameToAlias)
        let annotated = grouping.instances.map { instance -> Instance in
            var copy = intent.annotate(instance, at: now)
            if let cluster = grouping.cluster(named: copy.clusterName) {
                copy.suggestedClusterAlias = cluster.clusterAlias
            }
            return copy
        }
        grouping.releaseInstances()  // `instances` below are the annotated copies
        self.grouping = grouping
        self.instances = annotated
        var byKey: [InstanceKey: Int] = [:]
        byKey.reserveCapacity(annotated.count)
        for (i, instance) in annotated.enumerated() { byKey[instance.key] = i }
        self.byKey = byKey
    }

    public func instance(_ key: InstanceKey) -> Instance? { byKey[key].map { instances[$0] } }

    /// Cluster names, sorted.
    public var clusterNames: [String] { grouping.clusters.map(\.clusterName) }

    /// The cluster a hint names: a cluster name, an alias, or an instance (`host:port`, or `host` with
    /// `defaultPort`) in the cluster.
    public func cluster(forHint hint: String, defaultPort: Int = InstanceKey.defaultPort) -> ClusterSummary? {
        if let exact = grouping.cluster(named: hint) { return exact }
        // Several clusters can carry one alias for a while after a failover (the dead old master still
        // reports it): prefer the one whose master answers, then the larger one.
        let byAlias = grouping.clusters.filter { $0.clusterAlias == hint }
        if let best = byAlias.max(by: { rank($0) < rank($1) }) { return best }
        guard let key = try? InstanceKey(parsing: hint, defaultPort: defaultPort) else { return nil }
        return grouping.clusters.first { $0.members.contains(key) }
    }

    private func rank(_ cluster: ClusterSummary) -> (Int, Int) {
        let masterValid = cluster.masterKey.flatMap { instance($0) }?.isLastCheckValid ?? false
        return (masterValid ? 1 : 0, cluster.members.count)
    }

    public func instances(inCluster name: String) -> [Instance] {
        guard let summary = grouping.cluster(named: name) else { return [] }
        return summary.members.compactMap { instance($0) }.filter { $0.clusterName == name }
    }

    /// The cluster's top master, when known.
    public func master(ofCluster name: String) -> Instance? {
        guard let summary = grouping.cluster(named: name), let key = summary.masterKey else { return nil }
        return instance(key)
    }

    /// Each cluster's top master that is known, in cluster-name order.
    public var masters: [Instance] { clusterNames.compactMap { master(ofCluster: $0) } }

    /// Instances that replicate directly from `key`.
    public func replicas(of key: InstanceKey) -> [Instance] {
        instances.filter { $0.masterKey == key }
    }

    /// Instances whose key, alias, cluster name or cluster alias contains `text` (case-insensitive).
    public func search(_ text: String) -> [Instance] {
        let needle = text.lowercased()
        guard !needle.isEmpty else { return [] }
        return instances.filter { instance in
            [instance.key.displayString, instance.instanceAlias, instance.clusterName, instance.suggestedClusterAlias,
             instance.version]
                .contains { $0.lowercased().contains(needle) }
        }
    }

    /// Upstream's ClusterInfo for a cluster.
    public func clusterInfo(_ name: String, recovery: RecoveryFilters) -> ClusterInfo? {
        guard let summary = grouping.cluster(named: name) else { return nil }
        // Only the members (a fleet has thousands of clusters; filtering every instance per cluster was
        // quadratic: 5.7 s for `clusters` at 10,000 servers).
        return ClusterInfo(summary: summary, instances: summary.members.compactMap { instance($0) },
                           recoverMasterClusterFilters: recovery.masterFilters,
                           recoverIntermediateMasterClusterFilters: recovery.intermediateMasterFilters)
    }
}
