import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Detects failures and recovers them, on the Raft leader only. Every node analyses its own view and
/// records what it detects (`audit-failure-detection`); only a leader that still has its quorum acts.
/// Detection does not wait for the next poll: the leader holds a sleeping connection to each master
/// (`MasterWatch`), and a broken one — or any failed probe of a master — triggers an immediate re-probe
/// of it and its replicas. It stays holistic: the analysis declares a master dead only when its
/// replicas agree.
public actor RecoveryService: Service {
    let node: OrchestratorNode
    /// The libmariadb operations, for the API's replication-control and refactoring routes (nil when the
    /// service was built over another `RecoveryMySQLOperations`, e.g. a test twin).
    let operations: ReplicationOperations?
    /// What recoveries run their MySQL steps through.
    let recoveryOperations: any RecoveryMySQLOperations
    let hooks: any HookRunner
    private let configurationBox: Mutex<OrchestratorConfiguration>
    /// Where the hook phases' commands, shell and timeout come from (replaced by `reload-configuration`).
    nonisolated var configuration: OrchestratorConfiguration { configurationBox.withLock { $0 } }
    let logger: Logger
    /// How often the leader re-checks the analysis without a trigger.
    let interval: Duration
    /// No automated recovery during this long after start-up: the view must be complete first.
    let startupGrace: Duration
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private var started = ContinuousClock.now
    private var lastSkipped: [String: String] = [:]
    private var detectionLog = FailureDetectionLog()
    private var masterWatch: MasterWatch?
    /// Recoveries this service is running now (their uids): any other recovery still marked active in
    /// the replicated audit was abandoned by a node that lost leadership mid-way.
    var running: Set<String> = []
    /// Clusters with a recovery running on this node, by claim: recoveries of different clusters run at
    /// the same time, a cluster never has two (``RecoveryConcurrency``).
    var busyClusters: [UInt64: RecoveryConcurrency.Cluster] = [:]
    private var lastClaim: UInt64 = 0
    /// The highest recovery id handed out (ids stay unique while several recoveries start at once).
    private var lastRecoveryID: Int64 = 0
    /// The automated recoveries running now (``waitForRecoveries()`` waits for them).
    var automated: [UInt64: Task<Void, Never>] = [:]
    /// Outcomes of finished recoveries that could not be recorded through Raft (the quorum was lost at the
    /// end), by uid: kept here and proposed again whenever this node leads, so the replicated audit ends
    /// with what really happened rather than with the next leader's "abandoned".
    var unrecorded: [String: TopologyRecovery] = [:]
    /// Where detections are kept across restarts (the node's own SQLite), when given.
    let detectionStore: FailureDetectionStore?
    /// Asks peers for second opinions.
    let peers: LeaderProxy
    /// Publishes masters to key-value stores (nil: none configured).
    public nonisolated let kvPublisher: MasterKVPublisher?

    /// - Parameter httpClient: the node's client for asking peers for second opinions (the process-wide
    ///   one when nil).
    public init(node: OrchestratorNode, operations: ReplicationOperations, hooks: any HookRunner = ProcessHookRunner(),
                configuration: OrchestratorConfiguration = OrchestratorConfiguration(), interval: Duration = .seconds(1),
                startupGrace: Duration, detectionStore: FailureDetectionStore? = nil,
                httpClient: HTTPClient? = nil, kvPublisher: MasterKVPublisher? = nil,
                logger: Logger = Logger(label: "orchd.recovery")) {
        self.init(node: node, operations: operations, recoveryOperations: operations, hooks: hooks,
                  configuration: configuration, interval: interval, startupGrace: startupGrace,
                  detectionStore: detectionStore, httpClient: httpClient, kvPublisher: kvPublisher, logger: logger)
    }

    /// A service whose recoveries run their MySQL steps through `recoveryOperations` (tests: a recording
    /// twin). The API's replication-control and refactoring routes answer 503 on such a node.
    public init(node: OrchestratorNode, recoveryOperations: any RecoveryMySQLOperations,
                hooks: any HookRunner = ProcessHookRunner(),
                configuration: OrchestratorConfiguration = OrchestratorConfiguration(), interval: Duration = .seconds(1),
                startupGrace: Duration, detectionStore: FailureDetectionStore? = nil,
                httpClient: HTTPClient? = nil, kvPublisher: MasterKVPublisher? = nil,
                logger: Logger = Logger(label: "orchd.recovery")) {
        self.init(node: node, operations: nil, recoveryOperations: recoveryOperations, hooks: hooks,
                  configuration: configuration, interval: interval, startupGrace: startupGrace,
                  detectionStore: detectionStore, httpClient: httpClient, kvPublisher: kvPublisher, logger: logger)
    }

    private init(node: OrchestratorNode, operations: ReplicationOperations?, recoveryOperations: any RecoveryMySQLOperations,
                 hooks: any HookRunner, configuration: OrchestratorConfiguration, interval: Duration,
                 startupGrace: Duration, detectionStore: FailureDetectionStore?, httpClient: HTTPClient?,
                 kvPublisher: MasterKVPublisher?, logger: Logger) {
        self.node = node
        self.kvPublisher = kvPublisher
        self.peers = LeaderProxy(client: httpClient ?? .shared)
        self.detectionStore = detectionStore
        self.operations = operations
        self.recoveryOperations = recoveryOperations
        self.hooks = hooks
        self.configurationBox = Mutex(configuration)
        self.interval = interval
        self.startupGrace = startupGrace
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func run() async throws {
        started = ContinuousClock.now
        if let detectionStore {
            do {
                detectionLog = FailureDetectionLog(restored: try await detectionStore.load(limit: detectionLog.capacity))
            } catch {
                logger.error("cannot read past failure detections from the backend: \(error)")
            }
        }
        let watch = MasterWatch(config: node.discovery.settings.mysql) { [weak self] key in
            await self?.masterConnectionLost(key)
        }
        masterWatch = watch
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.watchProbes() }
                group.addTask { await self.tickLoop() }
                group.addTask { await self.checkLoop() }
            }
        }
        await watch.stopAll()
    }

    /// Takes a reloaded configuration's hooks and recovery keys (the caller keeps the rest as it runs).
    public nonisolated func apply(reloaded c: OrchestratorConfiguration) {
        configurationBox.withLock { $0 = c }
    }

    /// The watched connection to master `key` broke: re-probe it and its replicas until the analysis
    /// settles (the replicas may need a few milliseconds to notice), then run a round at once.
    func masterConnectionLost(_ key: InstanceKey) async {
        for _ in 0..<10 {
            let instances = await node.discovery.neighbourhood(of: key)
            await node.discovery.refresh(EmergentProbe.keys(afterFailedProbeOf: key, instances: instances))
            if await node.discovery.instance(key)?.isLastCheckValid ?? true { return }
            if await node.analyze(fresh: true).contains(where: { $0.analyzedInstanceKey == key && $0.isActionableRecovery }) { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        wake.yield()
    }

    private func tickLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            wake.yield()
        }
    }

    private func checkLoop() async {
        for await _ in wakeups {
            if Task.isCancelled { break }
            // A round starts recoveries and returns: a failure in another cluster is not held back
            // until they end.
            await checkAndRecover(waitForRecoveries: false)
        }
        for task in automated.values { task.cancel() }
        await waitForRecoveries()
    }

    /// Waits until every automated recovery started so far has ended.
    func waitForRecoveries() async {
        while let entry = automated.first {
            await entry.value.value
        }
    }

    /// The fast path: a master (an instance with replicas) failing a probe gets it and its replicas
    /// re-probed at once, then an analysis round.
    private func watchProbes() async {
        for await result in await node.discovery.probeResults(failedOnly: true) {
            let instances = await node.discovery.neighbourhood(of: result.key)
            guard instances.contains(where: { $0.masterKey == result.key }) else { continue }
            await node.discovery.refresh(EmergentProbe.keys(afterFailedProbeOf: result.key, instances: instances)
                .filter { $0 != result.key })
            wake.yield()
        }
    }

    /// One round: analyse and record detections (every node), and recover what the policy allows
    /// (leader with quorum only). Recoveries of different clusters run concurrently, each in a task of
    /// its own; with `waitForRecoveries` the round returns once those it started have ended.
    func checkAndRecover(waitForRecoveries wait: Bool = true) async {
        guard ContinuousClock.now - started >= startupGrace else { return }
        if await node.raftStatus().role == .leader {
            await recordUnrecordedOutcomes()
            await resolveAbandonedRecoveries()
        }
        let actionable = await node.analyze(fresh: true).filter(\.isActionableRecovery)
        let decided = actionable.map { analysis in
            (analysis, RecoveryPolicy.decide(
                analysis, trigger: .automatic, filters: node.settings.recoveryFilters, operatorState: node.intent,
                recentRecoveries: node.intent.recoveries, recoveryPeriodBlockSeconds: node.settings.recoveryPeriodBlockSeconds,
                now: node.now))
        }
        await persist(detectionLog.observe(decided, node: node.settings.httpAdvertise, at: Date()))
        let status = await node.raftStatus()
        guard status.role == .leader, status.isPartOfQuorum else {
            await masterWatch?.watch([])
            return
        }
        // The same view as the analysis above (a plain read would start a rebuild of a fleet's view
        // every second; see OrchestratorNode.view(fresh:)).
        let instances = await node.inventory(fresh: true).instances
        await endLostInRecoveryDowntimes(instances)
        let withReplicas = Set(instances.compactMap(\.masterKey))
        await masterWatch?.watch(Set(instances.filter { !$0.isReplica && $0.isLastCheckValid && withReplicas.contains($0.key) }
            .map(\.key)))
        var recoverable: [ReplicationAnalysis] = []
        for (analysis, decision) in decided {
            guard decision.shouldRecover else {
                let key = "\(analysis.analyzedInstanceKey)/\(analysis.analysis.rawValue)"
                let text = "\(decision)"
                if lastSkipped[key] != text {
                    lastSkipped[key] = text
                    logger.notice("detected \(analysis.analysis.rawValue) on \(analysis.analyzedInstanceKey); not recovering: \(text)")
                }
                continue
            }
            recoverable.append(analysis)
        }
        // Claimed here, before any suspension: the next round cannot start a second recovery of a cluster.
        var started: [Task<Void, Never>] = []
        for analysis in RecoveryConcurrency.toStart(recoverable, running: Array(busyClusters.values)) {
            let claim = claimCluster(RecoveryConcurrency.Cluster(analysis.clusterDetails))
            let task = Task { await self.recoverAutomatically(analysis, claim: claim) }
            automated[claim] = task
            started.append(task)
        }
        if wait {
            for task in started { await task.value }
        }
    }

    func claimCluster(_ cluster: RecoveryConcurrency.Cluster) -> UInt64 {
        lastClaim += 1
        busyClusters[lastClaim] = cluster
        return lastClaim
    }

    /// Claims `cluster` unless a recovery of it runs on this node (nil then).
    func claimIfFree(_ cluster: ClusterInfo) -> UInt64? {
        let wanted = RecoveryConcurrency.Cluster(cluster)
        guard !busyClusters.values.contains(where: { $0.isSame(as: wanted) }) else { return nil }
        return claimCluster(wanted)
    }

    /// One automated recovery, concurrent with other clusters': second opinions, then the recovery;
    /// the cluster's claim ends with it.
    private func recoverAutomatically(_ analysis: ReplicationAnalysis, claim: UInt64) async {
        defer {
            busyClusters[claim] = nil
            automated[claim] = nil
        }
        var confirmed = analysis
        if SecondOpinion.applies(to: analysis), configuration.expectFailureAnalysisConcensus {
            let opinions = await secondOpinions(on: analysis.analyzedInstanceKey)
            if let veto = SecondOpinion.veto(opinions, key: analysis.analyzedInstanceKey,
                                             intermediate: analysis.analysis.recoveryKind == .intermediateMasterRelocation) {
                let key = "\(analysis.analyzedInstanceKey)/\(analysis.analysis.rawValue)"
                let text = "vetoed: \(veto)"
                await persist(detectionLog.holdBack(analysis, reason: text).map { [$0] } ?? [])
                if lastSkipped[key] != text {
                    lastSkipped[key] = text
                    logger.warning("detected \(analysis.analysis.rawValue) on \(analysis.analyzedInstanceKey); not recovering: \(text)")
                }
                return
            }
            confirmed.countAdditionalAgreeingNodes = SecondOpinion.agreeing(opinions, key: analysis.analyzedInstanceKey)
            let agreeing = confirmed.countAdditionalAgreeingNodes
            logger.info("second opinions on \(analysis.analyzedInstanceKey): \(agreeing) of \(opinions.count) answering peers cannot reach it either; none reaches it writable")
        }
        // A leadership lost while waiting for opinions: the next leader decides.
        guard await node.raftStatus().role == .leader else { return }
        _ = await recover(confirmed, trigger: .automatic, command: "automated", claimed: true)
    }

    /// Ends the lost-in-recovery downtime of every server a failover left behind that replicates again
    /// (the decision is ``LostInRecovery/downtimesToEnd(operatorState:instances:now:)``).
    func endLostInRecoveryDowntimes(_ instances: [Instance]) async {
        for key in LostInRecovery.downtimesToEnd(operatorState: node.intent, instances: instances, now: node.now) {
            do {
                try await node.submit(.endDowntime(key: key))
                logger.info("\(key) replicates again: its lost-in-recovery downtime ended")
            } catch {
                logger.warning("cannot end the lost-in-recovery downtime of \(key): \(error)")
            }
        }
    }

    /// Asks every other voter, in parallel, to probe `key` now (`/api/second-opinion`). A peer that
    /// does not answer in time gives no opinion.
    func secondOpinions(on key: InstanceKey) async -> [PeerOpinion] {
        let status = await node.raftStatus()
        let addresses = node.intent.nodeHTTPAddresses
        // A peer that has not announced its API (e.g. it may not write under AuthenticationMethod
        // "proxy") is asked where upstream would look: its Raft host, on this node's API port.
        let peers = status.voters.filter { $0 != status.id }.compactMap {
            addresses[$0] ?? Self.derivedHTTPAddress(of: $0, like: node.settings.httpAdvertise)
        }
        guard !peers.isEmpty else { return [] }
        let host = key.hostname.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? key.hostname
        var request = APIRequest(path: "/api/second-opinion/\(host)/\(key.port)")
        if let authorization = peerAuthorization { request.headers["authorization"] = authorization }
        // A peer probing a dead host waits up to the connect timeout; allow that and a little more.
        let timeout = Double(max(1, configuration.mysqlConnectTimeoutSeconds)) + 2
        let question = request
        let answers = await withTaskGroup(of: (String, Result<PeerOpinion, any Error>).self) { group in
            for address in peers {
                group.addTask {
                    do {
                        let response = try await self.peers.forward(address, question, timeoutSeconds: timeout,
                                                                    relayedHeaders: ["authorization"])
                        guard response.status == 200 else {
                            throw HTTPServerError(message: "HTTP \(response.status): \(response.bodyText.prefix(200))")
                        }
                        return (address, .success(try JSONDecoder().decode(PeerOpinion.self, from: Data(response.body))))
                    } catch {
                        return (address, .failure(error))
                    }
                }
            }
            var all: [(String, Result<PeerOpinion, any Error>)] = []
            for await answer in group { all.append(answer) }
            return all
        }
        var opinions: [PeerOpinion] = []
        for (address, answer) in answers.sorted(by: { $0.0 < $1.0 }) {
            switch answer {
            case .success(let opinion):
                opinions.append(opinion)
                let view = opinion.reachable ? "answers, read_only=\(opinion.readOnly ? 1 : 0)" : "unreachable (\(opinion.error))"
                logger.debug("second opinion on \(key) from \(opinion.node): \(view)")
            case .failure(let error):
                logger.notice("no second opinion on \(key) from \(address): \(error)")
            }
        }
        return opinions
    }

    /// `http://<raft host of peer>:<port of ownAddress>`, or nil when either does not parse.
    static func derivedHTTPAddress(of peer: RaftNodeID, like ownAddress: String) -> String? {
        guard let host = (try? InstanceKey(parsing: peer, defaultPort: 10008))?.hostname,
              let colon = ownAddress.lastIndex(of: ":"), let port = Int(ownAddress[ownAddress.index(after: colon)...])
        else { return nil }
        let scheme = ownAddress.hasPrefix("https://") ? "https" : "http"
        return "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// Credentials for asking peers, when the API requires them (basic / multi).
    private var peerAuthorization: String? { HTTPAccessPolicy(configuration: configuration).peerAuthorization }

    /// Writes new or changed detections to the backend (a failure is logged, never fatal).
    private func persist(_ detections: [FailureDetection]) async {
        guard let detectionStore, !detections.isEmpty else { return }
        do {
            try await detectionStore.save(detections, keep: detectionLog.capacity)
        } catch {
            logger.error("cannot record \(detections.count) failure detections in the backend: \(error)")
        }
    }

    /// The failures this node detected, oldest first (`audit-failure-detection`).
    public func detections() -> [FailureDetection] { detectionLog.detections }
    /// How many failures this node detected since it started.
    public func detectionsTotal() -> UInt64 { detectionLog.total }

    /// Plans and (unless `dryRun`) runs a recovery for `analysis`; records it through Raft.
    /// Returns the recovery record, or the plan text for a dry run. `candidate` (an operator's
    /// choice) replaces the ranking's winner in a master failover.
    public func recover(_ analysis: ReplicationAnalysis, trigger: RecoveryPolicy.Trigger, command: String,
                        candidate: InstanceKey? = nil, dryRun: Bool = false) async -> RecoveryOutcome {
        await recover(analysis, trigger: trigger, command: command, candidate: candidate, dryRun: dryRun, claimed: false)
    }

    /// `claimed`: the caller holds the cluster's claim (an automated recovery); otherwise ``run`` takes it.
    private func recover(_ analysis: ReplicationAnalysis, trigger: RecoveryPolicy.Trigger, command: String,
                         candidate: InstanceKey? = nil, dryRun: Bool = false, claimed: Bool) async -> RecoveryOutcome {
        // Re-probe the failed instance's neighbourhood right before planning (all at once).
        await node.discovery.refresh([analysis.analyzedInstanceKey] + analysis.replicas)
        let inventory = await node.inventory()
        guard let plan = RecoveryPlanner.plan(for: analysis, instances: inventory.instances, operatorState: node.intent,
                                              now: node.now, settings: node.settings.promotion, candidate: candidate) else {
            return .failed("no recovery plan for \(analysis.analysis.rawValue) on \(analysis.analyzedInstanceKey)")
        }
        if dryRun { return .planned(plan) }
        // As upstream: the intermediate-master and master hooks for a relocation or a failover; making a
        // read-only master writeable runs the generic pre/post failover hooks only.
        let post: [HookPhase]
        switch plan.kind {
        case .intermediateMasterRecovery: post = [.postIntermediateMasterFailover, .postFailover]
        case .nonWriteableMaster: post = [.postFailover]
        case .masterFailover, .gracefulMasterTakeover: post = [.postMasterFailover, .postFailover]
        }
        return await run(plan, analysis: analysis, trigger: trigger, command: command,
                         pre: [.onFailureDetection, .preFailover], post: post, postUnsuccessful: [.postUnsuccessfulFailover],
                         claimed: claimed)
    }

    /// `graceful-master-takeover[-auto]`: hands a live master's role to `designated` (or the best
    /// replica) without losing writes; with `auto` the old master then replicates from the new one.
    public func gracefulTakeover(master: InstanceKey, designated: InstanceKey?, auto: Bool, command: String,
                                 dryRun: Bool = false) async -> RecoveryOutcome {
        await node.discovery.refresh([master])
        let inventory = await node.inventory()
        guard let instance = inventory.instance(master) else { return .failed("\(master) is not known") }
        guard let plan = RecoveryPlanner.gracefulTakeover(
            of: master, designated: designated, auto: auto, instances: inventory.instances, operatorState: node.intent,
            now: node.now, settings: node.settings.promotion)
        else { return .failed("cannot plan a takeover of \(master)") }
        if dryRun { return .planned(plan) }
        guard plan.isExecutable, let successor = plan.successor else { return .failed(plan.errors.joined(separator: "; ")) }
        // The demoted master's replication user: read before anything changes, so a failing query
        // refuses the takeover instead of leaving it half-done.
        var credentials: ReplicationCredentials?
        if case .query(let query) = node.settings.promotion.replicationCredentials {
            do {
                credentials = try await recoveryOperations.replicationCredentials(from: successor, query: query)
            } catch {
                return .failed("GracefulMasterTakeover: ReplicationCredentialsQuery on \(successor) failed: \(error); nothing was changed")
            }
        }
        let analysis = inventory.operatorAnalysis(ofMaster: instance, recovery: node.settings.recoveryFilters,
                                                  command: command)
        return await run(plan, analysis: analysis, trigger: .manual, command: command, pre: [.preGracefulTakeover],
                         post: [.postGracefulTakeover], postUnsuccessful: [.postUnsuccessfulGracefulTakeover],
                         credentials: credentials)
    }

    /// `force-master-takeover`: promotes `designated` (a direct replica of `master`) now, demoting the
    /// master without waiting for its replicas to reach its position. Recorded as a forced DeadMaster
    /// recovery with the failover hooks, as upstream does.
    public func forceTakeover(master: InstanceKey, designated: InstanceKey, command: String,
                              dryRun: Bool = false) async -> RecoveryOutcome {
        await node.discovery.refresh([master] + (await node.inventory()).replicas(of: master).map(\.key))
        let inventory = await node.inventory()
        guard let instance = inventory.instance(master) else { return .failed("\(master) is not known") }
        guard let plan = RecoveryPlanner.forceTakeover(
            of: master, designated: designated, instances: inventory.instances, operatorState: node.intent,
            now: node.now, settings: node.settings.promotion)
        else { return .failed("cannot plan a takeover of \(master)") }
        if dryRun { return .planned(plan) }
        guard plan.isExecutable else { return .failed(plan.errors.joined(separator: "; ")) }
        var analysis = inventory.operatorAnalysis(ofMaster: instance, recovery: node.settings.recoveryFilters, command: command)
        analysis.analysis = .deadMaster
        analysis.isActionableRecovery = true
        return await run(plan, analysis: analysis, trigger: .manual, command: command, pre: [.preFailover],
                         post: [.postMasterFailover, .postFailover], postUnsuccessful: [.postUnsuccessfulFailover])
    }

    /// Records, hooks, executes and resolves one planned recovery.
    private func run(_ plan: RecoveryPlan, analysis: ReplicationAnalysis, trigger: RecoveryPolicy.Trigger, command: String,
                     pre: [HookPhase], post: [HookPhase], postUnsuccessful: [HookPhase],
                     credentials: ReplicationCredentials? = nil, claimed: Bool = false) async -> RecoveryOutcome {
        // An operator's recovery, takeover or force takeover takes the cluster's claim too: it never runs
        // beside another recovery of the same cluster on this node.
        var claim: UInt64?
        if !claimed {
            guard let taken = claimIfFree(analysis.clusterDetails) else {
                return .failed("a recovery of cluster \(analysis.clusterDetails.clusterName) is already running on this node")
            }
            claim = taken
        }
        defer { if let claim { busyClusters[claim] = nil } }
        lastRecoveryID = RecoveryConcurrency.nextID(recorded: node.intent.recoveries, lastHandedOut: lastRecoveryID)
        var recovery = TopologyRecovery(
            id: lastRecoveryID, uid: UUID().uuidString, analysisEntry: analysis,
            type: plan.kind.rawValue, recoveryType: plan.basis, start: node.now,
            processingNodeHostname: node.settings.httpAdvertise, processingNodeToken: node.settings.raftID)
        recovery.participatingInstanceKeys = plan.participatingInstanceKeys
        recovery.lostReplicas = plan.lostReplicas
        recovery.plannedSteps = plan.steps
        recovery.plannedSuccessorKey = plan.successor
        running.insert(recovery.uid)
        defer { running.remove(recovery.uid) }
        let what = analysis.analysis == .noProblem ? command : "recovering \(analysis.analysis.rawValue) (\(command))"
        logger.notice("\(what) on \(analysis.analyzedInstanceKey): \(plan.successor.map { "promoting \($0)" } ?? "no successor")")
        do {
            try await node.submit(.writeRecovery(recovery))
        } catch {
            return .failed("cannot record the recovery through raft: \(error)")
        }
        var ok = plan.isExecutable
        if !ok { recovery.allErrors += plan.errors.isEmpty ? ["no promotable replica"] : plan.errors }
        // Pre hooks: a failing one aborts the recovery before anything changes. As upstream, an aborted
        // recovery was never attempted: no post hooks run for it, not even the "unsuccessful" ones.
        var abortedByHook = false
        for phase in pre where ok {
            ok = await runHooks(phase, command: command, recovery: &recovery)
            abortedByHook = !ok
        }
        if ok {
            var executor = RecoveryExecutor(node: node, operations: recoveryOperations, logger: logger)
            executor.credentials = credentials
            // Applications learn the new master as soon as it is promoted (writable), not after the
            // replicas are repointed and the old master fenced: those steps can take seconds.
            if plan.kind.changesMaster, let kvPublisher, !analysis.clusterDetails.clusterAlias.isEmpty {
                let alias = analysis.clusterDetails.clusterAlias
                executor.afterPromotion = { [self] promoted in await self.kvPublishStep(promoted, alias: alias, through: kvPublisher) }
            }
            ok = await executor.execute(plan, recovery: &recovery)
        }
        recovery.resolve(successor: ok ? plan.successor : nil, successful: ok, at: node.now)
        if let successor = plan.successor, ok {
            recovery.successorAlias = await node.inventory().instance(successor)?.instanceAlias ?? ""
        }
        // Applications learn the new master before the post-failover hooks run (upstream's order): right
        // after the promote step, else (a plan without one) here. A store that is down does not fail the
        // recovery: the step records it, the publisher retries.
        if ok, plan.kind.changesMaster, let successor = plan.successor, let kvPublisher,
           !recovery.steps.contains(where: { $0.name == Self.kvPublishStepName }) {
            await publishMaster(successor, alias: analysis.clusterDetails.clusterAlias, through: kvPublisher,
                                recovery: &recovery)
        }
        if !abortedByHook {
            for phase in ok ? post : postUnsuccessful { _ = await runHooks(phase, command: command, recovery: &recovery) }
        }
        if trigger == .manual { recovery.acknowledge(by: command, comment: "manual recovery", at: node.now) }
        await recordOutcome(recovery, ok: ok, label: "recovery")
        // Pick up the new topology at once.
        await node.discovery.refresh(plan.participatingInstanceKeys)
        return ok ? .recovered(recovery) : .unsuccessful(recovery)
    }
}

