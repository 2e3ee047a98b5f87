import OrchestratorCore

/// Recomputes cluster membership over all known records with the core's `ClusterGrouping` (cluster
/// name = top master's key, replication depth, co-masters, replica lists, errant GTIDs, alias), and
/// copies the cluster's alias and its master's domain onto every record; fills upstream's problem codes.
/// Errant GTIDs are left to the node's read model (`Inventory`), which computes them from these
/// records anyway: parsing every server's GTID sets twice per round was the largest cost of a fleet.
enum DiscoveryRegrouping {
    /// Returns the keys whose record changed.
    @discardableResult
    static func regroup(
        _ records: inout [InstanceKey: InstanceRecord],
        clusterNameToAlias: [String: String] = [:],
        aliasOverrides: [String: String] = [:],
        reasonableReplicationLagSeconds: Int = 10
    ) -> Set<InstanceKey> {
        let grouping = ClusterGrouping(
            instances: records.values.map(\.instance), aliasOverrides: aliasOverrides,
            clusterNameToAlias: clusterNameToAlias, computeErrantGTIDs: false)
        var changed: Set<InstanceKey> = []
        var summaries: [String: ClusterSummary] = [:]
        for cluster in grouping.clusters { summaries[cluster.clusterName] = cluster }
        let domains = records.values.reduce(into: [InstanceKey: String]()) { $0[$1.key] = $1.clusterDomain }
        for instance in grouping.instances {
            guard var record = records[instance.key] else { continue }
            let summary = summaries[instance.clusterName]
            record.instance = instance
            record.instance.problems = instance.computedProblems(
                reasonableReplicationLagSeconds: Int64(reasonableReplicationLagSeconds))
            record.clusterAlias = summary?.clusterAlias ?? instance.clusterName
            if let root = summary?.masterKey { record.clusterDomain = domains[root] ?? "" }
            if records[instance.key] != record {
                records[instance.key] = record
                changed.insert(instance.key)
            }
        }
        return changed
    }
}
