/// The configuration discovery and probing use, with upstream orchestrator's key names and defaults.
///
/// Kept as a small value of its own so the prober and discovery service do not depend on the whole
/// configuration model; the daemon builds it from `orchestrator.conf.json`.
public struct DiscoverySettings: Sendable {
    /// `MySQLTopologyUser` / `MySQLTopologyPassword` and the timeouts
    /// (`MySQLConnectTimeoutSeconds` 2, `MySQLDiscoveryReadTimeoutSeconds` 10).
    public var mysql: MySQLClientConfig
    /// `InstancePollSeconds` (5): how often every known instance is probed.
    public var instancePollSeconds: Int = 5
    /// `DiscoveryMaxConcurrency` (300): probes in flight at once.
    public var discoveryMaxConcurrency: Int = 300
    /// `UnseenInstanceForgetHours` (240): instances not seen for this long are forgotten.
    public var unseenInstanceForgetHours: Int = 240
    /// `ReasonableReplicationLagSeconds` (10): lag above this is the `replication_lag` problem.
    public var reasonableReplicationLagSeconds: Int = 10
    /// `DiscoverySeeds` ([]): servers discovery probes (and crawls from) on its first round without
    /// anyone calling `discover`; from then on they are known instances, polled and retried like any
    /// other.
    public var discoverySeeds: [InstanceKey] = []
    /// `DiscoverByShowSlaveHosts` (false). Replicas are read with `SHOW SLAVE HOSTS` whenever it lists
    /// any; when it lists none and this is false, the processlist's binlog dump threads are used.
    public var discoverByShowSlaveHosts: Bool = false
    /// `ClusterNameToAlias`: alias by cluster name (exact, else regex) when none was detected.
    public var clusterNameToAlias: [String: String] = [:]
    /// `DetectClusterAliasQuery`: run on masters; first column of first row is the cluster alias.
    public var detectClusterAliasQuery: String = ""
    /// `DetectClusterDomainQuery`: run on masters.
    public var detectClusterDomainQuery: String = ""
    /// `DetectInstanceAliasQuery`: run on every instance.
    public var detectInstanceAliasQuery: String = ""
    /// `DetectDataCenterQuery`: run on every instance; overrides `DataCenterPattern`.
    public var detectDataCenterQuery: String = ""
    /// `DataCenterPattern`: regex with one capture group, matched against the hostname.
    public var dataCenterPattern: String = ""
    /// `DetectRegionQuery` / `RegionPattern`.
    public var detectRegionQuery: String = ""
    public var regionPattern: String = ""
    /// `DetectPhysicalEnvironmentQuery` / `PhysicalEnvironmentPattern`.
    public var detectPhysicalEnvironmentQuery: String = ""
    public var physicalEnvironmentPattern: String = ""

    /// `ReplicationLagQuery` (synonym `SlaveLagQuery`): run as written on every replica; its single
    /// value is the replica's lag (`ReplicationLagSeconds`) instead of `Seconds_Behind_Master`.
    public var replicationLagQuery: String = ""

    /// `DetectSemiSyncEnforcedQuery`: a number; above 0 marks the instance semi-sync enforced (with
    /// that priority).
    public var detectSemiSyncEnforcedQuery: String = ""

    public init(mysql: MySQLClientConfig) {
        self.mysql = mysql
    }
}
