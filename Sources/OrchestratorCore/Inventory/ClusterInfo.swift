/// Upstream's ClusterInfo JSON (`/api/clusters-info`, `/api/cluster-info/:hint`).
public struct ClusterInfo: Codable, Sendable, Equatable {
    public var clusterName: String
    public var clusterAlias: String
    public var clusterDomain: String
    public var countInstances: Int
    public var heuristicLag: Int64
    public var hasAutomatedMasterRecovery: Bool
    public var hasAutomatedIntermediateMasterRecovery: Bool

    public init(clusterName: String, clusterAlias: String, clusterDomain: String, countInstances: Int,
                heuristicLag: Int64, hasAutomatedMasterRecovery: Bool, hasAutomatedIntermediateMasterRecovery: Bool) {
        self.clusterName = clusterName
        self.clusterAlias = clusterAlias
        self.clusterDomain = clusterDomain
        self.countInstances = countInstances
        self.heuristicLag = heuristicLag
        self.hasAutomatedMasterRecovery = hasAutomatedMasterRecovery
        self.hasAutomatedIntermediateMasterRecovery = hasAutomatedIntermediateMasterRecovery
    }

    enum CodingKeys: String, CodingKey {
        case clusterName = "ClusterName"
        case clusterAlias = "ClusterAlias"
        case clusterDomain = "ClusterDomain"
        case countInstances = "CountInstances"
        case heuristicLag = "HeuristicLag"
        case hasAutomatedMasterRecovery = "HasAutomatedMasterRecovery"
        case hasAutomatedIntermediateMasterRecovery = "HasAutomatedIntermediateMasterRecovery"
    }
}
