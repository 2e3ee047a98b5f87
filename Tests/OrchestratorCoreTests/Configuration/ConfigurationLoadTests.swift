import OrchestratorCore
import Testing

private let path = "/etc/orchestrator.conf.json"

private func load(_ json: String, env: [String: String] = [:]) throws(ConfigurationError)
    -> (OrchestratorConfiguration, [ConfigurationWarning]) {
    try OrchestratorConfiguration.load(json: Array(json.utf8), path: path, environment: env)
}

/// The error `json` produces (records an issue when it loads).
private func failure(_ json: String, env: [String: String] = [:]) -> ConfigurationError? {
    do {
        _ = try load(json, env: env)
        Issue.record("expected an error for \(json)")
        return nil
    } catch {
        return error
    }
}

@Suite("Configuration: defaults and loading")
struct ConfigurationLoadTests {
    @Test func defaultsMatchUpstream() throws {
        let (c, warnings) = try load("{}")
        #expect(warnings.isEmpty)
        #expect(c.listenAddress == ":3000")
        #expect(c.statusEndpoint == "/api/status")
        #expect(c.backendDB == "mysql")
        #expect(!c.raftEnabled)
        #expect(c.raftBind == "127.0.0.1:10008")
        #expect(c.raftAdvertise == "127.0.0.1:10008")  // defaults to RaftBind
        #expect(c.defaultRaftPort == 10008)
        #expect(c.instancePollSeconds == 5)
        #expect(c.mysqlConnectTimeoutSeconds == 2)
        #expect(c.mysqlDiscoveryReadTimeoutSeconds == 10)
        #expect(c.mysqlTopologyReadTimeoutSeconds == 600)
        #expect(c.defaultInstancePort == 3306)
        #expect(c.discoveryMaxConcurrency == 300)
        #expect(c.unseenInstanceForgetHours == 240)
        #expect(!c.discoverByShowSlaveHosts)
        #expect(c.reasonableReplicationLagSeconds == 10)
        #expect(c.reasonableMaintenanceReplicationLagSeconds == 20)
        #expect(c.reasonableLockedSemiSyncMasterSeconds == 10)  // falls back to the lag threshold
        #expect(c.recoveryPeriodBlockSeconds == 3600)
        #expect(c.failureDetectionPeriodBlockMinutes == 60)
        #expect(c.candidateInstanceExpireMinutes == 60)
        #expect(c.recoverMasterClusterFilters.isEmpty && c.recoverIntermediateMasterClusterFilters.isEmpty)
        #expect(c.applyMySQLPromotionAfterMasterFailover && c.detachLostReplicasAfterMasterFailover)
        #expect(c.coMasterRecoveryMustPromoteOtherCoMaster)
        #expect(c.processesShellCommand == "bash")
        #expect(c.maxConcurrentReplicaOperations == 5)
        #expect(c.expectFailureAnalysisConcensus)
        #expect(c.kvClusterMasterPrefix == "mysql/master/")
        #expect(c.hookTimeoutSeconds == 60)
        #expect(c.raftTickMilliseconds == 20 && c.raftElectionTicks == 9 && c.raftHeartbeatTicks == 2)
        #expect(c == OrchestratorConfiguration().withDerivedDefaults())
    }

