/// `which-cluster-osc-replicas`: replicas fit to act as control replicas of an online schema change
/// (pt-online-schema-change watches their lag), chosen by upstream's heuristic so scripts get the same
/// servers: up to two busiest intermediate masters (most replicas) at depth 1; then two replicas of the
/// one intermediate master, or one of each of the two; then up to two servers at depth 3; then up to two
/// depth-1 leaves. Servers whose last probe failed, or whose host matches `OSCIgnoreHostnameFilters`,
/// are never chosen. Pure.
public enum OSCReplicas {
    public static func choose(from cluster: [Instance], ignoreHostnameFilters: [String]) -> [Instance] {
        let byKey = Dictionary(cluster.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        func fit(_ list: [Instance]) -> [Instance] {
            list.filter { instance in
                instance.isLastCheckValid && !ignoreHostnameFilters.contains {
                    !$0.isEmpty && ClusterFilters.search($0, in: instance.key.displayString)
                }
            }
        }
        func busiestFirst(_ list: [Instance]) -> [Instance] {
            list.sorted { ($0.replicas.count, $1.key) > ($1.replicas.count, $0.key) }
        }
        let sorted = cluster.sorted { $0.key < $1.key }
        var result: [Instance] = []
        let intermediate = Array(fit(busiestFirst(sorted.filter { $0.replicationDepth == 1 && !$0.replicas.isEmpty })).prefix(2))
        result += intermediate
        if intermediate.count == 1 {
            result += fit(busiestFirst(intermediate[0].replicas.compactMap { byKey[$0] })).prefix(2)
        } else if intermediate.count == 2 {
            for im in intermediate {
                if let first = fit(busiestFirst(im.replicas.compactMap { byKey[$0] })).first { result.append(first) }
            }
        }
        result += fit(busiestFirst(sorted.filter { $0.replicationDepth == 3 })).prefix(2)
        result += fit(sorted.filter { $0.replicationDepth == 1 && $0.replicas.isEmpty }).prefix(2)
        return result
    }
}
