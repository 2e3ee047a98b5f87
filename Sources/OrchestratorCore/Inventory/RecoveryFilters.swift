/// `RecoverMasterClusterFilters` / `RecoverIntermediateMasterClusterFilters`, matched with upstream's
/// rules (`ClusterFilters`). An empty list allows nothing: recovery is opt-in, as upstream.
public struct RecoveryFilters: Sendable, Equatable {
    public var masterFilters: [String]
    public var intermediateMasterFilters: [String]

    public init(masterFilters: [String] = [], intermediateMasterFilters: [String] = []) {
        self.masterFilters = masterFilters
        self.intermediateMasterFilters = intermediateMasterFilters
    }

    public func allowsMasterRecovery(clusterName: String, alias: String) -> Bool {
        ClusterFilters.matches(masterFilters, clusterName: clusterName, clusterAlias: alias)
    }

    public func allowsIntermediateMasterRecovery(clusterName: String, alias: String) -> Bool {
        ClusterFilters.matches(intermediateMasterFilters, clusterName: clusterName, clusterAlias: alias)
    }
}