extension RecoveryService {
    /// Proposes again each outcome this node could not record (leader only). One written is forgotten;
    /// one that fails again stays for the next round. Its record replaces whatever the replicated audit
    /// holds for the uid (perhaps another leader's "abandoned"): this node ran it and knows the outcome.
    func recordUnrecordedOutcomes() async {
        for uid in unrecorded.keys.sorted() {
            guard let recovery = unrecorded[uid] else { continue }
            let replicated = node.intent.recoveries.first { $0.uid == uid }
            guard AbandonedRecovery.lateOutcomeStands(over: replicated) else {
                unrecorded[uid] = nil
                logger.notice("recovery \(uid): \(replicated?.processingNodeHostname ?? "another node") resumed and finished it after this node stopped; its record stands, this node's is dropped")
                continue
            }
            do {
                try await node.submit(.writeRecovery(recovery))
                unrecorded[uid] = nil
                logger.notice("recovery \(uid): outcome recorded through raft on a later attempt")
            } catch {
                logger.warning("recovery \(uid): its outcome still cannot be recorded through raft: \(error)")
            }
        }
    }

    /// Records a finished recovery's outcome through Raft. One that cannot be recorded (the quorum was
    /// lost at the end) is kept on this node and proposed again whenever it leads.
    func recordOutcome(_ recovery: TopologyRecovery, ok: Bool, label: String) async {
        do {
            try await node.submit(.writeRecovery(recovery))
        } catch {
            unrecorded[recovery.uid] = recovery
            logger.error("\(label) \(recovery.uid): cannot record its outcome (\(ok ? "succeeded" : "failed")) through raft: \(error); kept on this node and proposed again whenever it leads")
        }
        logger.notice("\(label) \(recovery.uid) \(ok ? "succeeded" : "failed"): successor \(recovery.successorKey?.description ?? "none")")
    }

