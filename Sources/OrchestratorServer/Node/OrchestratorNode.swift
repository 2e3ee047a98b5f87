import Foundation
import Logging
import Synchronization

/// One orchd node's application layer: joins the replicated operator intent (Raft), the node's own
/// discovery and store, and answers what the HTTP API asks. Mutations are proposed through Raft and
/// take effect when applied; reads come from this node's own view.
public actor OrchestratorNode {
    public struct Settings: Sendable {
        /// This node's Raft id (its RaftAdvertise address).
        public var raftID: RaftNodeID
        /// The address Raft listens on (RaftBind).
        public var raftBind: String = ""
        /// The address other nodes reach this node's API at (`http://host:port`).
        public var httpAdvertise: String
        public var defaultInstancePort: Int = InstanceKey.defaultPort
        public var recoveryFilters = RecoveryFilters()
        /// `CandidateInstanceExpireMinutes` in seconds.
        public var candidateExpirySeconds = 3600
        public var analysis = AnalysisSettings()
        public var promotion = PromotionSettings()
        /// `RecoveryPeriodBlockSeconds`: anti-flapping window for automated recoveries.
        public var recoveryPeriodBlockSeconds: Int64 = 3600
        /// `HTTPProxyTimeoutSeconds`: how long a follower waits for the leader to answer a forwarded call.
        public var proxyTimeoutSeconds: Double = 10
        /// `OSCIgnoreHostnameFilters`: never offered as online-schema-change control replicas.
        public var oscIgnoreHostnameFilters: [String] = []
        /// How long a proposal may wait for commit and apply.
        public var proposeTimeout: Duration = .seconds(10)

        public init(raftID: RaftNodeID, httpAdvertise: String) {
            self.raftID = raftID
            self.httpAdvertise = httpAdvertise
        }
    }

    private let settingsBox: Mutex<Settings>
    /// This node's settings; `reload-configuration` replaces the parts that change at run time.
    public nonisolated var settings: Settings { settingsBox.withLock { $0 } }
    /// What `/api/reload-configuration` runs (installed by the daemon, which knows the file).
    private let reloadHandler = Mutex<(@Sendable () async throws -> ConfigurationReload)?>(nil)
    public let raft: RaftService
    public let stateMachine: IntentStateMachine
    public let discovery: Discovery
    let clock: any DiscoveryClock
    let logger: Logger

    public init(settings: Settings, raft: RaftService, stateMachine: IntentStateMachine, discovery: Discovery,
                clock: any DiscoveryClock = SystemDiscoveryClock(), logger: Logger = Logger(label: "orchd.node")) {
        self.settingsBox = Mutex(settings)
        self.raft = raft
        self.stateMachine = stateMachine
        self.discovery = discovery
        self.clock = clock
        self.logger = logger
    }

    public nonisolated var now: Timestamp { clock.now() }

    // MARK: - Configuration reload

    /// Takes the run-time keys of a reloaded configuration (``ConfigurationReload/runtimeKeys``): recovery
    /// filters and block period, candidate expiry, promotion rules. The replication credentials source
    /// stays: the connection pool's credentials change only on restart.
    public nonisolated func apply(reloaded c: OrchestratorConfiguration) {
        settingsBox.withLock { s in
            s.recoveryFilters = RecoveryFilters(masterFilters: c.recoverMasterClusterFilters,
                                                intermediateMasterFilters: c.recoverIntermediateMasterClusterFilters)
            s.candidateExpirySeconds = c.candidateInstanceExpireMinutes * 60
            var promotion = PromotionSettings(configuration: c)
            promotion.replicationCredentials = s.promotion.replicationCredentials
            s.promotion = promotion
            s.recoveryPeriodBlockSeconds = Int64(c.recoveryPeriodBlockSeconds)
            s.oscIgnoreHostnameFilters = c.oscIgnoreHostnameFilters
        }
    }

    /// Installs what `reload-configuration` runs on this node.
    public nonisolated func setReloadHandler(_ handler: @escaping @Sendable () async throws -> ConfigurationReload) {
        reloadHandler.withLock { $0 = handler }
    }

    /// Re-reads the configuration file and applies it; nil when this node was not started from a file.
    public func reloadConfiguration() async throws -> ConfigurationReload? {
        guard let handler = reloadHandler.withLock({ $0 }) else { return nil }
        return try await handler()
    }

    // MARK: - Intent

    /// Proposes `command` through Raft; returns once it is committed and applied on this node.
    /// - Throws: `RaftServiceError.notLeader` on a follower (the API proxies before calling this).
    public func submit(_ command: IntentCommand) async throws {
        try await raft.propose(IntentStateMachine.encode(command))
    }

    public nonisolated var intent: IntentState { stateMachine.state }

    // MARK: - Reads

    /// This node's current view: probed instances grouped and annotated with intent.
    ///
    /// An inventory is a pure function of (probed instances, applied intent, `now` in whole seconds), so
    /// it is built once per change of any of them and shared by the reads in between (API reads rebuilt
    /// the grouping, errant GTIDs and tree on every request).
    public func inventory() async -> Inventory {
        let now = clock.now()
        let (intent, applied) = stateMachine.stateAndIndex
        let (generation, fresh) = await discovery.instances(unlessGeneration: probedCache?.generation)
        let probed: [Instance]
        if let fresh {
            probed = fresh
            probedCache = (generation, fresh)
        } else if let cached = probedCache, cached.generation == generation {
            probed = cached.instances
        } else {
            // Another call replaced the cache while this one waited: ask again, unconditionally.
            let (again, instances) = await discovery.instances(unlessGeneration: nil)
            probed = instances ?? []
            probedCache = (again, probed)
            return Inventory(probed: probed, intent: intent, now: now)
        }
        if let cached = inventoryCache, cached.generation == generation, cached.applied == applied, cached.now == now {
            return cached.inventory
        }
        let inventory = Inventory(probed: probed, intent: intent, now: now)
        inventoryCache = (generation, applied, now, inventory)
        return inventory
    }

    private var probedCache: (generation: UInt64, instances: [Instance])?
    private var inventoryCache: (generation: UInt64, applied: UInt64, now: Timestamp, inventory: Inventory)?

    // MARK: - Analysis

    /// This node's analysis of every cluster it knows, now.
    public func analyze() async -> [ReplicationAnalysis] {
        let inventory = await inventory()
        var snapshot = AnalysisSnapshot(inventory: inventory, operatorState: stateMachine.state)
        for record in await discovery.instanceRecords() {
            if let attempted = record.lastAttemptedCheck { snapshot.lastAttemptedCheck[record.key] = attempted }
            if let since = record.binlogCoordinatesUnchangedSince {
                snapshot.binlogCoordinatesUnchangedSince[record.key] = since
            }
            if record.lastIOErrno != 0 { snapshot.lastIOErrno[record.key] = record.lastIOErrno }
        }
        return ReplicationAnalyzer.analyze(snapshot, now: clock.now(), settings: settings.analysis)
    }

    // MARK: - Raft

    public func raftStatus() async -> RaftService.Status { await raft.status() }

    /// The HTTP address of the current leader, when known.
    public func leaderHTTPAddress() async -> String? {
        let status = await raft.status()
        guard let leader = status.leader else { return nil }
        if leader == settings.raftID { return settings.httpAdvertise }
        return stateMachine.state.nodeHTTPAddresses[leader]
    }
}
