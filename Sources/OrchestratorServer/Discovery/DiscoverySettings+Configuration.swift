import OrchestratorCore

extension DiscoverySettings {
    /// Settings from `orchestrator.conf.json`. `credentials` replaces `MySQLTopologyUser`/`Password`
    /// when the daemon read them from `MySQLTopologyCredentialsConfigFile`.
    public init(configuration c: OrchestratorConfiguration, credentials: MySQLCredentials? = nil) {
        self.init(mysql: MySQLClientConfig(
            user: credentials?.user ?? c.mysqlTopologyUser,
            password: credentials?.password ?? c.mysqlTopologyPassword,
            connectTimeoutSeconds: c.mysqlConnectTimeoutSeconds,
            readTimeoutSeconds: c.mysqlDiscoveryReadTimeoutSeconds,
            writeTimeoutSeconds: c.mysqlDiscoveryReadTimeoutSeconds,
            tls: MySQLTLSSettings(configuration: c)))
        instancePollSeconds = c.instancePollSeconds
        discoveryMaxConcurrency = c.discoveryMaxConcurrency
        unseenInstanceForgetHours = c.unseenInstanceForgetHours
        discoverySeeds = c.discoverySeedKeys
        discoverByShowSlaveHosts = c.discoverByShowSlaveHosts
        reasonableReplicationLagSeconds = c.reasonableReplicationLagSeconds
        clusterNameToAlias = c.clusterNameToAlias
        detectClusterAliasQuery = c.detectClusterAliasQuery
        detectClusterDomainQuery = c.detectClusterDomainQuery
        detectInstanceAliasQuery = c.detectInstanceAliasQuery
        detectDataCenterQuery = c.detectDataCenterQuery
        dataCenterPattern = c.dataCenterPattern
        detectRegionQuery = c.detectRegionQuery
        regionPattern = c.regionPattern
        detectPhysicalEnvironmentQuery = c.detectPhysicalEnvironmentQuery
        physicalEnvironmentPattern = c.physicalEnvironmentPattern
        detectSemiSyncEnforcedQuery = c.detectSemiSyncEnforcedQuery
        replicationLagQuery = c.replicationLagQuery
    }
}
