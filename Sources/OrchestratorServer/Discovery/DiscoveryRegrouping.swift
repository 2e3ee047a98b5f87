import OrchestratorCore

/// Recomputes cluster membership over all known records with the core's `ClusterGrouping` (cluster
/// name = top master's key, replication depth, co-masters, replica lists, errant GTIDs, alias), and
/// copies the cluster's alias and its master's domain onto every record; fills upstream's problem codes.
/// Errant GTIDs are left to the node's read model (`Inventory`), which computes them from these
/// records anyway: parsing every server's GTID sets twice per round was the largest cost of a fleet.
enum DiscoveryRegrouping {
    /// Returns the keys whose record changed. With `around`, only the clusters those keys belong to
    /// (see ``clusters(around:in:)``) are regrouped: a re-probe of a few servers in a fleet of
    /// thousands need not regroup the fleet (0.2 s at 10,000 servers, on the actor every probe result
    /// waits for); the poll round regroups everything anyway.
    @discardableResult
    static func regroup(
        _ records: inout [InstanceKey: InstanceRecord],
        around: Set<InstanceKey>? = nil,
        clusterNameToAlias: [String: String] = [:],
        aliasOverrides: [String: String] = [:],
        reasonableReplicationLagSeconds: Int = 10
    ) -> Set<InstanceKey> {
        let members = around.map { clusters(around: $0, in: records) }
        let grouping = ClusterGrouping(
            instances: members.map { $0.compactMap { records[$0]?.instance } } ?? records.values.map(\.instance),
            aliasOverrides: aliasOverrides, clusterNameToAlias: clusterNameToAlias, computeErrantGTIDs: false)
        var changed: Set<InstanceKey> = []
        var summaries: [String: ClusterSummary] = [:]
        for cluster in grouping.clusters { summaries[cluster.clusterName] = cluster }
        var domains: [InstanceKey: String] = [:]
        for cluster in grouping.clusters {
            if let root = cluster.masterKey, let domain = records[root]?.clusterDomain { domains[root] = domain }
        }
        for var instance in grouping.instances {
            guard let index = records.index(forKey: instance.key) else { continue }
            let summary = summaries[instance.clusterName]
            instance.problems = instance.computedProblems(reasonableReplicationLagSeconds: Int64(reasonableReplicationLagSeconds))
            let old = records.values[index]
            let alias = summary?.clusterAlias ?? instance.clusterName
            let domain = summary?.masterKey.map { domains[$0] ?? "" } ?? old.clusterDomain
            // The grouping copies each record's instance and sets only these fields: comparing them,
            // not whole records (a hundred fields each, 10,000 of them a round), says what changed.
            let sameInstance = old.instance.clusterName == instance.clusterName
                && old.instance.replicationDepth == instance.replicationDepth
                && old.instance.isCoMaster == instance.isCoMaster
                && old.instance.replicas == instance.replicas
                && old.instance.ancestryUUID == instance.ancestryUUID
                && old.instance.gtidErrant == instance.gtidErrant
                && old.instance.problems == instance.problems
            assert(sameInstance == (old.instance == instance), "ClusterGrouping set a field the regrouping does not compare")
            if !sameInstance || old.clusterAlias != alias || old.clusterDomain != domain {
                records.values[index].instance = instance
                records.values[index].clusterAlias = alias
                records.values[index].clusterDomain = domain
                changed.insert(instance.key)
            }
        }
        return changed
    }

    /// Every record in the clusters of `keys`, as last grouped: the clusters named on those records and
    /// on their masters' records, and, until nothing is added, the clusters of any member's master and
    /// of any instance replicating from a member, so that no member is grouped without its master or
    /// its replicas (a server that moved between clusters brings both).
    static func clusters(around keys: Set<InstanceKey>, in records: [InstanceKey: InstanceRecord]) -> Set<InstanceKey> {
        var byCluster: [String: [InstanceKey]] = [:]
        var byMaster: [InstanceKey: [InstanceKey]] = [:]
        for record in records.values {
            byCluster[record.instance.clusterName, default: []].append(record.key)
            if let master = record.instance.masterKey { byMaster[master, default: []].append(record.key) }
        }
        var names: Set<String> = []
        var members: Set<InstanceKey> = []
        var pending = Array(keys)
        while let key = pending.popLast() {
            guard members.insert(key).inserted else { continue }
            guard let record = records[key] else { continue }
            var related = byMaster[key] ?? []
            if let master = record.instance.masterKey { related.append(master) }
            if names.insert(record.instance.clusterName).inserted {
                related += byCluster[record.instance.clusterName] ?? []
            }
            pending += related.filter { !members.contains($0) }
        }
        return members
    }
}
