import OrchestratorCore

/// What the store keeps about one instance: the `Instance` plus the check bookkeeping and cluster
/// facts that are not `Instance` fields in upstream's JSON.
public struct InstanceRecord: Sendable, Equatable {
    public var instance: Instance
    /// The cluster's alias (its master's `SuggestedClusterAlias`, else the cluster name).
    public var clusterAlias: String
    /// `DetectClusterDomainQuery` on the cluster's master.
    public var clusterDomain: String
    /// When discovery first tried this instance.
    public var firstChecked: Timestamp?
    /// When the last probe finished (valid or not).
    public var lastChecked: Timestamp?
    /// When the last probe started.
    public var lastAttemptedCheck: Timestamp?

    public init(
        instance: Instance,
        clusterAlias: String = "",
        clusterDomain: String = "",
        firstChecked: Timestamp? = nil,
        lastChecked: Timestamp? = nil,
        lastAttemptedCheck: Timestamp? = nil
    ) {
        self.instance = instance
        self.clusterAlias = clusterAlias
        self.clusterDomain = clusterDomain
        self.firstChecked = firstChecked
        self.lastChecked = lastChecked
        self.lastAttemptedCheck = lastAttemptedCheck
    }

    public var key: InstanceKey { instance.key }
}
