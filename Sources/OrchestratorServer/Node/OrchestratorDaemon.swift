import Foundation
import Logging
import ServiceLifecycle

/// Builds one orchd node from its configuration: backend, discovery, Raft, API; and runs them as one
/// ServiceGroup (HTTP client -> storage -> raft -> intent -> discovery -> recovery -> HTTP server), shut
/// down in reverse on SIGTERM/SIGINT.
public struct OrchestratorDaemon {
    public let configuration: OrchestratorConfiguration
    public let node: OrchestratorNode
    let services: [any Service]
    let logger: Logger

    /// - Parameter configurationPath: the file `reload-configuration` and SIGHUP re-read (nil: the search
    ///   paths again, as at start-up).
    public init(configuration config: OrchestratorConfiguration, configurationPath: String? = nil,
                logger: Logger = Logger(label: "orchd")) throws {
        self.configuration = config
        self.logger = logger
        guard config.isSQLiteBackend else {
            throw DaemonError("BackendDB \"\(config.backendDB)\" is not supported yet: use \"sqlite\" with SQLite3DataFile")
        }
        let database = try BackendDatabase(path: config.sqlite3DataFile)

        // Discovery.
        var discoverySettings = DiscoverySettings(configuration: config)
        discoverySettings.mysql.connectTimeoutSeconds = max(1, discoverySettings.mysql.connectTimeoutSeconds)
        let mysql = discoverySettings.mysql
        if let bad = mysql.tls.unreadableFiles().first {
            throw DaemonError("\(bad.key) \"\(bad.path)\" \(bad.reason): give a readable PEM file for TLS to MySQL")
        }
        switch mysql.tls.mode {
        case .disabled: logger.info("connections to MySQL are plain TCP (MySQLTopologyUseMutualTLS and MySQLTopologyUseMixedTLS are false)")
        case .required, .mixed: logger.info("connections to MySQL: \(mysql.tls)")
        }
        if mysql.tls.mode != .disabled && mysql.tls.skipVerify {
            logger.warning("MySQLTopologySSLSkipVerify: MySQL servers' certificates are not verified; TLS to them is encrypted but unauthenticated")
        }
        let pool = MySQLConnectionPool(config: mysql)
        let discovery = Discovery(
            settings: discoverySettings, prober: MySQLTopologyProber(pool: pool, settings: discoverySettings),
            store: InstanceStore(database: database))

        // Raft: a group of one when RaftEnabled is false, so every change takes the same path.
        let raftID = config.raftEnabled ? config.raftAdvertise : "127.0.0.1:\(config.defaultRaftPort)"
        let voters = config.raftEnabled ? config.raftPeerAddresses : [raftID]
        guard voters.contains(raftID) else {
            throw DaemonError("RaftAdvertise \"\(raftID)\" is not among RaftNodes \(voters): "
                + "list this node's advertised address in RaftNodes")
        }
        let dataDir = config.raftEnabled ? config.raftDataDir : config.sqlite3DataFile + ".raft"
        let storage = try SQLiteRaftStorage(dataDirectory: dataDir)
        let transport: any RaftTransport
        if config.raftEnabled {
            guard let bind = RaftAddress(parsing: config.raftBind, defaultPort: config.defaultRaftPort) else {
                throw DaemonError("RaftBind \"\(config.raftBind)\" is not host:port")
            }
            var options = NIORaftTransport.Options()
            if let tls = config.raftTLS {
                options.tls = try RaftTLS(certificateFile: tls.certificateFile, privateKeyFile: tls.privateKeyFile,
                                          caFile: tls.caFile)
                logger.info("raft connections use mutual TLS: every member's certificate must chain to \(tls.caFile)")
            } else {
                logger.warning("""
                    raft is unauthenticated: anyone who reaches \(config.raftBind) can speak the Raft protocol to \
                    this node; set RaftTLSCertFile, RaftTLSPrivateKeyFile and RaftTLSCAFile for mutual TLS
                    """)
            }
            transport = NIORaftTransport(localID: raftID, bind: bind, options: options)
        } else {
            transport = SoloRaftTransport()
        }
        var raftSettings = RaftService.Settings(id: raftID, voters: voters)
        raftSettings.apply(config)
        let stateMachine = try IntentStateMachine(database: database)
        let raft = try RaftService(settings: raftSettings, storage: storage, transport: transport, stateMachine: stateMachine)

        // Application.
        var nodeSettings = OrchestratorNode.Settings(
            raftID: raftID, httpAdvertise: Self.httpAdvertise(config))
        nodeSettings.raftBind = config.raftBind
        nodeSettings.defaultInstancePort = config.defaultInstancePort
        nodeSettings.recoveryFilters = RecoveryFilters(
            masterFilters: config.recoverMasterClusterFilters,
            intermediateMasterFilters: config.recoverIntermediateMasterClusterFilters)
        nodeSettings.candidateExpirySeconds = config.candidateInstanceExpireMinutes * 60
        nodeSettings.proxyTimeoutSeconds = Double(config.httpProxyTimeoutSeconds)
        nodeSettings.analysis = AnalysisSettings(configuration: config)
        nodeSettings.promotion = PromotionSettings(configuration: config)
        nodeSettings.recoveryPeriodBlockSeconds = Int64(config.recoveryPeriodBlockSeconds)
        nodeSettings.oscIgnoreHostnameFilters = config.oscIgnoreHostnameFilters
        let node = OrchestratorNode(settings: nodeSettings, raft: raft, stateMachine: stateMachine, discovery: discovery)
        // One HTTP client per node for everything it asks its peers (forwarding, second opinions,
        // announcements): peers are verified against SSLCAFile (else the system's roots), and under
        // mutual TLS this node presents its own certificate.
        let httpClient = try HTTPClient(configuration: .init(tls: Self.peerTLS(config)))
        let intent = IntentFollower(node: node, peerAuthorization: HTTPAccessPolicy(configuration: config).peerAuthorization,
                                    httpClient: httpClient)
        let operations = ReplicationOperations(pool: pool, options: .init(configuration: config))
        // Hooks inherit orchd's environment, less every variable that carries one of its credentials
        // (whatever it is called) and MYSQL_PWD, which MySQL clients in a hook would use unasked.
        let withheld = config.credentialEnvironmentNames(in: ProcessInfo.processInfo.environment).union(["MYSQL_PWD"])
        let hooks = ProcessHookRunner(withheldEnvironment: withheld)
        // Master discovery for applications: etcd (EtcdEndpoints) and ZooKeeper (ZkAddress), written by the leader only.
        var kvStores: [any MasterKVStore] = []
        var etcdClient: HTTPClient?
        if !config.etcdEndpoints.isEmpty {
            let endpoints = try config.etcdEndpoints.map { text in
                do { return try HTTPAddress(parsing: text) } catch { throw DaemonError("EtcdEndpoints: \(error)") }
            }
            // etcd's own client: its trust (EtcdCAFile) and certificate are not the API peers'.
            let client: HTTPClient
            do { client = try HTTPClient(configuration: .init(tls: Self.etcdTLS(config))) } catch { throw DaemonError("\(error)") }
            etcdClient = client
            let credentials = config.etcdUsername.isEmpty
                ? nil : EtcdCredentials(username: config.etcdUsername, password: config.etcdPassword)
            if credentials != nil, let plain = endpoints.first(where: { $0.scheme == .http }) {
                logger.warning("EtcdPassword is sent to \(plain) in clear text: use https:// EtcdEndpoints (EtcdCAFile)")
            }
            kvStores.append(EtcdKVStore(endpoints: endpoints, client: client, credentials: credentials))
        }
        if !config.zkAddress.isEmpty {
            do { kvStores.append(try ZooKeeperKVStore(address: config.zkAddress)) } catch { throw DaemonError("\(error)") }
        }
        let kvPublisher = MasterKVPublisher(node: node, stores: kvStores, prefix: config.kvClusterMasterPrefix,
                                            syncInterval: .seconds(config.kvSyncIntervalSeconds))
        let recovery = RecoveryService(
            node: node, operations: operations, hooks: hooks, configuration: config,
            startupGrace: .seconds(2 * max(1, config.instancePollSeconds)),
            detectionStore: FailureDetectionStore(database: database), httpClient: httpClient, kvPublisher: kvPublisher)
        let http = try HTTPServer(api: OrchestratorAPI(node: node, recovery: recovery, access: HTTPAccessPolicy(configuration: config),
                                                          statusEndpoint: config.statusEndpoint, httpClient: httpClient),
                                  listenAddress: config.listenAddress, tls: config.httpTLS)
        Self.sayHowTheAPIIsProtected(config, logger: logger)
        self.node = node
        let reloader = ConfigurationReloader(path: configurationPath, running: config, node: node, recovery: recovery)
        node.setReloadHandler { try await reloader.reload() }
        // The client first, so it shuts down last, after every service that talks to peers.
        var list: [any Service] = [httpClient]
        if let etcdClient { list.append(etcdClient) }
        services = list + [raft, intent, discovery, kvPublisher, recovery, reloader, http]
    }

