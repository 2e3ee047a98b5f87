/// What orchd does with a configuration key. Every key in `ConfigurationSchema.keys` has exactly one
/// status, in one table, so "a setting we read is a promise" can be checked by a test and shown to an
/// operator (`orchd --check-config FILE`).
public enum ConfigKeyStatus: Sendable, Equatable {
    /// orchd acts on the key.
    case honoured
    /// The key has no meaning for orchd (agents, Graphite, upstream's internal buffers...). A value
    /// other than the default is accepted with one warning naming the key and this reason.
    case accepted(String)
    /// orchd cannot do what the key asks. A value other than the default stops start-up with an error
    /// naming the key, the file and this reason (which says what to do instead). Security- and
    /// safety-relevant keys that orchd does not honour are always refused, never accepted.
    case refused(String)

    /// The reason, empty for honoured keys.
    public var reason: String {
        switch self {
        case .honoured: return ""
        case .accepted(let reason), .refused(let reason): return reason
        }
    }

    /// A word for tables: honoured, accepted, refused.
    public var name: String {
        switch self {
        case .honoured: return "honoured"
        case .accepted: return "accepted"
        case .refused: return "refused"
        }
    }
}

extension ConfigurationSchema {
    /// The status of a known key (nil for names the schema does not know).
    public static func status(of key: String) -> ConfigKeyStatus? { statuses[key] }

    // MARK: - Reasons shared by several keys

    private static let noOAuth = "orchd has no OAuth or token authentication; use AuthenticationMethod basic, "
        + "multi or proxy (an SSO proxy in front of orchd) and remove the key"
    private static let noMySQLBackend = "orchd keeps its backend in SQLite on every node (BackendDB \"sqlite\"); "
        + "the MySQL backend's settings have no effect"
    private static let noAgents = "orchd does not support orchestrator-agent"
    private static let noPseudoGTID = "orchd moves replicas by GTID only; Pseudo-GTID is not supported. Enable "
        + "GTID (MariaDB gtid_strict_mode / MySQL gtid_mode=ON) and remove the key"
    private static let noGraphite = "orchd exports metrics at /metrics in Prometheus' format instead of Graphite"
    private static let noConsul = "orchd cannot publish to Consul (it cannot be tested here, so no untested "
        + "writer ships); remove the key and use a hook (PostFailoverProcesses) to update Consul"
    private static let notYet = "is not implemented by orchd yet; remove the key (orchd would silently not do it)"
    private static let internalBuffers = "orchd's discovery has no such internal queue or buffer to tune"

