/// Which instances to probe again right away, so that detection does not wait for the next poll.
///
/// Upstream re-reads an unreachable master and its replicas immediately ("emergent operations"); orchd
/// goes further and triggers the same re-probe the moment a master's probe fails (a crashed server's
/// sockets close at once), so the holistic check (master unreachable AND replicas agree) completes
/// within one round trip of the replicas' probes instead of a poll interval.
public enum EmergentProbe {
    /// The failed instance itself and its direct replicas, when `failed` has replicas or is a master
    /// (a standalone server's failure needs no second opinion). Sorted, the failed key first.
    public static func keys(afterFailedProbeOf failed: InstanceKey, instances: [Instance]) -> [InstanceKey] {
        let replicas = instances.filter { $0.masterKey == failed && $0.key != failed }.map(\.key).sorted()
        let isMaster = instances.first { $0.key == failed }.map { !$0.isReplica } ?? false
        guard !replicas.isEmpty || isMaster else { return [] }
        return [failed] + replicas
    }

    /// Instances to re-probe because of the analysis codes upstream treats as "emergent":
    /// unreachable (intermediate/co-)masters (re-read the server and its replicas) and a possibly
    /// locked semi-sync master (re-read the master so its binlog position is sampled again).
    /// Deduplicated, in the order the analyses are given.
    public static func keys(for analyses: [ReplicationAnalysis]) -> [InstanceKey] {
        var seen: Set<InstanceKey> = []
        var result: [InstanceKey] = []
        func add(_ key: InstanceKey) { if seen.insert(key).inserted { result.append(key) } }
        for entry in analyses {
            switch entry.analysis {
            case .unreachableMaster, .unreachableMasterWithLaggingReplicas, .unreachableCoMaster,
                 .unreachableIntermediateMaster, .unreachableIntermediateMasterWithLaggingReplicas:
                add(entry.analyzedInstanceKey)
                entry.replicas.forEach(add)
            case .lockedSemiSyncMasterHypothesis:
                add(entry.analyzedInstanceKey)
            default:
                break
            }
        }
        return result
    }
}
