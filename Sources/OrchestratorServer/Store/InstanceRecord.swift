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
    /// When discovery first saw the instance's current own binlog coordinates (reset whenever they
    /// move): analysis turns `LockedSemiSyncMasterHypothesis` into `LockedSemiSyncMaster` once it is
    /// older than `ReasonableLockedSemiSyncMasterSeconds`. Kept in memory only: after a restart the
    /// wait starts again, which can only delay that verdict.
    public var binlogCoordinatesUnchangedSince: Timestamp?
    /// `Last_IO_Errno` from the last successful probe of a replica (0: none). In memory only.
    public var lastIOErrno: Int = 0

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