    /// One row per key of `keys`; `ConfigurationStatusTests` walks the schema so no key lacks one.
    static let statuses: [String: ConfigKeyStatus] = {
        var table: [String: ConfigKeyStatus] = [:]
        func honoured(_ names: String...) { for n in names { table[n] = .honoured } }
        func accepted(_ reason: String, _ names: String...) { for n in names { table[n] = .accepted(reason) } }
        func refused(_ reason: String, _ names: String...) { for n in names { table[n] = .refused(reason) } }

        // General and HTTP
        honoured("ListenAddress", "HTTPAdvertise", "StatusEndpoint", "ReadOnly", "AuthenticationMethod",
                 "HTTPAuthUser", "HTTPAuthPassword", "AuthUserHeader", "PowerAuthUsers")
        accepted("orchd logs at info level; run `orchd --debug` for debug logs", "Debug")
        accepted("orchd logs to standard error; run it under systemd (journald) or redirect it", "EnableSyslog")
        accepted(noAgents, "AgentsServerPort")
        accepted("the web UI shows no banner message", "WebMessage")
        accepted("API messages carry no node identity prefix", "PrependMessagesWithOrcIdentity", "CustomOrcIdentity")
        refused("orchd serves its API on ListenAddress only, not on a unix socket; remove the key", "ListenSocket")
        refused("orchd serves its API and web UI at the root path; remove the key and route the prefix in your "
                + "proxy (a script calling /PREFIX/api/... would get 404s otherwise)", "URLPrefix")
        refused(noOAuth, "OAuthClientId", "OAuthClientSecret", "OAuthScopes", "AccessTokenUseExpirySeconds",
                "AccessTokenExpiryMinutes")
        refused("group-based permissions are not supported; list the users in PowerAuthUsers instead (members of "
                + "these groups would otherwise be refused changes you meant to allow)", "PowerAuthGroups")
        honoured("UseSSL", "UseMutualTLS", "SSLSkipVerify", "SSLPrivateKeyFile", "SSLCertFile", "SSLCAFile", "SSLValidOUs",
                 "StatusOUVerify")

        // Topology access
        honoured("MySQLTopologyUser", "MySQLTopologyPassword", "MySQLTopologyCredentialsConfigFile",
                 "MySQLConnectTimeoutSeconds", "MySQLDiscoveryReadTimeoutSeconds", "DefaultInstancePort",
                 "UseSuperReadOnly", "ReplicationCredentialsQuery")
        honoured("MySQLTopologySSLPrivateKeyFile", "MySQLTopologySSLCertFile", "MySQLTopologySSLCAFile",
                 "MySQLTopologySSLSkipVerify", "MySQLTopologyUseMutualTLS", "MySQLTopologyUseMixedTLS")
        accepted("orchd uses the client library's max_allowed_packet", "MySQLTopologyMaxAllowedPacket")
        accepted("orchd keeps no per-server TLS cache: under MySQLTopologyUseMixedTLS a new pooled connection tries "
                 + "plain first and TLS when the server refuses it", "TLSCacheTTLFactor")
        accepted("orchd bounds each operation step by its own deadline and MySQLDiscoveryReadTimeoutSeconds",
                 "MySQLTopologyReadTimeoutSeconds")
        accepted("orchd reopens a pooled connection when it fails rather than after a fixed lifetime",
                 "MySQLConnectionLifetimeSeconds")

        // Backend
        honoured("BackendDB", "SQLite3DataFile")
        accepted("orchd migrates its SQLite schema at start-up itself", "SkipOrchestratorDatabaseUpdate",
                 "PanicIfDifferentDatabaseDeploy")
        accepted(noMySQLBackend, "MySQLOrchestratorHost", "MySQLOrchestratorMaxPoolConnections", "MySQLOrchestratorPort",
                 "MySQLOrchestratorDatabase", "MySQLOrchestratorUser", "MySQLOrchestratorPassword",
                 "MySQLOrchestratorCredentialsConfigFile", "MySQLOrchestratorReadTimeoutSeconds",
                 "MySQLOrchestratorRejectReadOnly", "MySQLOrchestratorMaxAllowedPacket")
        refused(noMySQLBackend + "; remove the key (it asks for TLS to a backend orchd never connects to)",
                "MySQLOrchestratorSSLPrivateKeyFile", "MySQLOrchestratorSSLCertFile", "MySQLOrchestratorSSLCAFile",
                "MySQLOrchestratorSSLSkipVerify", "MySQLOrchestratorUseMutualTLS")

        // Raft
        honoured("RaftEnabled", "RaftBind", "RaftAdvertise", "RaftDataDir", "DefaultRaftPort", "RaftNodes",
                 "ExpectFailureAnalysisConcensus")

        // Discovery
        honoured("InstancePollSeconds", "ReasonableInstanceCheckSeconds", "UnseenInstanceForgetHours",
                 "DiscoverByShowSlaveHosts", "DiscoveryMaxConcurrency", "DiscoverySeeds")
        accepted(internalBuffers, "InstanceWriteBufferSize", "BufferInstanceWrites", "InstanceFlushIntervalMilliseconds",
                 "DiscoveryQueueCapacity", "DiscoveryQueueMaxStatisticsSize", "DiscoveryCollectionRetentionSeconds",
                 "InstanceBulkOperationsWaitTimeoutSeconds")
        accepted("orchd does not probe MaxScale", "SkipMaxScaleCheck")
        accepted("orchd keeps no topology snapshots history", "SnapshotTopologiesIntervalHours")
        accepted("orchd keys servers by the names operators give and replicas report (report_host); it does not "
                 + "resolve host names", "HostnameResolveMethod", "MySQLHostnameResolveMethod",
                 "SkipBinlogServerUnresolveCheck", "ExpiryHostnameResolvesMinutes", "RejectHostnameResolvePattern")
        accepted("orchd polls unreachable servers at the normal period", "DeadInstancePollSecondsMultiplyFactor",
                 "DeadInstancePollSecondsMax")
        refused("this discovery filter " + notYet + ": orchd would probe and manage the servers you meant it to "
                + "ignore", "DiscoveryIgnoreReplicaHostnameFilters", "DiscoveryIgnoreMasterHostnameFilters",
                "DiscoveryIgnoreHostnameFilters")

        // Classification
        honoured("ClusterNameToAlias", "DetectClusterAliasQuery", "DetectClusterDomainQuery", "DetectInstanceAliasQuery",
                 "DataCenterPattern", "RegionPattern", "PhysicalEnvironmentPattern", "DetectDataCenterQuery",
                 "DetectRegionQuery", "DetectPhysicalEnvironmentQuery", "DetectSemiSyncEnforcedQuery")
        refused("DetectPromotionRuleQuery " + notYet + "; register candidates with `orchestrator-client -c "
                + "register-candidate -i host:port -R prefer` instead", "DetectPromotionRuleQuery")
        accepted("orchd matches host names exactly", "SupportFuzzyPoolHostnames", "InstancePoolExpiryMinutes")
        accepted("orchd shows host names as they are", "RemoveTextFromHostnameDisplay")

        // Lag and problems
        honoured("ReasonableReplicationLagSeconds", "ReasonableLockedSemiSyncMasterSeconds", "ReplicationLagQuery",
                 "SlaveLagQuery")
        accepted("orchd lists problems on every server", "ProblemIgnoreHostnameFilters")
        refused("VerifyReplicationFilters " + notYet + ": orchd does not compare replication filters before a move",
                "VerifyReplicationFilters")
        accepted("orchd's refactoring checks each replica itself", "ReasonableMaintenanceReplicationLagSeconds")

        // Audit
        accepted("orchd audits recoveries in its replicated topology_recovery table and logs to standard error",
                 "AuditLogFile", "AuditToSyslog", "AuditToBackendDB", "AuditPurgeDays")

        // Detection and recovery
        honoured("CandidateInstanceExpireMinutes", "PromotionIgnoreHostnameFilters", "RecoveryPeriodBlockMinutes",
                 "RecoveryPeriodBlockSeconds", "RecoveryIgnoreHostnameFilters", "RecoverMasterClusterFilters",
                 "RecoverIntermediateMasterClusterFilters", "CoMasterRecoveryMustPromoteOtherCoMaster",
                 "DetachLostSlavesAfterMasterFailover", "DetachLostReplicasAfterMasterFailover",
                 "ApplyMySQLPromotionAfterMasterFailover", "PreventCrossDataCenterMasterFailover",
                 "PreventCrossRegionMasterFailover", "MasterFailoverLostInstancesDowntimeMinutes",
                 "FailMasterPromotionOnLagMinutes", "FailMasterPromotionIfSQLThreadNotUpToDate",
                 "EnforceExactSemiSyncReplicas", "OSCIgnoreHostnameFilters", "RecoverNonWriteableMaster")
        accepted("orchd reports every analysis", "ReduceReplicationAnalysisCount")
        accepted("orchd records each detection and runs OnFailureDetectionProcesses once per failure",
                 "FailureDetectionPeriodBlockMinutes")
        accepted("orchd always lets the successor apply its relay logs before promoting it (as if true)",
                 "DelayMasterPromotionIfSQLThreadNotUpToDate")
        accepted("orchd repoints a dead intermediate master's replicas at once, lagging or not",
                 "PostponeSlaveRecoveryOnLagMinutes", "PostponeReplicaRecoveryOnLagMinutes")
        accepted("orchd runs each recovery's replica operations in parallel without this bound",
                 "MaxConcurrentReplicaOperations")
        refused("RecoverLockedSemiSyncMaster " + notYet + ": a locked semi-sync master is reported, not recovered",
                "RecoverLockedSemiSyncMaster")
        refused("detaching the demoted master's master host " + notYet + "; orchd fences the old master with "
                + "read_only=1 instead", "MasterFailoverDetachSlaveMasterHost", "MasterFailoverDetachReplicaMasterHost")

        // Hooks
        honoured("ProcessesShellCommand", "OnFailureDetectionProcesses", "PreGracefulTakeoverProcesses",
                 "PreFailoverProcesses", "PostFailoverProcesses", "PostUnsuccessfulFailoverProcesses",
                 "PostMasterFailoverProcesses", "PostIntermediateMasterFailoverProcesses",
                 "PostGracefulTakeoverProcesses", "PostUnsuccessfulGracefulTakeoverProcesses")
        refused("PostTakeMasterProcesses " + notYet + ": these hooks would never run after take-master",
                "PostTakeMasterProcesses")

        // Pseudo-GTID and binlogs
        refused(noPseudoGTID, "AutoPseudoGTID", "PseudoGTIDPattern", "PseudoGTIDPatternIsFixedSubstring",
                "PseudoGTIDMonotonicHint", "DetectPseudoGTIDQuery")
        accepted("orchd reads binary logs only to locate errant GTIDs, in its own chunks", "BinlogEventsChunkSize",
                 "SkipBinlogEventsContaining")

        // Agents and seeds
        refused(noAgents + "; remove the key", "ServeAgentsHttp")
        refused(noAgents + "; remove the agents' TLS settings", "AgentsUseSSL", "AgentsUseMutualTLS",
                "AgentSSLSkipVerify", "AgentSSLPrivateKeyFile", "AgentSSLCertFile", "AgentSSLCAFile", "AgentSSLValidOUs")
        accepted(noAgents, "AgentPollMinutes", "UnseenAgentForgetHours", "StaleSeedFailMinutes",
                 "SeedAcceptableBytesDiff", "SeedWaitSecondsBeforeSend")

        // Metrics and KV stores
        accepted(noGraphite, "GraphiteAddr", "GraphitePath", "GraphiteConvertHostnameDotsToUnderscores",
                 "GraphitePollSeconds")
        refused(noConsul, "ConsulAddress", "ConsulAclToken")
        accepted(noConsul, "ConsulScheme", "ConsulCrossDataCenterDistribution", "ConsulKVStoreProvider",
                 "ConsulMaxKVsPerTransaction")
        honoured("KVClusterMasterPrefix", "ZkAddress")

        // orchd's own keys
        honoured("HookTimeoutSeconds", "RaftTickMilliseconds", "RaftElectionTicks", "RaftHeartbeatTicks",
                 "RaftSnapshotThreshold", "HTTPProxyTimeoutSeconds", "MySQLReplicationUser", "MySQLReplicationPassword",
                 "RaftTLSCertFile", "RaftTLSPrivateKeyFile", "RaftTLSCAFile", "EtcdEndpoints", "KVSyncIntervalSeconds",
                 "EtcdUsername", "EtcdPassword", "EtcdCAFile", "EtcdCertFile", "EtcdKeyFile")
        return table
    }()

