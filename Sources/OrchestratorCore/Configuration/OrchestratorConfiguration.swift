/// orchd's configuration: upstream orchestrator.conf.json keys with upstream defaults, plus orchd's
/// own keys (`HookTimeoutSeconds`, `RaftTickMilliseconds`, `RaftElectionTicks`, `RaftHeartbeatTicks`,
/// `RaftSnapshotThreshold`, `HTTPProxyTimeoutSeconds`).
///
/// Every known key has a value (the default unless the file set it); typed properties cover the keys
/// orchd acts on, `value(for:)` reaches any key. Reading the file is the caller's job:
/// `load(json:path:environment:)` is a pure function over its bytes. Secrets (passwords, tokens) are
/// never printed: `description`, `debugDescription`, `dump()` and `redactedJSON` all mask them.
public struct OrchestratorConfiguration: Sendable, Equatable {
    /// All known keys' effective values.
    public internal(set) var values: [String: ConfigValue]
    /// Keys the file set explicitly (after case correction).
    public internal(set) var explicitKeys: Set<String> = []
    /// Environment variables the file's secrets were expanded from (`"${NAME}"`): never passed on to
    /// hooks, whatever they are called.
    public internal(set) var secretEnvironmentNames: Set<String> = []

    /// The defaults.
    public init() {
        values = Dictionary(ConfigurationSchema.keys.map { ($0.name, $0.defaultValue) }, uniquingKeysWith: { a, _ in a })
    }

    /// The value of any known key (nil for unknown names).
    public func value(for key: String) -> ConfigValue? { values[key] }

    /// Sets a known key; the value must have the key's type (checked with a precondition: callers pass
    /// literals or validated values).
    public mutating func set(_ key: String, _ value: ConfigValue) {
        precondition(ConfigurationSchema.byName[key] != nil, "unknown configuration key \(key)")
        values[key] = value
    }

    // MARK: - Typed access helpers

    func bool(_ key: String) -> Bool { if case .bool(let v) = values[key] { return v }; return false }
    func int(_ key: String) -> Int { if case .int(let v) = values[key] { return Int(v) }; return 0 }
    func string(_ key: String) -> String { if case .string(let v) = values[key] { return v }; return "" }
    func strings(_ key: String) -> [String] { if case .strings(let v) = values[key] { return v }; return [] }
    func map(_ key: String) -> [String: String] { if case .map(let v) = values[key] { return v }; return [:] }
}

// MARK: - Typed properties

extension OrchestratorConfiguration {
    // HTTP and identity
    public var listenAddress: String { get { string("ListenAddress") } set { values["ListenAddress"] = .string(newValue) } }
    public var httpAdvertise: String { get { string("HTTPAdvertise") } set { values["HTTPAdvertise"] = .string(newValue) } }
    public var statusEndpoint: String { get { string("StatusEndpoint") } set { values["StatusEndpoint"] = .string(newValue) } }
    public var urlPrefix: String { get { string("URLPrefix") } set { values["URLPrefix"] = .string(newValue) } }
    public var authenticationMethod: String { get { string("AuthenticationMethod") } set { values["AuthenticationMethod"] = .string(newValue) } }
    public var httpAuthUser: String { get { string("HTTPAuthUser") } set { values["HTTPAuthUser"] = .string(newValue) } }
    public var httpAuthPassword: String { get { string("HTTPAuthPassword") } set { values["HTTPAuthPassword"] = .string(newValue) } }
    public var prependMessagesWithOrcIdentity: String { string("PrependMessagesWithOrcIdentity") }
    public var readOnly: Bool { get { bool("ReadOnly") } set { values["ReadOnly"] = .bool(newValue) } }

