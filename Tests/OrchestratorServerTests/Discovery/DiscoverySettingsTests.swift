import OrchestratorCore
import OrchestratorServer
import Testing

struct DiscoverySettingsTests {
    @Test("settings from the configuration carry upstream's defaults and the operator's values")
    func fromConfiguration() {
        var configuration = OrchestratorConfiguration()
        let defaults = DiscoverySettings(configuration: configuration)
        #expect(defaults.instancePollSeconds == 5)
        #expect(defaults.discoveryMaxConcurrency == 300)
        #expect(defaults.unseenInstanceForgetHours == 240)
        #expect(defaults.mysql.connectTimeoutSeconds == 2)
        #expect(defaults.mysql.readTimeoutSeconds == 10)
        #expect(defaults.discoverByShowSlaveHosts == false)
        #expect(defaults.detectClusterAliasQuery == "")

        configuration.mysqlTopologyUser = "orc"
        configuration.mysqlTopologyPassword = "secret"
        configuration.instancePollSeconds = 1
        configuration.detectClusterAliasQuery = "SELECT 1"
        configuration.clusterNameToAlias = ["db1:3306": "main"]
        let custom = DiscoverySettings(configuration: configuration)
        #expect(custom.mysql.user == "orc" && custom.mysql.password == "secret")
        #expect(custom.instancePollSeconds == 1)
        #expect(custom.detectClusterAliasQuery == "SELECT 1")
        #expect(custom.clusterNameToAlias == ["db1:3306": "main"])

        let fromFile = DiscoverySettings(configuration: configuration, credentials: MySQLCredentials(user: "f", password: "g"))
        #expect(fromFile.mysql.user == "f" && fromFile.mysql.password == "g")
    }
}