    /// How many finished recoveries' outcomes wait to be recorded through Raft on this node.
    public func unrecordedOutcomeCount() -> Int { unrecorded.count }

    /// The recovery's key-value step: publishes `master` for `alias` and records the outcome as a
    /// (best-effort) step of the audit.
    func publishMaster(_ master: InstanceKey, alias: String, through publisher: MasterKVPublisher,
                       recovery: inout TopologyRecovery) async {
        guard !alias.isEmpty else { return }
        let record = await kvPublishStep(master, alias: alias, through: publisher)
        if !record.ok { recovery.allErrors.append("kv publish (best effort, retried): \(record.error)") }
        recovery.steps.append(record)
        logger.info("recovery \(recovery.uid): published \(alias) -> \(master) to key-value stores: \(record.ok ? "ok" : record.error)")
    }

    static let kvPublishStepName = AbandonedRecovery.kvPublishStepName

    /// Publishes `master` for `alias`; the outcome as an audit step (never throws).
    func kvPublishStep(_ master: InstanceKey, alias: String, through publisher: MasterKVPublisher) async -> RecoveryStepRecord {
        var record = RecoveryStepRecord(name: Self.kvPublishStepName, detail: "\(alias) -> \(master)")
        record.started = node.now
        let (ok, summary) = await publisher.publish(clusterAlias: alias, master: master)
        record.ended = node.now
        record.ok = ok
        record.output = summary
        if !ok { record.error = summary }
        return record
    }