    // Topology access
    public var mysqlTopologyUser: String { get { string("MySQLTopologyUser") } set { values["MySQLTopologyUser"] = .string(newValue) } }
    public var mysqlTopologyPassword: String { get { string("MySQLTopologyPassword") } set { values["MySQLTopologyPassword"] = .string(newValue) } }
    public var mysqlTopologyCredentialsConfigFile: String { string("MySQLTopologyCredentialsConfigFile") }
    public var mysqlConnectTimeoutSeconds: Int { get { int("MySQLConnectTimeoutSeconds") } set { values["MySQLConnectTimeoutSeconds"] = .int(Int64(newValue)) } }
    public var mysqlDiscoveryReadTimeoutSeconds: Int { get { int("MySQLDiscoveryReadTimeoutSeconds") } set { values["MySQLDiscoveryReadTimeoutSeconds"] = .int(Int64(newValue)) } }
    public var mysqlTopologyReadTimeoutSeconds: Int { get { int("MySQLTopologyReadTimeoutSeconds") } set { values["MySQLTopologyReadTimeoutSeconds"] = .int(Int64(newValue)) } }
    public var defaultInstancePort: Int { get { int("DefaultInstancePort") } set { values["DefaultInstancePort"] = .int(Int64(newValue)) } }

    // Backend
    public var backendDB: String { get { string("BackendDB") } set { values["BackendDB"] = .string(newValue) } }
    /// True for "sqlite" / "sqlite3".
    public var isSQLiteBackend: Bool { backendDB.lowercased().contains("sqlite") }
    public var sqlite3DataFile: String { get { string("SQLite3DataFile") } set { values["SQLite3DataFile"] = .string(newValue) } }

    // Raft
    public var raftEnabled: Bool { get { bool("RaftEnabled") } set { values["RaftEnabled"] = .bool(newValue) } }
    public var raftDataDir: String { get { string("RaftDataDir") } set { values["RaftDataDir"] = .string(newValue) } }
    public var raftBind: String { get { string("RaftBind") } set { values["RaftBind"] = .string(newValue) } }
    /// Defaults to `RaftBind` (applied by `load`).
    public var raftAdvertise: String { get { string("RaftAdvertise") } set { values["RaftAdvertise"] = .string(newValue) } }
    public var defaultRaftPort: Int { get { int("DefaultRaftPort") } set { values["DefaultRaftPort"] = .int(Int64(newValue)) } }
    /// As written in the file (`host` or `host:port`); see `raftPeerAddresses`.
    public var raftNodes: [String] { get { strings("RaftNodes") } set { values["RaftNodes"] = .strings(newValue) } }
    /// `RaftNodes` normalized to `host:port`, a missing port taking `DefaultRaftPort`; entries that do
    /// not parse are dropped (`load` rejects them).
    public var raftPeerAddresses: [String] {
        raftNodes.compactMap { try? InstanceKey(parsing: $0, defaultPort: defaultRaftPort).displayString }
    }
    public var expectFailureAnalysisConcensus: Bool { bool("ExpectFailureAnalysisConcensus") }
    public var raftTickMilliseconds: Int { get { int("RaftTickMilliseconds") } set { values["RaftTickMilliseconds"] = .int(Int64(newValue)) } }
    public var raftElectionTicks: Int { get { int("RaftElectionTicks") } set { values["RaftElectionTicks"] = .int(Int64(newValue)) } }
    public var raftHeartbeatTicks: Int { get { int("RaftHeartbeatTicks") } set { values["RaftHeartbeatTicks"] = .int(Int64(newValue)) } }
    public var raftSnapshotThreshold: Int { get { int("RaftSnapshotThreshold") } set { values["RaftSnapshotThreshold"] = .int(Int64(newValue)) } }
    public var httpProxyTimeoutSeconds: Int { get { int("HTTPProxyTimeoutSeconds") } set { values["HTTPProxyTimeoutSeconds"] = .int(Int64(newValue)) } }