    @Test func readsAThreeNodeRaftConfig() throws {
        let (c, warnings) = try load("""
        {
          "ListenAddress": "127.0.0.2:3000",
          "HTTPAdvertise": "http://127.0.0.2:3000",
          "MySQLTopologyUser": "orc",
          "MySQLTopologyPassword": "${ORC_TOPOLOGY_PASSWORD}",
          "BackendDB": "sqlite",
          "SQLite3DataFile": "/var/lib/orchd/node2.db",
          "RaftEnabled": true,
          "RaftDataDir": "/var/lib/orchd/raft2",
          "RaftBind": "127.0.0.2",
          "RaftNodes": ["127.0.0.1", "127.0.0.2:10008", "127.0.0.3:10009"],
          "InstancePollSeconds": 1,
          "DiscoverByShowSlaveHosts": true,
          "ClusterNameToAlias": {"127.0.0.1:13306": "shop"},
          "RecoverMasterClusterFilters": ["*"],
          "HookTimeoutSeconds": 5
        }
        """, env: ["ORC_TOPOLOGY_PASSWORD": "s3cret"])
        #expect(warnings.isEmpty)
        #expect(c.raftEnabled && c.isSQLiteBackend)
        #expect(c.raftAdvertise == "127.0.0.2")
        #expect(c.raftPeerAddresses == ["127.0.0.1:10008", "127.0.0.2:10008", "127.0.0.3:10009"])
        #expect(c.mysqlTopologyPassword == "s3cret")
        #expect(c.instancePollSeconds == 1)
        #expect(c.clusterNameToAlias == ["127.0.0.1:13306": "shop"])
        #expect(c.recoverMasterClusterFilters == ["*"])
        #expect(c.hookTimeoutSeconds == 5)
        #expect(c.explicitKeys.contains("RaftNodes") && !c.explicitKeys.contains("ListenSocket"))
    }

    @Test func malformedJSONNamesFileLineAndColumn() {
        let error = failure("{\n  \"ListenAddress\": \":3000\",\n  \"RaftEnabled\": tru\n}")
        #expect(error?.line == 3)
        #expect(error?.column == 18)
        #expect(error?.description.hasPrefix("cannot read \(path): invalid JSON at line 3, column 18") == true)
        #expect(failure("{\"A\": 1,}")?.description.contains("trailing comma") == true)
        #expect(failure("{\"A\": \"x}")?.description.contains("unterminated string") == true)
        #expect(failure("[1, 2]")?.description == "cannot read \(path): the file must hold a JSON object of settings, not a list")
        #expect(failure("")?.description.contains("line 1, column 1") == true)
    }