    /// HTTPAdvertise, or `http[s]://<RaftAdvertise host>:<ListenAddress port>` as upstream derives it.
    static func httpAdvertise(_ config: OrchestratorConfiguration) -> String {
        if !config.httpAdvertise.isEmpty { return config.httpAdvertise }
        let port = (try? HTTPServer.parse(config.listenAddress).1) ?? 3000
        let host = (try? InstanceKey(parsing: config.raftAdvertise, defaultPort: config.defaultRaftPort))?.hostname
            ?? "127.0.0.1"
        return (config.useSSL ? "https" : "http") + "://\(host):\(port)"
    }

    /// How this node's client talks TLS to its peers' APIs.
    static func peerTLS(_ config: OrchestratorConfiguration) -> HTTPClientTLS {
        guard let tls = config.httpTLS else { return HTTPClientTLS() }
        return HTTPClientTLS(caFile: tls.caFile.isEmpty ? nil : tls.caFile,
                             certificateFile: tls.requireClientCertificate ? tls.certificateFile : nil,
                             privateKeyFile: tls.requireClientCertificate ? tls.privateKeyFile : nil,
                             skipVerify: tls.skipVerify)
    }

    /// How orchd's etcd client talks TLS to https:// EtcdEndpoints.
    static func etcdTLS(_ config: OrchestratorConfiguration) -> HTTPClientTLS {
        HTTPClientTLS(caFile: config.etcdCAFile.isEmpty ? nil : config.etcdCAFile,
                      certificateFile: config.etcdCertFile.isEmpty ? nil : config.etcdCertFile,
                      privateKeyFile: config.etcdKeyFile.isEmpty ? nil : config.etcdKeyFile,
                      keyNames: .init(caFile: "EtcdCAFile", certificateFile: "EtcdCertFile", privateKeyFile: "EtcdKeyFile"))
    }