    /// Keys whose meaning is security (authentication, encryption, secrets) or safety (what recovery
    /// promotes, fences or tells applications): never `.accepted`.
    public static let securityAndSafetyKeys: Set<String> = [
        "ReadOnly", "AuthenticationMethod", "HTTPAuthUser", "HTTPAuthPassword", "AuthUserHeader", "PowerAuthUsers",
        "PowerAuthGroups", "OAuthClientId", "OAuthClientSecret", "OAuthScopes", "AccessTokenUseExpirySeconds",
        "AccessTokenExpiryMinutes", "UseSSL", "UseMutualTLS", "SSLSkipVerify", "SSLPrivateKeyFile", "SSLCertFile",
        "SSLCAFile", "SSLValidOUs", "StatusOUVerify", "ListenAddress", "ListenSocket", "MySQLTopologySSLPrivateKeyFile",
        "MySQLTopologySSLCertFile", "MySQLTopologySSLCAFile", "MySQLTopologySSLSkipVerify", "MySQLTopologyUseMutualTLS",
        "MySQLTopologyUseMixedTLS", "MySQLOrchestratorSSLPrivateKeyFile", "MySQLOrchestratorSSLCertFile",
        "MySQLOrchestratorSSLCAFile", "MySQLOrchestratorSSLSkipVerify", "MySQLOrchestratorUseMutualTLS",
        "AgentsUseSSL", "AgentsUseMutualTLS", "AgentSSLSkipVerify", "AgentSSLPrivateKeyFile", "AgentSSLCertFile",
        "AgentSSLCAFile", "AgentSSLValidOUs", "ConsulAclToken", "ConsulAddress", "ZkAddress", "EtcdEndpoints",
        "ReplicationCredentialsQuery", "DiscoveryIgnoreReplicaHostnameFilters", "DiscoveryIgnoreMasterHostnameFilters",
        "DiscoveryIgnoreHostnameFilters", "DetectPromotionRuleQuery", "ReplicationLagQuery", "SlaveLagQuery",
        "VerifyReplicationFilters", "RecoverNonWriteableMaster", "RecoverLockedSemiSyncMaster",
        "MasterFailoverDetachSlaveMasterHost", "MasterFailoverDetachReplicaMasterHost", "PostTakeMasterProcesses",
        "PromotionIgnoreHostnameFilters", "RecoverMasterClusterFilters", "RecoverIntermediateMasterClusterFilters",
        "PreventCrossDataCenterMasterFailover", "PreventCrossRegionMasterFailover", "FailMasterPromotionOnLagMinutes",
        "FailMasterPromotionIfSQLThreadNotUpToDate", "RecoveryPeriodBlockSeconds", "RecoveryPeriodBlockMinutes",
        "PreFailoverProcesses", "PostFailoverProcesses", "PostMasterFailoverProcesses", "AutoPseudoGTID",
        "PseudoGTIDPattern", "ServeAgentsHttp", "RaftTLSCertFile", "RaftTLSPrivateKeyFile", "RaftTLSCAFile",
        "EtcdUsername", "EtcdPassword", "EtcdCAFile", "EtcdCertFile", "EtcdKeyFile",
    ]
}
