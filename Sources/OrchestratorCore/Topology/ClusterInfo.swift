/// Upstream's `ClusterInfo` JSON (`/api/clusters-info`, `/api/cluster-info/:hint`):
/// `{"ClusterName","ClusterAlias","ClusterDomain","CountInstances","HeuristicLag",
/// "HasAutomatedMasterRecovery","HasAutomatedIntermediateMasterRecovery"}`.
public struct ClusterInfo: Sendable, Hashable, Codable {
    public var clusterName: String
    public var clusterAlias: String
    /// The master's VIP/CNAME, from `DetectClusterDomainQuery`.
    public var clusterDomain: String
    public var countInstances: Int
    /// The highest replication lag among the members (seconds; 0 when none is known).
    public var heuristicLag: Int64
    public var hasAutomatedMasterRecovery: Bool
    public var hasAutomatedIntermediateMasterRecovery: Bool

    enum CodingKeys: String, CodingKey {
        case clusterName = "ClusterName"
        case clusterAlias = "ClusterAlias"
        case clusterDomain = "ClusterDomain"
        case countInstances = "CountInstances"
        case heuristicLag = "HeuristicLag"
        case hasAutomatedMasterRecovery = "HasAutomatedMasterRecovery"
        case hasAutomatedIntermediateMasterRecovery = "HasAutomatedIntermediateMasterRecovery"
    }

    public init(clusterName: String, clusterAlias: String, clusterDomain: String = "", countInstances: Int,
                heuristicLag: Int64, hasAutomatedMasterRecovery: Bool, hasAutomatedIntermediateMasterRecovery: Bool) {
        self.clusterName = clusterName
        self.clusterAlias = clusterAlias
        self.clusterDomain = clusterDomain
        self.countInstances = countInstances
        self.heuristicLag = heuristicLag
        self.hasAutomatedMasterRecovery = hasAutomatedMasterRecovery
        self.hasAutomatedIntermediateMasterRecovery = hasAutomatedIntermediateMasterRecovery
    }

    /// Builds the info for `summary` from its member instances and the recovery filters.
    public init(summary: ClusterSummary, instances: [Instance], clusterDomain: String = "",
                recoverMasterClusterFilters: [String], recoverIntermediateMasterClusterFilters: [String]) {
        let members = Set(summary.members)
        let lag = instances.filter { members.contains($0.key) }.compactMap(\.replicationLagSeconds).max() ?? 0
        self.init(
            clusterName: summary.clusterName, clusterAlias: summary.clusterAlias, clusterDomain: clusterDomain,
            countInstances: summary.members.count, heuristicLag: lag,
            hasAutomatedMasterRecovery: ClusterFilters.matches(
                recoverMasterClusterFilters, clusterName: summary.clusterName, clusterAlias: summary.clusterAlias),
            hasAutomatedIntermediateMasterRecovery: ClusterFilters.matches(
                recoverIntermediateMasterClusterFilters, clusterName: summary.clusterName, clusterAlias: summary.clusterAlias))
    }
}
