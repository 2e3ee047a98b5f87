/// A configuration value of one of the types orchestrator.conf.json uses.
public enum ConfigValue: Sendable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case int(Int64)
    case string(String)
    case strings([String])
    case map([String: String])

    public var description: String {
        switch self {
        case .bool(let v): return String(v)
        case .int(let v): return String(v)
        case .string(let v): return "\"\(v)\""
        case .strings(let v): return "[" + v.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        case .map(let v): return "{" + v.keys.sorted().map { "\"\($0)\":\"\(v[$0]!)\"" }.joined(separator: ",") + "}"
        }
    }
}

/// One known key: its name, type (from the default), default, lower bound for integers, and whether
/// its value is a secret (never printed; `${ENV}` expanded).
public struct ConfigKeySpec: Sendable {
    public let name: String
    public let defaultValue: ConfigValue
    public let minimum: Int64?
    public let maximum: Int64?
    public let isSecret: Bool
    /// Ours, not upstream's.
    public let isExtension: Bool

    init(_ name: String, _ value: ConfigValue, minimum: Int64? = nil, maximum: Int64? = nil,
         isSecret: Bool = false, isExtension: Bool = false) {
        self.name = name
        self.defaultValue = value
        self.minimum = minimum
        self.maximum = maximum
        self.isSecret = isSecret
        self.isExtension = isExtension
    }

    /// How the expected type reads in an error message.
    public var typeDescription: String {
        switch defaultValue {
        case .bool: return "true or false"
        case .int:
            if let minimum, let maximum { return "an integer from \(minimum) to \(maximum)" }
            if let minimum { return minimum == 0 ? "a non-negative integer" : "an integer >= \(minimum)" }
            return "an integer"
        case .string: return "a string"
        case .strings: return "a list of strings"
        case .map: return "an object mapping strings to strings"
        }
    }
}

private func b(_ n: String, _ v: Bool) -> ConfigKeySpec { ConfigKeySpec(n, .bool(v)) }
private func u(_ n: String, _ v: Int64, min: Int64 = 0, max: Int64? = nil) -> ConfigKeySpec {
    ConfigKeySpec(n, .int(v), minimum: min, maximum: max)
}
private func i(_ n: String, _ v: Int64) -> ConfigKeySpec { ConfigKeySpec(n, .int(v)) }
private func s(_ n: String, _ v: String = "") -> ConfigKeySpec { ConfigKeySpec(n, .string(v)) }
private func secret(_ n: String) -> ConfigKeySpec { ConfigKeySpec(n, .string(""), isSecret: true) }
private func l(_ n: String, _ v: [String] = []) -> ConfigKeySpec { ConfigKeySpec(n, .strings(v)) }
private func m(_ n: String) -> ConfigKeySpec { ConfigKeySpec(n, .map([:])) }
private func ours(_ n: String, _ v: Int64, min: Int64, max: Int64? = nil) -> ConfigKeySpec {
    ConfigKeySpec(n, .int(v), minimum: min, maximum: max, isExtension: true)
}

