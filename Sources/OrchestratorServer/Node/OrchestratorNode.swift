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

    /// This node's current view: probed instances grouped and annotated with intent. With `fresh`, a
    /// view at most a second old or that has seen the last poll round (see ``view(fresh:)``).
    public func inventory(fresh: Bool = false) async -> Inventory { await view(fresh: fresh).inventory }

    /// One build of the read model and what is derived from it.
    private struct View: Sendable {
        var id: UInt64
        var generation: UInt64
        var applied: UInt64
        var now: Timestamp
        /// When the intent annotations made at `now` stop holding (a hold running out), if ever.
        var annotationsChangeAt: Timestamp?
        var builtAt: ContinuousClock.Instant
        var inventory: Inventory
        /// The check bookkeeping the analysis needs, from the same records.
        var lastAttemptedCheck: [InstanceKey: Timestamp]
        var binlogCoordinatesUnchangedSince: [InstanceKey: Timestamp]
        var lastIOErrno: [InstanceKey: Int]
    }

    /// How long a view serves every read.
    static let viewFreshFor: Duration = .seconds(1)
    /// How long a view that has seen the last poll round may serve a `fresh` read (a round that hangs on
    /// unreachable servers does not keep the recovery loop on an old view longer than this).
    static let viewFreshForARoundAtMost: Duration = .seconds(10)
    /// How old a view may still serve a read that does not ask for a fresh one, while its successor is
    /// being built. A fleet's build takes a noticeable time on a loaded machine; reads (the API, the
    /// CLI's `clusters`) then answer from the last view instead of queueing behind the build.
    static let viewServesStaleFor: Duration = .seconds(3)

    /// Answers made from each new view while someone keeps asking for them (see ``keepWarm(_:_:)``).
    private let warmers = Mutex<[String: Warmer]>([:])
    struct Warmer {
        var askedAt: ContinuousClock.Instant
        var make: @Sendable (Inventory) -> Void
    }
    /// How long after the last request an answer is still made ahead.
    static let warmFor: Duration = .seconds(10)

    /// Has `make` run on each view built in the next ``warmFor`` (with the view, off this actor), so that
    /// an answer covering the whole fleet asked for again and again (`/api/clusters-info` behind the
    /// CLI's `clusters`, a dashboard) is in the view's memo before the first read of that view.
    public nonisolated func keepWarm(_ name: String, _ make: @escaping @Sendable (Inventory) -> Void) {
        warmers.withLock { $0[name] = Warmer(askedAt: .now, make: make) }
    }

    private var viewCache: View?
    private var lastViewID: UInt64 = 0
    /// The build under way, if any (one at a time; it runs off this actor).
    private var viewBuild: ViewBuild?
    private struct ViewBuild {
        var id: UInt64
        var task: Task<View, Never>
        /// The probe generation and applied index it builds from, once it has read them.
        var from: (generation: UInt64, applied: UInt64)?
    }
    private var analysisCache: (view: UInt64, analyses: [ReplicationAnalysis])?
    private var analysisBuild: (view: UInt64, task: Task<[ReplicationAnalysis], Never>)?

    /// The read model, rebuilt only when it must be: an inventory is a pure function of (probed
    /// instances, applied intent, `now`), and building one for a large fleet costs (grouping, errant
    /// GTIDs, tree), so reads share it. While the poll loop alone changes instances (every probe
    /// does), a view serves for a second, and a read that does not ask for a `fresh` one takes it for
    /// up to ``viewServesStaleFor`` while the next is built off the actor. A `fresh` read (the recovery
    /// loop's) takes a view under a second old, or one built since the poll loop last completed a
    /// round: while rounds take longer than a second (a large fleet), each round is analysed once
    /// rather than the whole fleet rebuilt every second for the few servers probed since (a failed
    /// probe of a master makes an explicit re-probe, which does not wait). An explicit probe (discover,
    /// refresh, an operation's re-probe) or applied intent makes the next read wait for a rebuild
    /// (Discovery's barrier), and so does a downtime, maintenance lock or candidate registration
    /// running out (the only way `now` changes an inventory): those are never served stale.
    private func view(fresh: Bool = false) async -> View {
        while true {
            let now = clock.now()
            let (_, applied) = stateMachine.stateAndIndex
            let (_, required) = await discovery.generations()
            if let cached = viewCache, holds(cached, required: required, applied: applied, now: now) {
                let age = ContinuousClock.now - cached.builtAt
                if age < Self.viewFreshFor { return cached }
                if fresh, age < Self.viewFreshForARoundAtMost,
                   cached.generation >= (await discovery.lastRoundGeneration()) { return cached }
                if !fresh, age < Self.viewServesStaleFor {
                    _ = startViewBuild()
                    return cached
                }
            }
            let built = await startViewBuild(answering: (required, applied)).value
            // A build that started before what this read requires (a probe, applied intent) does not
            // answer it: the next one will.
            if holds(built, required: required, applied: applied, now: now) { return built }
        }
    }

    /// The build under way, or a new one: the records and intent are taken here, the inventory is
    /// grouped and annotated on another thread while this actor serves reads from the last view. A
    /// read that needs a newer generation or applied index than the running build took (`answering`:
    /// a re-probe after a master failed) starts its own at once rather than waiting for that one to
    /// end first.
    private func startViewBuild(answering needed: (generation: UInt64, applied: UInt64)? = nil) -> Task<View, Never> {
        if let running = viewBuild {
            guard let needed, let from = running.from,
                  from.generation < needed.generation || from.applied != needed.applied else { return running.task }
        }
        lastViewID &+= 1
        let id = lastViewID
        let task = Task<View, Never> {
            let (generation, records) = await discovery.recordsWithGeneration()
            let (intent, applied) = stateMachine.stateAndIndex
            if viewBuild?.id == id { viewBuild?.from = (generation, applied) }
            let now = clock.now()
            let warm = warmers.withLock { warmers in
                warmers = warmers.filter { ContinuousClock.now - $0.value.askedAt < Self.warmFor }
                return warmers.values.map(\.make)
            }
            let view = await Task.detached(priority: .medium) {
                let view = Self.buildView(id: id, generation: generation, applied: applied, now: now, records: records, intent: intent)
                for make in warm { make(view.inventory) }
                return view
            }.value
            if viewCache.map({ $0.id < view.id }) ?? true { viewCache = view }
            if viewBuild?.id == id { viewBuild = nil }
            return view
        }
        viewBuild = ViewBuild(id: id, task: task)
        return task
    }

    private static func buildView(id: UInt64, generation: UInt64, applied: UInt64, now: Timestamp,
                                  records: [InstanceRecord], intent: IntentState) -> View {
        // Ordered by key through positions, not a sorted copy of the records: each copy of a fleet's
        // records or instances is tens of MB while the last view is still held.
        let order = records.indices.sorted { records[$0].key < records[$1].key }
        var view = View(id: id, generation: generation, applied: applied, now: now,
                        annotationsChangeAt: intent.nextHoldChange(after: now), builtAt: .now,
                        inventory: Inventory(probed: order.map { records[$0].instance }, intent: intent, now: now),
                        lastAttemptedCheck: [:], binlogCoordinatesUnchangedSince: [:], lastIOErrno: [:])
        for record in records {
            if let attempted = record.lastAttemptedCheck { view.lastAttemptedCheck[record.key] = attempted }
            if let since = record.binlogCoordinatesUnchangedSince { view.binlogCoordinatesUnchangedSince[record.key] = since }
            if record.lastIOErrno != 0 { view.lastIOErrno[record.key] = record.lastIOErrno }
        }
        return view
    }

    /// Whether `view` still answers a read that requires probe generation `required` and applied
    /// index `applied` at `now` (its age aside).
    private func holds(_ view: View, required: UInt64, applied: UInt64, now: Timestamp) -> Bool {
        view.generation >= required && view.applied == applied
            && view.annotationsChangeAt.map { now < $0 } ?? true
    }

    // MARK: - Analysis

    /// This node's analysis of every cluster it knows (shared by the reads of one view). With `fresh`,
    /// of a view at most a second old: what the recovery loop acts on.
    public func analyze(fresh: Bool = false) async -> [ReplicationAnalysis] {
        let view = await view(fresh: fresh)
        if let cached = analysisCache, cached.view == view.id { return cached.analyses }
        if let running = analysisBuild, running.view == view.id { return await running.task.value }
        var snapshot = AnalysisSnapshot(inventory: view.inventory, operatorState: stateMachine.state)
        snapshot.lastAttemptedCheck = view.lastAttemptedCheck
        snapshot.binlogCoordinatesUnchangedSince = view.binlogCoordinatesUnchangedSince
        snapshot.lastIOErrno = view.lastIOErrno
        let now = clock.now(), analysis = settings.analysis
        let task = Task.detached(priority: .medium) { [snapshot] in
            ReplicationAnalyzer.analyze(snapshot, now: now, settings: analysis)
        }
        analysisBuild = (view.id, task)
        let analyses = await task.value
        if analysisCache.map({ $0.view < view.id }) ?? true { analysisCache = (view.id, analyses) }
        if analysisBuild?.view == view.id { analysisBuild = nil }
        return analyses
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