    // Discovery
    public var instancePollSeconds: Int { get { int("InstancePollSeconds") } set { values["InstancePollSeconds"] = .int(Int64(newValue)) } }
    public var reasonableInstanceCheckSeconds: Int { int("ReasonableInstanceCheckSeconds") }
    public var discoverByShowSlaveHosts: Bool { get { bool("DiscoverByShowSlaveHosts") } set { values["DiscoverByShowSlaveHosts"] = .bool(newValue) } }
    public var discoveryMaxConcurrency: Int { get { int("DiscoveryMaxConcurrency") } set { values["DiscoveryMaxConcurrency"] = .int(Int64(newValue)) } }
    public var discoveryQueueCapacity: Int { int("DiscoveryQueueCapacity") }
    public var discoverySeeds: [String] { get { strings("DiscoverySeeds") } set { values["DiscoverySeeds"] = .strings(newValue) } }
    /// `DiscoverySeeds` as instance keys, a missing port taking `DefaultInstancePort`; entries that do
    /// not parse are dropped (`load` rejects them, naming the entry).
    public var discoverySeedKeys: [InstanceKey] {
        discoverySeeds.compactMap { try? InstanceKey(parsing: $0, defaultPort: defaultInstancePort) }
    }
    public var unseenInstanceForgetHours: Int { get { int("UnseenInstanceForgetHours") } set { values["UnseenInstanceForgetHours"] = .int(Int64(newValue)) } }
    public var hostnameResolveMethod: String { string("HostnameResolveMethod") }
    public var mysqlHostnameResolveMethod: String { string("MySQLHostnameResolveMethod") }
    public var discoveryIgnoreReplicaHostnameFilters: [String] { strings("DiscoveryIgnoreReplicaHostnameFilters") }
    public var discoveryIgnoreMasterHostnameFilters: [String] { strings("DiscoveryIgnoreMasterHostnameFilters") }
    public var discoveryIgnoreHostnameFilters: [String] { strings("DiscoveryIgnoreHostnameFilters") }

    // Classification
    public var clusterNameToAlias: [String: String] { get { map("ClusterNameToAlias") } set { values["ClusterNameToAlias"] = .map(newValue) } }
    public var detectClusterAliasQuery: String { get { string("DetectClusterAliasQuery") } set { values["DetectClusterAliasQuery"] = .string(newValue) } }
    public var detectClusterDomainQuery: String { get { string("DetectClusterDomainQuery") } set { values["DetectClusterDomainQuery"] = .string(newValue) } }
    public var detectInstanceAliasQuery: String { get { string("DetectInstanceAliasQuery") } set { values["DetectInstanceAliasQuery"] = .string(newValue) } }
    public var detectPromotionRuleQuery: String { string("DetectPromotionRuleQuery") }
    public var dataCenterPattern: String { get { string("DataCenterPattern") } set { values["DataCenterPattern"] = .string(newValue) } }
    public var regionPattern: String { string("RegionPattern") }
    public var physicalEnvironmentPattern: String { string("PhysicalEnvironmentPattern") }
    public var detectDataCenterQuery: String { get { string("DetectDataCenterQuery") } set { values["DetectDataCenterQuery"] = .string(newValue) } }
    public var detectRegionQuery: String { string("DetectRegionQuery") }
    public var detectPhysicalEnvironmentQuery: String { string("DetectPhysicalEnvironmentQuery") }
    public var detectSemiSyncEnforcedQuery: String { string("DetectSemiSyncEnforcedQuery") }

    // Lag
    /// `ReplicationLagQuery`, or its synonym `SlaveLagQuery` (merged by `load`).
    public var replicationLagQuery: String { get { string("ReplicationLagQuery") } set { values["ReplicationLagQuery"] = .string(newValue) } }
    public var reasonableReplicationLagSeconds: Int { get { int("ReasonableReplicationLagSeconds") } set { values["ReasonableReplicationLagSeconds"] = .int(Int64(newValue)) } }
    public var reasonableMaintenanceReplicationLagSeconds: Int { get { int("ReasonableMaintenanceReplicationLagSeconds") } set { values["ReasonableMaintenanceReplicationLagSeconds"] = .int(Int64(newValue)) } }
    /// Falls back to `ReasonableReplicationLagSeconds` when 0 (applied by `load`).
    public var reasonableLockedSemiSyncMasterSeconds: Int { int("ReasonableLockedSemiSyncMasterSeconds") }

