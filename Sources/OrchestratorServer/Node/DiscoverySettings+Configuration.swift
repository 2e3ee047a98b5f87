extension DiscoverySettings {
    /// Discovery settings from orchestrator.conf.json keys.
    init(configuration config: OrchestratorConfiguration, mysql: MySQLClientConfig) {
        self.init(mysql: mysql)
        instancePollSeconds = max(1, config.instancePollSeconds)
        discoveryMaxConcurrency = max(1, config.discoveryMaxConcurrency)
        unseenInstanceForgetHours = config.unseenInstanceForgetHours
        discoverByShowSlaveHosts = config.discoverByShowSlaveHosts
        detectClusterAliasQuery = config.detectClusterAliasQuery
        detectClusterDomainQuery = config.detectClusterDomainQuery
        detectInstanceAliasQuery = config.detectInstanceAliasQuery
        detectDataCenterQuery = config.detectDataCenterQuery
        dataCenterPattern = config.dataCenterPattern
        detectRegionQuery = config.detectRegionQuery
        regionPattern = config.regionPattern
        detectPhysicalEnvironmentQuery = config.detectPhysicalEnvironmentQuery
        physicalEnvironmentPattern = config.physicalEnvironmentPattern
    }
}