/// Every key orchd knows, with upstream orchestrator's defaults (go/config/config.go,
/// newConfiguration) and orchd's own additions at the end.
public enum ConfigurationSchema {
    public static let keys: [ConfigKeySpec] = [
        // General and HTTP
        b("Debug", false), b("EnableSyslog", false), s("ListenAddress", ":3000"), s("ListenSocket"),
        s("HTTPAdvertise"), s("AgentsServerPort", ":3001"), s("StatusEndpoint", "/api/status"),
        b("StatusOUVerify", false), s("URLPrefix"), s("WebMessage"), b("ReadOnly", false),
        s("AuthenticationMethod"), s("OAuthClientId"), secret("OAuthClientSecret"), l("OAuthScopes"),
        s("HTTPAuthUser"), secret("HTTPAuthPassword"), s("AuthUserHeader", "X-Forwarded-User"),
        l("PowerAuthUsers", ["*"]), l("PowerAuthGroups"), u("AccessTokenUseExpirySeconds", 60),
        u("AccessTokenExpiryMinutes", 1440), b("UseSSL", false), b("UseMutualTLS", false),
        b("SSLSkipVerify", false), s("SSLPrivateKeyFile"), s("SSLCertFile"), s("SSLCAFile"), l("SSLValidOUs"),
        s("PrependMessagesWithOrcIdentity"), s("CustomOrcIdentity"),
        // Topology access
        s("MySQLTopologyUser"), secret("MySQLTopologyPassword"), s("MySQLTopologyCredentialsConfigFile"),
        s("MySQLTopologySSLPrivateKeyFile"), s("MySQLTopologySSLCertFile"), s("MySQLTopologySSLCAFile"),
        b("MySQLTopologySSLSkipVerify", false), b("MySQLTopologyUseMutualTLS", false),
        b("MySQLTopologyUseMixedTLS", true), i("MySQLTopologyMaxAllowedPacket", -1), u("TLSCacheTTLFactor", 100),
        u("MySQLConnectTimeoutSeconds", 2, min: 1), u("MySQLDiscoveryReadTimeoutSeconds", 10, min: 1),
        u("MySQLTopologyReadTimeoutSeconds", 600, min: 1), u("MySQLConnectionLifetimeSeconds", 0),
        u("DefaultInstancePort", 3306, min: 1, max: 65535), s("ReplicationCredentialsQuery"),
        b("UseSuperReadOnly", false),
        // Backend
        s("BackendDB", "mysql"), s("SQLite3DataFile"), b("SkipOrchestratorDatabaseUpdate", false),
        b("PanicIfDifferentDatabaseDeploy", false), s("MySQLOrchestratorHost"),
        u("MySQLOrchestratorMaxPoolConnections", 128, min: 1), u("MySQLOrchestratorPort", 3306, min: 1, max: 65535),
        s("MySQLOrchestratorDatabase"), s("MySQLOrchestratorUser"), secret("MySQLOrchestratorPassword"),
        s("MySQLOrchestratorCredentialsConfigFile"), s("MySQLOrchestratorSSLPrivateKeyFile"),
        s("MySQLOrchestratorSSLCertFile"), s("MySQLOrchestratorSSLCAFile"), b("MySQLOrchestratorSSLSkipVerify", false),
        b("MySQLOrchestratorUseMutualTLS", false), u("MySQLOrchestratorReadTimeoutSeconds", 30, min: 1),
        b("MySQLOrchestratorRejectReadOnly", false), i("MySQLOrchestratorMaxAllowedPacket", -1),
        // Raft
        b("RaftEnabled", false), s("RaftBind", "127.0.0.1:10008"), s("RaftAdvertise"), s("RaftDataDir"),
        u("DefaultRaftPort", 10008, min: 1, max: 65535), l("RaftNodes"), b("ExpectFailureAnalysisConcensus", true),
        // Discovery
        u("InstancePollSeconds", 5, min: 1), u("ReasonableInstanceCheckSeconds", 1), u("InstanceWriteBufferSize", 100),
        b("BufferInstanceWrites", false), u("InstanceFlushIntervalMilliseconds", 100), b("SkipMaxScaleCheck", true),
        u("UnseenInstanceForgetHours", 240), u("SnapshotTopologiesIntervalHours", 0), b("DiscoverByShowSlaveHosts", false),
        u("DiscoveryMaxConcurrency", 300, min: 1), u("DiscoveryQueueCapacity", 100_000, min: 1),
        u("DiscoveryQueueMaxStatisticsSize", 120), u("DiscoveryCollectionRetentionSeconds", 120), l("DiscoverySeeds"),
        u("InstanceBulkOperationsWaitTimeoutSeconds", 10), s("HostnameResolveMethod", "default"),
        s("MySQLHostnameResolveMethod", "@@hostname"), b("SkipBinlogServerUnresolveCheck", true),
        u("ExpiryHostnameResolvesMinutes", 60), s("RejectHostnameResolvePattern"),
        l("DiscoveryIgnoreReplicaHostnameFilters"), l("DiscoveryIgnoreMasterHostnameFilters"),
        l("DiscoveryIgnoreHostnameFilters"), u("DeadInstancePollSecondsMultiplyFactor", 1),
        u("DeadInstancePollSecondsMax", 300),
        // Classification
        m("ClusterNameToAlias"), s("DetectClusterAliasQuery"), s("DetectClusterDomainQuery"),
        s("DetectInstanceAliasQuery"), s("DetectPromotionRuleQuery"), s("DataCenterPattern"), s("RegionPattern"),
        s("PhysicalEnvironmentPattern"), s("DetectDataCenterQuery"), s("DetectRegionQuery"),
        s("DetectPhysicalEnvironmentQuery"), s("DetectSemiSyncEnforcedQuery"), b("SupportFuzzyPoolHostnames", true),
        u("InstancePoolExpiryMinutes", 60), s("RemoveTextFromHostnameDisplay"),
        // Lag and problems
        s("SlaveLagQuery"), s("ReplicationLagQuery"), u("ReasonableReplicationLagSeconds", 10),
        l("ProblemIgnoreHostnameFilters"), b("VerifyReplicationFilters", false),
        u("ReasonableMaintenanceReplicationLagSeconds", 20), u("ReasonableLockedSemiSyncMasterSeconds", 0),
        // Audit
        s("AuditLogFile"), b("AuditToSyslog", false), b("AuditToBackendDB", false), u("AuditPurgeDays", 7),
        // Detection and recovery
        u("CandidateInstanceExpireMinutes", 60), l("PromotionIgnoreHostnameFilters"),
        b("ReduceReplicationAnalysisCount", true), u("FailureDetectionPeriodBlockMinutes", 60),
        u("RecoveryPeriodBlockMinutes", 60), u("RecoveryPeriodBlockSeconds", 3600), l("RecoveryIgnoreHostnameFilters"),
        l("RecoverMasterClusterFilters"), l("RecoverIntermediateMasterClusterFilters"),
        b("RecoverNonWriteableMaster", false), b("CoMasterRecoveryMustPromoteOtherCoMaster", true),
        b("DetachLostSlavesAfterMasterFailover", true), b("DetachLostReplicasAfterMasterFailover", true),
        b("ApplyMySQLPromotionAfterMasterFailover", true), b("PreventCrossDataCenterMasterFailover", false),
        b("PreventCrossRegionMasterFailover", false), u("MasterFailoverLostInstancesDowntimeMinutes", 0),
        b("MasterFailoverDetachSlaveMasterHost", false), b("MasterFailoverDetachReplicaMasterHost", false),
        u("FailMasterPromotionOnLagMinutes", 0), b("FailMasterPromotionIfSQLThreadNotUpToDate", false),
        b("DelayMasterPromotionIfSQLThreadNotUpToDate", false), u("PostponeSlaveRecoveryOnLagMinutes", 0),
        u("PostponeReplicaRecoveryOnLagMinutes", 0), u("MaxConcurrentReplicaOperations", 5, min: 1),
        b("EnforceExactSemiSyncReplicas", false), b("RecoverLockedSemiSyncMaster", false),
        l("OSCIgnoreHostnameFilters"),
        // Hooks
        s("ProcessesShellCommand", "bash"), l("OnFailureDetectionProcesses"), l("PreGracefulTakeoverProcesses"),
        l("PreFailoverProcesses"), l("PostFailoverProcesses"), l("PostUnsuccessfulFailoverProcesses"),
        l("PostMasterFailoverProcesses"), l("PostIntermediateMasterFailoverProcesses"),
        l("PostGracefulTakeoverProcesses"), l("PostUnsuccessfulGracefulTakeoverProcesses"),
        l("PostTakeMasterProcesses"),
        // Pseudo-GTID and binlogs
        b("AutoPseudoGTID", false), s("PseudoGTIDPattern"), b("PseudoGTIDPatternIsFixedSubstring", false),
        s("PseudoGTIDMonotonicHint"), s("DetectPseudoGTIDQuery"), u("BinlogEventsChunkSize", 10_000, min: 1),
        l("SkipBinlogEventsContaining"),
        // Agents and seeds
        b("ServeAgentsHttp", false), b("AgentsUseSSL", false), b("AgentsUseMutualTLS", false),
        b("AgentSSLSkipVerify", false), s("AgentSSLPrivateKeyFile"), s("AgentSSLCertFile"), s("AgentSSLCAFile"),
        l("AgentSSLValidOUs"), u("AgentPollMinutes", 60), u("UnseenAgentForgetHours", 6), u("StaleSeedFailMinutes", 60),
        i("SeedAcceptableBytesDiff", 8192), i("SeedWaitSecondsBeforeSend", 2),
        // Metrics and KV stores
        s("GraphiteAddr"), s("GraphitePath"), b("GraphiteConvertHostnameDotsToUnderscores", true),
        i("GraphitePollSeconds", 60), s("ConsulAddress"), s("ConsulScheme", "http"), secret("ConsulAclToken"),
        b("ConsulCrossDataCenterDistribution", false), s("ConsulKVStoreProvider", "consul"),
        i("ConsulMaxKVsPerTransaction", 5), s("ZkAddress"), s("KVClusterMasterPrefix", "mysql/master"),
        // orchd additions
        ours("HookTimeoutSeconds", 60, min: 1),
        ours("RaftTickMilliseconds", 20, min: 1, max: 10_000),
        ours("RaftElectionTicks", 9, min: 2),
        ours("RaftHeartbeatTicks", 2, min: 1),
        ours("RaftSnapshotThreshold", 8192, min: 1),
        ours("HTTPProxyTimeoutSeconds", 10, min: 1),
        ConfigKeySpec("MySQLReplicationUser", .string(""), isExtension: true),
        ConfigKeySpec("MySQLReplicationPassword", .string(""), isSecret: true, isExtension: true),
        // Mutual TLS between Raft members (upstream's Raft is plain TCP).
        ConfigKeySpec("RaftTLSCertFile", .string(""), isExtension: true),
        ConfigKeySpec("RaftTLSPrivateKeyFile", .string(""), isExtension: true),
        ConfigKeySpec("RaftTLSCAFile", .string(""), isExtension: true),
        // Master discovery through etcd v3 (its JSON gateway): http[s]://host:port, tried in order.
        ConfigKeySpec("EtcdEndpoints", .strings([]), isExtension: true),
        // etcd authentication (a token from /v3/auth/authenticate) and TLS to https:// endpoints.
        ConfigKeySpec("EtcdUsername", .string(""), isExtension: true),
        ConfigKeySpec("EtcdPassword", .string(""), isSecret: true, isExtension: true),
        ConfigKeySpec("EtcdCAFile", .string(""), isExtension: true),
        ConfigKeySpec("EtcdCertFile", .string(""), isExtension: true),
        ConfigKeySpec("EtcdKeyFile", .string(""), isExtension: true),
        // The Raft leader re-asserts every cluster's master in the stores this often.
        ours("KVSyncIntervalSeconds", 60, min: 1),
    ]