    /// Says at start-up, at warning level where it is weak, how callers and peers are authenticated.
    static func sayHowTheAPIIsProtected(_ config: OrchestratorConfiguration, logger: Logger) {
        guard let tls = config.httpTLS else {
            logger.warning("""
                the API is plain HTTP (UseSSL is false): credentials, changes and peer calls travel unencrypted; \
                set UseSSL with SSLCertFile/SSLPrivateKeyFile, or keep orchd on a trusted network
                """)
            return
        }
        if tls.requireClientCertificate {
            let units = tls.validOUs.isEmpty ? "any organizational unit" : "OU in " + tls.validOUs.joined(separator: ", ")
            logger.info("the API is HTTPS with mutual TLS: clients need a certificate signed by \(tls.caFile) (\(units))")
        } else {
            logger.info("the API is HTTPS (\(tls.certificateFile)); clients are not asked for certificates (UseMutualTLS false)")
        }
        if tls.skipVerify {
            logger.warning("""
                SSLSkipVerify is true: this node does not verify its peers' certificates when it calls them \
                (encrypted, but not authenticated)
                """)
        }
    }

    /// Runs until SIGTERM/SIGINT (graceful) or a service fails.
    public func run() async throws {
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch is CancellationError {
            // A service that ends by cancellation during graceful shutdown is a clean stop.
        }
    }
}

public struct DaemonError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension RaftService.Settings {
    /// orchd's Raft timing keys.
    mutating func apply(_ config: OrchestratorConfiguration) {
        tickInterval = .milliseconds(config.raftTickMilliseconds)
        core.electionTicks = config.raftElectionTicks
        core.heartbeatTicks = config.raftHeartbeatTicks
        snapshotEvery = UInt64(config.raftSnapshotThreshold)
    }
}