    // Detection and recovery
    public var failureDetectionPeriodBlockMinutes: Int { get { int("FailureDetectionPeriodBlockMinutes") } set { values["FailureDetectionPeriodBlockMinutes"] = .int(Int64(newValue)) } }
    /// `RecoveryPeriodBlockSeconds`, or the legacy minutes key converted (applied by `load`).
    public var recoveryPeriodBlockSeconds: Int { get { int("RecoveryPeriodBlockSeconds") } set { values["RecoveryPeriodBlockSeconds"] = .int(Int64(newValue)) } }
    public var candidateInstanceExpireMinutes: Int { get { int("CandidateInstanceExpireMinutes") } set { values["CandidateInstanceExpireMinutes"] = .int(Int64(newValue)) } }
    public var recoveryIgnoreHostnameFilters: [String] { get { strings("RecoveryIgnoreHostnameFilters") } set { values["RecoveryIgnoreHostnameFilters"] = .strings(newValue) } }
    public var recoverMasterClusterFilters: [String] { get { strings("RecoverMasterClusterFilters") } set { values["RecoverMasterClusterFilters"] = .strings(newValue) } }
    public var recoverIntermediateMasterClusterFilters: [String] { get { strings("RecoverIntermediateMasterClusterFilters") } set { values["RecoverIntermediateMasterClusterFilters"] = .strings(newValue) } }
    public var promotionIgnoreHostnameFilters: [String] { get { strings("PromotionIgnoreHostnameFilters") } set { values["PromotionIgnoreHostnameFilters"] = .strings(newValue) } }
    public var applyMySQLPromotionAfterMasterFailover: Bool { get { bool("ApplyMySQLPromotionAfterMasterFailover") } set { values["ApplyMySQLPromotionAfterMasterFailover"] = .bool(newValue) } }
    public var preventCrossDataCenterMasterFailover: Bool { get { bool("PreventCrossDataCenterMasterFailover") } set { values["PreventCrossDataCenterMasterFailover"] = .bool(newValue) } }
    public var preventCrossRegionMasterFailover: Bool { get { bool("PreventCrossRegionMasterFailover") } set { values["PreventCrossRegionMasterFailover"] = .bool(newValue) } }
    public var failMasterPromotionOnLagMinutes: Int { get { int("FailMasterPromotionOnLagMinutes") } set { values["FailMasterPromotionOnLagMinutes"] = .int(Int64(newValue)) } }
    public var failMasterPromotionIfSQLThreadNotUpToDate: Bool { get { bool("FailMasterPromotionIfSQLThreadNotUpToDate") } set { values["FailMasterPromotionIfSQLThreadNotUpToDate"] = .bool(newValue) } }
    public var delayMasterPromotionIfSQLThreadNotUpToDate: Bool { get { bool("DelayMasterPromotionIfSQLThreadNotUpToDate") } set { values["DelayMasterPromotionIfSQLThreadNotUpToDate"] = .bool(newValue) } }
    /// Merged with its synonym `DetachLostSlavesAfterMasterFailover` by `load`.
    public var detachLostReplicasAfterMasterFailover: Bool { get { bool("DetachLostReplicasAfterMasterFailover") } set { values["DetachLostReplicasAfterMasterFailover"] = .bool(newValue) } }
    /// Merged with its synonym `MasterFailoverDetachSlaveMasterHost` by `load`.
    public var masterFailoverDetachReplicaMasterHost: Bool { get { bool("MasterFailoverDetachReplicaMasterHost") } set { values["MasterFailoverDetachReplicaMasterHost"] = .bool(newValue) } }
    public var coMasterRecoveryMustPromoteOtherCoMaster: Bool { get { bool("CoMasterRecoveryMustPromoteOtherCoMaster") } set { values["CoMasterRecoveryMustPromoteOtherCoMaster"] = .bool(newValue) } }
    public var recoverNonWriteableMaster: Bool { get { bool("RecoverNonWriteableMaster") } set { values["RecoverNonWriteableMaster"] = .bool(newValue) } }
    /// Merged with its synonym `PostponeSlaveRecoveryOnLagMinutes` by `load`.
    public var postponeReplicaRecoveryOnLagMinutes: Int { get { int("PostponeReplicaRecoveryOnLagMinutes") } set { values["PostponeReplicaRecoveryOnLagMinutes"] = .int(Int64(newValue)) } }
    public var maxConcurrentReplicaOperations: Int { get { int("MaxConcurrentReplicaOperations") } set { values["MaxConcurrentReplicaOperations"] = .int(Int64(newValue)) } }
    public var enforceExactSemiSyncReplicas: Bool { get { bool("EnforceExactSemiSyncReplicas") } set { values["EnforceExactSemiSyncReplicas"] = .bool(newValue) } }
    public var recoverLockedSemiSyncMaster: Bool { get { bool("RecoverLockedSemiSyncMaster") } set { values["RecoverLockedSemiSyncMaster"] = .bool(newValue) } }