    /// Keys upstream accepts but no longer uses: warned about as deprecated, not as unknown.
    public static let deprecatedKeys: Set<String> = [
        "DatabaselessMode__experimental", "BufferBinlogEvents", "BinlogFileHistoryDays", "MaintenanceOwner",
        "ReadLongRunningQueries", "DiscoveryPollSeconds", "ActiveNodeExpireSeconds", "AuditPageSize",
        "SlaveStartPostWaitMilliseconds", "MySQLTopologyMaxPoolConnections", "MaintenancePurgeDays",
        "MaintenanceExpireMinutes", "HttpTimeoutSeconds", "AgentAutoDiscover",
        "PseudoGTIDCoordinatesHistoryHeuristicMinutes", "PseudoGTIDPreferIndependentMultiMatch",
        "MaxOutdatedKeysToShow",
    ]

    /// Specs by exact name.
    public static let byName: [String: ConfigKeySpec] = Dictionary(keys.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

    /// Specs by lower-cased name (upstream's Go JSON decoding matches keys case-insensitively).
    static let byLowercasedName: [String: ConfigKeySpec] =
        Dictionary(keys.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })

    /// The known key closest to `name` by edit distance (case-insensitive), if reasonably close.
    public static func closestKey(to name: String) -> String? {
        let target = Array(name.lowercased())
        var best: (String, Int)?
        for spec in keys {
            let distance = editDistance(target, Array(spec.name.lowercased()))
            if best == nil || distance < best!.1 { best = (spec.name, distance) }
        }
        guard let best, best.1 <= max(3, target.count / 3) else { return nil }
        return best.0
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
