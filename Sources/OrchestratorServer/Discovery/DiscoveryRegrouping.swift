import OrchestratorCore

/// Recomputes cluster membership over all known instances: cluster name (the top master's key),
/// replication depth, co-masters, and the cluster's alias and domain from its top master.
enum DiscoveryRegrouping {
    static func regroup(_ records: inout [InstanceKey: InstanceRecord]) {
        var roots: [InstanceKey: (root: InstanceKey, depth: Int, coMaster: Bool)] = [:]
        for key in records.keys {
            roots[key] = resolve(key, records)
        }
        for (key, placement) in roots {
            guard var record = records[key] else { continue }
            let root = records[placement.root]
            record.instance.clusterName = placement.root.displayString
            record.instance.replicationDepth = placement.depth
            record.instance.isCoMaster = placement.coMaster
            let suggested = root?.instance.suggestedClusterAlias ?? ""
            record.clusterAlias = suggested.isEmpty ? placement.root.displayString : suggested
            record.clusterDomain = root?.clusterDomain ?? ""
            records[key] = record
        }
    }

    /// Follows master links up to the top. An unknown master is the top (its key names the cluster,
    /// as upstream). A cycle is a co-master ring: its top is the writable member, else the smallest key.
    private static func resolve(
        _ key: InstanceKey,
        _ records: [InstanceKey: InstanceRecord]
    ) -> (root: InstanceKey, depth: Int, coMaster: Bool) {
        var chain: [InstanceKey] = [key]
        var current = key
        while let master = masterOf(current, records) {
            if let entry = chain.firstIndex(of: master) {
                let ring = chain[entry...]
                let top = ring.first { records[$0]?.instance.readOnly == false } ?? ring.min()!
                if entry == 0 {
                    return (top, key == top ? 0 : 1, true)
                }
                return (top, entry + (master == top ? 0 : 1), false)
            }
            chain.append(master)
            current = master
        }
        return (chain.last!, chain.count - 1, false)
    }

    private static func masterOf(_ key: InstanceKey, _ records: [InstanceKey: InstanceRecord]) -> InstanceKey? {
        // An unknown master ends the walk: it is the top of what we know.
        guard let instance = records[key]?.instance, let master = instance.masterKey, master.isValid,
              master != key else { return nil }
        return master
    }
}