    /// Runs one hook phase with upstream's placeholders and ORC_* variables; its results go to the
    /// audit as steps. Returns false when a pre-phase hook failed (the recovery must abort).
    func runHooks(_ phase: HookPhase, command: String, recovery: inout TopologyRecovery) async -> Bool {
        guard !phase.commands(in: configuration).isEmpty else { return true }
        let context = HookContext(recovery: recovery, command: command, orchestratorHost: node.settings.httpAdvertise)
        let results = await hooks.run(phase: phase, configuration: configuration, context: context)
        for result in results {
            var record = RecoveryStepRecord(name: "hook \(phase.rawValue)", detail: result.expandedCommand)
            record.started = Timestamp(secondsSinceEpoch: Int64(result.startedAt.timeIntervalSince1970))
            record.ended = Timestamp(secondsSinceEpoch: Int64(result.endedAt.timeIntervalSince1970))
            record.ok = result.succeeded
            record.output = result.output
            if !result.succeeded {
                record.error = result.summary
                recovery.allErrors.append("\(phase.rawValue): \(result.summary)")
            }
            recovery.steps.append(record)
        }
        if results.abortsRecovery {
            logger.error("recovery \(recovery.uid) aborted by a failing \(phase.rawValue) hook")
            return false
        }
        return true
    }
}

/// What `recover` did.
public enum RecoveryOutcome: Sendable {
    case recovered(TopologyRecovery)
    case unsuccessful(TopologyRecovery)
    case planned(RecoveryPlan)
    case failed(String)
}