    @Test func wrongTypesNameTheKeyAndFile() {
        #expect(failure(#"{"RaftNodes": "127.0.0.1"}"#)?.description
            == "cannot read \(path): key \"RaftNodes\" must be a list of host[:port] strings, not a string (line 1)")
        #expect(failure(#"{"RaftEnabled": "true"}"#)?.description
            == "cannot read \(path): key \"RaftEnabled\" must be true or false, not a string (line 1)")
        #expect(failure(#"{"InstancePollSeconds": 0}"#)?.description
            == "cannot read \(path): key \"InstancePollSeconds\" must be an integer >= 1, not 0 (line 1)")
        #expect(failure(#"{"InstancePollSeconds": "5"}"#)?.key == "InstancePollSeconds")
        #expect(failure(#"{"InstancePollSeconds": 2.5}"#)?.description.contains("2.5 (a fraction)") == true)
        #expect(failure(#"{"DefaultRaftPort": 70000}"#)?.description.contains("an integer from 1 to 65535") == true)
        #expect(failure(#"{"UnseenInstanceForgetHours": -1}"#)?.description.contains("a non-negative integer") == true)
        #expect(failure(#"{"RecoverMasterClusterFilters": ["a", 3]}"#)?.description.contains("item 2 is a number") == true)
        #expect(failure(#"{"ClusterNameToAlias": {"a": 1}}"#)?.key == "ClusterNameToAlias")
        #expect(failure("{\n\n \"ListenAddress\": 3000}")?.line == 3)
    }

    @Test func badValuesNameTheKey() {
        #expect(failure(#"{"RaftNodes": ["127.0.0.1:x"]}"#)?.description.hasPrefix(
            "cannot read \(path): key \"RaftNodes\" must be a list of host[:port] strings; \"127.0.0.1:x\" is not") == true)
        #expect(failure(#"{"RaftNodes": ["a:1", "a:1"]}"#)?.key == "RaftNodes")
        #expect(failure(#"{"DiscoverySeeds": [""]}"#)?.key == "DiscoverySeeds")
        #expect(failure(#"{"BackendDB": "postgres"}"#)?.key == "BackendDB")
        #expect(failure(#"{"ListenAddress": "localhost"}"#)?.key == "ListenAddress")
        #expect(failure(#"{"HTTPAdvertise": "127.0.0.1:3000"}"#)?.description.contains("scheme") == true)
        #expect(failure(#"{"HTTPAdvertise": "http://127.0.0.1"}"#)?.description.contains("port") == true)
        #expect(failure(#"{"HTTPAdvertise": "http://127.0.0.1:3000/api"}"#)?.description.contains("path") == true)
        #expect(failure(#"{"DataCenterPattern": "dc-(["}"#)?.key == "DataCenterPattern")
        #expect(failure(#"{"RecoveryIgnoreHostnameFilters": ["(unclosed"]}"#)?.key == "RecoveryIgnoreHostnameFilters")
        #expect(failure(#"{"HostnameResolveMethod": "dns"}"#)?.key == "HostnameResolveMethod")
        #expect(failure(#"{"RaftElectionTicks": 3, "RaftHeartbeatTicks": 3}"#)?.key == "RaftHeartbeatTicks")
    }

    @Test func missingRequiredKeys() {
        #expect(failure(#"{"BackendDB": "sqlite"}"#)?.description
            == "cannot read \(path): key \"SQLite3DataFile\" is required when BackendDB is \"sqlite\"; give the database file's path")
        #expect(failure(#"{"BackendDB": "sqlite3", "SQLite3DataFile": ""}"#)?.key == "SQLite3DataFile")
        #expect(failure(#"{"RaftEnabled": true, "BackendDB": "sqlite", "SQLite3DataFile": "/x"}"#)?.key == "RaftDataDir")
        #expect(failure(#"{"RaftEnabled": true, "RaftDataDir": "/r", "RaftBind": ""}"#)?.key == "RaftBind")
    }

    @Test func policyConflicts() {
        #expect(failure(#"{"FailMasterPromotionIfSQLThreadNotUpToDate": true, "DelayMasterPromotionIfSQLThreadNotUpToDate": true}"#)?
            .key == "DelayMasterPromotionIfSQLThreadNotUpToDate")
        #expect(failure(#"{"FailMasterPromotionOnLagMinutes": 2}"#)?.key == "FailMasterPromotionOnLagMinutes")
        #expect(failure(#"{"SlaveLagQuery": "a", "ReplicationLagQuery": "b"}"#)?.key == "ReplicationLagQuery")
    }

    @Test func synonymsAndDerivedValues() throws {
        // URLPrefix is refused at start-up (orchd serves at the root); its normalisation is still checked.
        let (c, _) = try OrchestratorConfiguration.load(
            json: Array(#"{"DetachLostSlavesAfterMasterFailover": false, "PostponeSlaveRecoveryOnLagMinutes": 3, "RecoveryPeriodBlockMinutes": 2, "URLPrefix": "orc/", "KVClusterMasterPrefix": "x///", "ReasonableReplicationLagSeconds": 7}"#.utf8),
            path: path, refuseUnsupportedKeys: false)
        #expect(!c.detachLostReplicasAfterMasterFailover)
        #expect(c.postponeReplicaRecoveryOnLagMinutes == 3)
        #expect(c.recoveryPeriodBlockSeconds == 120)
        #expect(c.urlPrefix == "/orc")
        #expect(c.kvClusterMasterPrefix == "x/")
        #expect(c.reasonableLockedSemiSyncMasterSeconds == 7)
        // Setting only the new key is honoured (upstream's legacy default would override it).
        let (d, _) = try load(#"{"DetachLostReplicasAfterMasterFailover": false}"#)
        #expect(!d.detachLostReplicasAfterMasterFailover)
    }

    @Test func unknownDeprecatedMiscasedAndRepeatedKeysWarn() throws {
        let (c, warnings) = try load("""
        {
          "InstancePolSeconds": 3,
          "ListenAdress": ":4000",
          "TotallyUnrelatedThing": 1,
          "AuditPageSize": 20,
          "listenaddress": ":3100",
          "ReadOnly": false,
          "ReadOnly": true
        }
        """)
        let text = warnings.map(\.description)
        #expect(text.count == 6)
        #expect(text[0] == "\(path):2: key \"InstancePolSeconds\" is unknown and ignored (did you mean \"InstancePollSeconds\"?)")
        #expect(text[1].contains("\"ListenAdress\" is unknown and ignored (did you mean \"ListenAddress\"?)"))
        #expect(text[2] == "\(path):4: key \"TotallyUnrelatedThing\" is unknown and ignored")
        #expect(text[3].contains("\"AuditPageSize\" is deprecated and ignored"))
        #expect(text[4].contains("\"listenaddress\" is read as \"ListenAddress\""))
        #expect(text[5].contains("\"ReadOnly\" is given more than once (first at line 7)"))
        #expect(c.instancePollSeconds == 5)
        #expect(c.listenAddress == ":3100")
        #expect(c.readOnly)
    }

    @Test func environmentExpansionInSecrets() throws {
        let (c, _) = try load(#"{"MySQLOrchestratorPassword": "pre-${A}-${B}", "HTTPAuthPassword": "${A}", "MySQLTopologyUser": "${A}"}"#,
                              env: ["A": "x", "B": "y"])
        #expect(c.value(for: "MySQLOrchestratorPassword") == .string("pre-x-y"))
        #expect(c.httpAuthPassword == "x")
        #expect(c.mysqlTopologyUser == "${A}")  // not a secret: left alone
        let error = failure(#"{"MySQLTopologyPassword": "${ORC_PW}"}"#)
        #expect(error?.description
            == "cannot read \(path): key \"MySQLTopologyPassword\" refers to environment variable \"ORC_PW\", which is not set; export it or write the value (line 1)")
        #expect(failure(#"{"MySQLTopologyPassword": "${ORC_PW"}"#)?.key == "MySQLTopologyPassword")
    }

    @Test func layeringOverBase() throws {
        let (first, _) = try load(#"{"InstancePollSeconds": 3, "ListenAddress": ":4000"}"#)
        let (second, _) = try OrchestratorConfiguration.load(
            json: Array(#"{"ListenAddress": ":5000"}"#.utf8), path: "second.json", base: first)
        #expect(second.instancePollSeconds == 3 && second.listenAddress == ":5000")
    }

    @Test func etcdAuthenticationAndTLSKeysGoTogether() throws {
        let (c, warnings) = try load(#"{"EtcdEndpoints": ["https://etcd1:2379"], "EtcdUsername": "orchd", "EtcdPassword": "${ETCD_PW}", "EtcdCAFile": "/etc/orchd/etcd-ca.pem", "EtcdCertFile": "/c.pem", "EtcdKeyFile": "/c.key"}"#,
                                     env: ["ETCD_PW": "etcd-s3cret"])
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(c.etcdUsername == "orchd" && c.etcdPassword == "etcd-s3cret" && c.etcdCAFile == "/etc/orchd/etcd-ca.pem")
        #expect(!c.redactedJSON.contains("etcd-s3cret") && c.redactedJSON.contains("\"EtcdPassword\": \"********\""))
        #expect(failure(#"{"EtcdEndpoints": ["http://e:2379"], "EtcdUsername": "orchd"}"#)?.key == "EtcdPassword")
        #expect(failure(#"{"EtcdEndpoints": ["http://e:2379"], "EtcdPassword": "x"}"#)?.key == "EtcdUsername")
        #expect(failure(#"{"EtcdEndpoints": ["https://e:2379"], "EtcdCertFile": "/c.pem"}"#)?.key == "EtcdKeyFile")
        let plain = failure(#"{"EtcdEndpoints": ["https://e:2379", "http://f:2379"], "EtcdCAFile": "/ca.pem"}"#)
        #expect(plain?.key == "EtcdCAFile" && plain?.reason.contains("http://f:2379") == true, "\(String(describing: plain))")
    }
}

extension OrchestratorConfiguration {
    /// The defaults after load's derived values (what `load("{}")` must produce).
    func withDerivedDefaults() -> OrchestratorConfiguration {
        var c = self
        c.raftAdvertise = c.raftBind
        c.set("ReasonableLockedSemiSyncMasterSeconds", .int(Int64(c.reasonableReplicationLagSeconds)))
        c.set("KVClusterMasterPrefix", .string("mysql/master/"))
        return c
    }
}