    // Hooks
    public var processesShellCommand: String { get { string("ProcessesShellCommand") } set { values["ProcessesShellCommand"] = .string(newValue) } }
    public var onFailureDetectionProcesses: [String] { get { strings("OnFailureDetectionProcesses") } set { values["OnFailureDetectionProcesses"] = .strings(newValue) } }
    public var preGracefulTakeoverProcesses: [String] { get { strings("PreGracefulTakeoverProcesses") } set { values["PreGracefulTakeoverProcesses"] = .strings(newValue) } }
    public var preFailoverProcesses: [String] { get { strings("PreFailoverProcesses") } set { values["PreFailoverProcesses"] = .strings(newValue) } }
    public var postFailoverProcesses: [String] { get { strings("PostFailoverProcesses") } set { values["PostFailoverProcesses"] = .strings(newValue) } }
    public var postUnsuccessfulFailoverProcesses: [String] { get { strings("PostUnsuccessfulFailoverProcesses") } set { values["PostUnsuccessfulFailoverProcesses"] = .strings(newValue) } }
    public var postMasterFailoverProcesses: [String] { get { strings("PostMasterFailoverProcesses") } set { values["PostMasterFailoverProcesses"] = .strings(newValue) } }
    public var postIntermediateMasterFailoverProcesses: [String] { get { strings("PostIntermediateMasterFailoverProcesses") } set { values["PostIntermediateMasterFailoverProcesses"] = .strings(newValue) } }
    public var postGracefulTakeoverProcesses: [String] { get { strings("PostGracefulTakeoverProcesses") } set { values["PostGracefulTakeoverProcesses"] = .strings(newValue) } }
    public var postUnsuccessfulGracefulTakeoverProcesses: [String] { get { strings("PostUnsuccessfulGracefulTakeoverProcesses") } set { values["PostUnsuccessfulGracefulTakeoverProcesses"] = .strings(newValue) } }
    public var postTakeMasterProcesses: [String] { get { strings("PostTakeMasterProcesses") } set { values["PostTakeMasterProcesses"] = .strings(newValue) } }
    /// orchd: a hook running longer is killed (upstream has no timeout).
    public var hookTimeoutSeconds: Int { get { int("HookTimeoutSeconds") } set { values["HookTimeoutSeconds"] = .int(Int64(newValue)) } }

    public var oscIgnoreHostnameFilters: [String] { strings("OSCIgnoreHostnameFilters") }

    // KV
    /// Normalized to end in exactly one "/" (except "/" itself) by `load`.
    public var kvClusterMasterPrefix: String { string("KVClusterMasterPrefix") }
    /// ZooKeeper servers, `host[:port],...` (upstream's key).
    public var zkAddress: String { string("ZkAddress") }
    /// orchd: etcd v3 JSON gateway endpoints (`http://host:port`), tried in order.
    public var etcdEndpoints: [String] { get { strings("EtcdEndpoints") } set { values["EtcdEndpoints"] = .strings(newValue) } }
    /// orchd: etcd user (with `etcdPassword`) for a cluster with authentication enabled; empty: none.
    public var etcdUsername: String { string("EtcdUsername") }
    public var etcdPassword: String { string("EtcdPassword") }
    /// orchd: PEM CA certificates trusted for https:// etcd endpoints (empty: the system's roots).
    public var etcdCAFile: String { string("EtcdCAFile") }
    /// orchd: PEM client certificate and key presented to etcd (`--client-cert-auth`).
    public var etcdCertFile: String { string("EtcdCertFile") }
    public var etcdKeyFile: String { string("EtcdKeyFile") }
    /// orchd: how often the leader re-asserts every master in the key-value stores.
    public var kvSyncIntervalSeconds: Int { int("KVSyncIntervalSeconds") }
}
