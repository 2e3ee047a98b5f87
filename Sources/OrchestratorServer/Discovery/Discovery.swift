import Logging
import OrchestratorCore
import ServiceLifecycle

/// Finds and watches MySQL topologies: `discover(key)` crawls from one server to its master and all
/// replicas until the whole topology is known; `run()` (a swift-service-lifecycle `Service`) then
/// probes every known instance each `InstancePollSeconds`. Results go to the backend store and to
/// subscribers of ``probeResults()``. An unreachable instance is recorded (check invalid, error text
/// kept) and never stops the loop.
public actor Discovery: Service {
    public let settings: DiscoverySettings
    private let prober: any TopologyProber
    private let store: InstanceStore
    private let clock: any DiscoveryClock
    private let logger: Logger

    /// Known instances, loaded from the store on first use.
    private var records: [InstanceKey: InstanceRecord] = [:] {
        didSet { generation &+= 1 }
    }
    /// Changes whenever `records` does, so readers can tell their copy is still current.
    private var generation: UInt64 = 0
    /// The generation a reader must see at least: raised by explicit probes (`discover`, `refresh`,
    /// `pollOnce`, `forget`), not by the background poll loop. A node's read model may lag the poll
    /// loop by up to a second (it is rebuilt when the second changes) but never an explicit probe.
    private var barrier: UInt64 = 0
    /// The generation when the poll loop last completed a round: a view that has it has seen every known
    /// instance probed at least once since the round before (what the recovery loop needs, see
    /// `OrchestratorNode.view(fresh:)`).
    private var roundGeneration: UInt64 = 0
    private var loaded = false
    /// Whether `DiscoverySeeds` were injected (on the first poll round).
    private var seeded = false
    /// Keys an operator forgot: not re-added through a neighbour until discovered explicitly.
    private var forgotten: Set<InstanceKey> = []
    private var subscribers: [Int: (continuation: AsyncStream<ProbeResult>.Continuation, failedOnly: Bool)] = [:]
    private var nextSubscriber = 0
    /// Probes made since start, for `/metrics`.
    private var counters = OrchdMetrics.DiscoveryCounters()
    /// Which probed rows go to the backend database after a round.
    private var storeWrites = InstanceStoreWrites()

    public init(
        settings: DiscoverySettings,
        prober: any TopologyProber,
        store: InstanceStore,
        clock: any DiscoveryClock = SystemDiscoveryClock(),
        logger: Logger = Logger(label: "orchd.discovery")
    ) {
        self.settings = settings
        self.prober = prober
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    // MARK: - API

    /// Crawls the topology around `key` (its master chain and all replicas, transitively), stores what
    /// it found and returns the instance at `key`.
    /// - Throws: ``DiscoveryError/unreachable(_:_:)`` when `key` itself cannot be probed (the failed
    ///   check is still recorded).
    @discardableResult
    public func discover(_ key: InstanceKey) async throws -> Instance {
        await loadIfNeeded()
        forgotten.remove(key)
        let results = await crawl(from: [key])
        barrier = generation
        if let own = results.first(where: { $0.key == key }), let error = own.error {
            throw DiscoveryError.unreachable(key, error)
        }
        guard let instance = records[key]?.instance else {
            throw DiscoveryError.unreachable(key, ProbeError(code: 0, message: "\(key): not probed"))
        }
        return instance
    }

    /// Probes every known instance once (and anything new they point at), then forgets instances
    /// unseen for `UnseenInstanceForgetHours`. The first round also probes `DiscoverySeeds`.
    /// Returns this round's probe results.
    @discardableResult
    public func pollOnce() async -> [ProbeResult] {
        let results = await pollRound()
        barrier = generation
        return results
    }

    /// One round of the poll loop (readers see it within a second; see `barrier`). Internal for tests.
    /// With `collect` false (the poll loop's), the results returned (and kept during the round) are only
    /// those a subscriber takes: a fleet's round of results is tens of MB.
    @discardableResult
    func pollRound(collect: Bool = true) async -> [ProbeResult] {
        await loadIfNeeded()
        var keys = records.keys.sorted()
        if !seeded {
            // Like upstream, seeds are injected once per process: a seed that answers (or not) gets a
            // record, and known instances are probed every round, so a seed that is down is retried at
            // each poll; one the operator forgets stays forgotten until the next start.
            seeded = true
            keys += settings.discoverySeeds.filter { records[$0] == nil && !forgotten.contains($0) }
        }
        let results = await crawl(from: keys, collect: collect)
        await forgetUnseen()
        roundGeneration = generation
        return results
    }

    /// Probes exactly `keys` now (at most `DiscoveryMaxConcurrency` at once; forgotten keys are
    /// skipped), without crawling on to their neighbours: a re-probe of servers already known, so the
    /// view is current before a decision or right after a change. Returns the probe results.
    @discardableResult
    public func refresh(_ keys: [InstanceKey]) async -> [ProbeResult] {
        await loadIfNeeded()
        let results = await crawl(from: keys.filter { !forgotten.contains($0) }, followNeighbours: false)
        barrier = generation
        return results
    }

    /// Removes an instance from the store; it is not re-added through its master or replicas until
    /// it is discovered explicitly again.
    public func forget(_ key: InstanceKey) async {
        await loadIfNeeded()
        records.removeValue(forKey: key)
        storeWrites.forget(key)
        forgotten.insert(key)
        regroup()
        barrier = generation
        do {
            try await store.forget(key)
            try await store.upsert(Array(records.values))
        } catch {
            logger.error("cannot forget \(key) in the backend store: \(error)")
        }
    }

    /// Every known instance, ordered by key.
    public func instances() async -> [Instance] {
        await loadIfNeeded()
        return records.keys.sorted().compactMap { records[$0]?.instance }
    }

    /// The current generation of the known instances, and the one readers must have seen at least
    /// (see `barrier`).
    public func generations() async -> (current: UInt64, required: UInt64) {
        await loadIfNeeded()
        return (generation, barrier)
    }

    /// `key`'s instance and the instances that replicate from it, as last probed: what a re-probe after
    /// `key` failed needs, without waiting for the node's read model (a fleet's takes a while to build).
    public func neighbourhood(of key: InstanceKey) async -> [Instance] {
        await loadIfNeeded()
        return records.values.lazy.filter { $0.key == key || $0.instance.masterKey == key }.map(\.instance)
    }

    /// The generation of the last completed poll round (see `roundGeneration`).
    public func lastRoundGeneration() -> UInt64 { roundGeneration }

    /// Every known instance with its check bookkeeping, in no particular order (the caller sorts, off
    /// this actor, which the poll loop's results wait for), and the generation it belongs to.
    public func recordsWithGeneration() async -> (generation: UInt64, records: [InstanceRecord]) {
        await loadIfNeeded()
        return (generation, Array(records.values))
    }

    /// Every known instance with its check bookkeeping, ordered by key.
    public func instanceRecords() async -> [InstanceRecord] {
        await loadIfNeeded()
        return records.keys.sorted().compactMap { records[$0] }
    }

    /// One instance, nil when unknown.
    public func instance(_ key: InstanceKey) async -> Instance? {
        await loadIfNeeded()
        return records[key]?.instance
    }

    /// A stream of every probe result from now on (until the stream's consumer stops); with
    /// `failedOnly`, of the failed ones only. The stream keeps the newest 1,024 results its consumer
    /// has not taken yet: a consumer that wants only failures asks for only those, so that a round's
    /// 10,000 successes can never push a failure out.
    public func probeResults(failedOnly: Bool = false) -> AsyncStream<ProbeResult> {
        let (stream, continuation) = AsyncStream.makeStream(of: ProbeResult.self, bufferingPolicy: .bufferingNewest(1024))
        subscribers[nextSubscriber] = (continuation, failedOnly)
        nextSubscriber += 1
        return stream
    }

    // MARK: - Service

    /// Polls every `InstancePollSeconds` until cancelled or a graceful shutdown.
    public func run() async throws {
        let poll = Double(max(1, settings.instancePollSeconds))
        try await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                let started = ContinuousClock.now
                await pollRound(collect: false)
                let elapsed = ContinuousClock.now - started
                let spent = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                await observePollRound(seconds: spent)
                try await clock.sleep(seconds: max(0, poll - spent))
            }
        }
        finishSubscribers()
    }

    // MARK: - Crawl

    /// Probes `seeds` and, transitively, every master and replica they point at, at most
    /// `DiscoveryMaxConcurrency` at once; then regroups clusters and writes all changes in one
    /// transaction.
    private func crawl(from seeds: [InstanceKey], followNeighbours: Bool = true, collect: Bool = true) async -> [ProbeResult] {
        let prober = self.prober
        let clock = self.clock
        let limit = max(1, settings.discoveryMaxConcurrency)
        // Keys whose record this round changed: every one probed (not a copy of all records: a fleet's
        // are large).
        var changedKeys: Set<InstanceKey> = []
        // FIFO queue: `queue[head...]` is still to probe.
        var queue: [InstanceKey] = []
        var seen: Set<InstanceKey> = []
        for key in seeds where key.isValid && !key.isDetachedMasterKey && seen.insert(key).inserted { queue.append(key) }
        var head = 0
        var results: [ProbeResult] = []
        // Every result when the caller wants them or a subscriber takes all; else failures only.
        let keepAll = collect || subscribers.values.contains { !$0.failedOnly }

        await withTaskGroup(of: (ProbeResult, Timestamp).self) { group in
            var inFlight = 0
            while head < queue.count || inFlight > 0 {
                while inFlight < limit, head < queue.count {
                    let key = queue[head]
                    head += 1
                    group.addTask(executorPreference: prober.taskExecutor(for: key)) {
                        let attempted = clock.now()
                        return (await prober.probe(key), attempted)
                    }
                    inFlight += 1
                }
                guard let (result, attempted) = await group.next() else { break }
                inFlight -= 1
                // Forgotten while its probe was in flight (the actor is re-entered at each await):
                // the operator's forget wins over a probe that started before it.
                if forgotten.contains(result.key) { continue }
                apply(result, attemptedAt: attempted)
                changedKeys.insert(result.key)
                if keepAll || result.error != nil { results.append(result) }
                for neighbour in result.neighbours
                where followNeighbours && neighbour.isValid && !forgotten.contains(neighbour) && seen.insert(neighbour).inserted {
                    queue.append(neighbour)
                }
            }
        }

        // A re-probe of known servers regroups only their clusters; a crawl may have found anything.
        let regrouped = followNeighbours ? regroup() : regroup(around: changedKeys)
        // Only rows that changed (every probed one does: its check times moved, and regrouping may move
        // others), and of those only the ones whose facts moved or whose refresh is due
        // (InstanceStoreWrites).
        let now = clock.now()
        let changed = storeWrites.select(changedKeys.union(regrouped).compactMap { records[$0] }, now: now)
        do {
            try await store.upsert(changed)
            storeWrites.committed(changed, now: now)
            if !changed.isEmpty {
                counters.storedRows &+= UInt64(changed.count)
                counters.storeTransactions &+= 1
            }
        } catch is CancellationError {
            // The round was cancelled (shutdown, or instances forgotten meanwhile): the next one writes.
            logger.debug("writing \(changed.count) instances to the backend store was cancelled")
        } catch {
            logger.error("cannot write \(changed.count) instances to the backend store: \(error)")
        }
        publish(results)
        return results
    }

    /// Probes made since start, for `/metrics`.
    public func probeCounters() -> OrchdMetrics.DiscoveryCounters { counters }

    private func observePollRound(seconds: Double) { counters.pollRounds.observe(seconds) }

    /// Folds one probe result into the instance's record, in place (a fleet's records are large: a
    /// copy out and back, and a comparison of the two, per probe cost more than the folding). Every
    /// result changes its record (the check times move); which rows reach the store is
    /// ``InstanceStoreWrites``'s choice.
    private func apply(_ result: ProbeResult, attemptedAt: Timestamp) {
        let now = clock.now()
        counters.probes &+= 1
        if result.instance == nil || result.error != nil { counters.failedProbes &+= 1 }
        counters.probeSeconds += Double(max(0, result.latencyNanoseconds)) / 1e9
        let index: Dictionary<InstanceKey, InstanceRecord>.Index
        if let known = records.index(forKey: result.key) {
            index = known
        } else {
            records[result.key] = InstanceRecord(instance: Instance(key: result.key))
            index = records.index(forKey: result.key)!
        }
        Self.fold(result, into: &records.values[index], now: now, attemptedAt: attemptedAt)
    }

    private static func fold(_ result: ProbeResult, into record: inout InstanceRecord, now: Timestamp, attemptedAt: Timestamp) {
        if let fresh = result.instance, result.error == nil {
            var instance = fresh
            instance.carryOperatorState(from: record.instance)
            instance.clusterName = record.instance.clusterName
            instance.lastSeenTimestamp = now
            instance.isLastCheckValid = true
            instance.isUpToDate = true
            instance.isRecentlyChecked = true
            instance.secondsSinceLastSeen = 0
            instance.lastError = result.warnings.joined(separator: "; ")
            // The first time these coordinates were seen, carried while they do not move (a failed
            // probe in between keeps it: nothing says they moved).
            if record.binlogCoordinatesUnchangedSince == nil
                || record.instance.selfBinlogCoordinates != instance.selfBinlogCoordinates {
                record.binlogCoordinatesUnchangedSince = now
            }
            record.lastIOErrno = result.lastIOErrno
            if !instance.isReplica { record.clusterDomain = result.clusterDomain }
            record.instance = instance
        } else {
            // Keep the last known facts; mark the check failed and say why.
            record.instance.isLastCheckValid = false
            record.instance.isUpToDate = false
            record.instance.isRecentlyChecked = true
            record.instance.lastError = result.error?.message ?? "probe failed"
            record.instance.lastDiscoveryLatencyNanoseconds = result.latencyNanoseconds
            record.instance.secondsSinceLastSeen = record.instance.lastSeenTimestamp.map { now.seconds(since: $0) }
        }
        if record.firstChecked == nil { record.firstChecked = attemptedAt }
        record.lastAttemptedCheck = attemptedAt
        record.lastChecked = now
    }

    // MARK: - Housekeeping

    @discardableResult
    private func regroup(around keys: Set<InstanceKey>? = nil) -> Set<InstanceKey> {
        DiscoveryRegrouping.regroup(
            &records, around: keys, clusterNameToAlias: settings.clusterNameToAlias,
            reasonableReplicationLagSeconds: settings.reasonableReplicationLagSeconds)
    }

    private func loadIfNeeded() async {
        guard !loaded else { return }
        loaded = true
        do {
            for record in try await store.allRecords() where records[record.key] == nil {
                records[record.key] = record
            }
        } catch {
            logger.error("cannot read known instances from the backend store: \(error)")
        }
    }

    private func forgetUnseen() async {
        let cutoff = clock.now().adding(seconds: -Int64(settings.unseenInstanceForgetHours) * 3600)
        let stale = records.values.filter { record in
            guard let since = record.instance.lastSeenTimestamp ?? record.firstChecked else { return false }
            return since < cutoff
        }.map(\.key)
        guard !stale.isEmpty else { return }
        for key in stale {
            records.removeValue(forKey: key)
            storeWrites.forget(key)
            logger.info("forgetting \(key): unseen for more than \(settings.unseenInstanceForgetHours) hours")
        }
        regroup()
        do {
            for key in stale { try await store.forget(key) }
            try await store.upsert(Array(records.values))
        } catch {
            logger.error("cannot forget unseen instances in the backend store: \(error)")
        }
    }

    private func publish(_ results: [ProbeResult]) {
        guard !subscribers.isEmpty else { return }
        for (id, subscriber) in subscribers {
            for result in results where !subscriber.failedOnly || result.error != nil {
                if case .terminated = subscriber.continuation.yield(result) {
                    subscribers.removeValue(forKey: id)
                    break
                }
            }
        }
    }

    private func finishSubscribers() {
        for subscriber in subscribers.values { subscriber.continuation.finish() }
        subscribers.removeAll()
    }
}

/// Why discovery could not return an instance.
public enum DiscoveryError: Error, Sendable, CustomStringConvertible {
    /// The instance could not be probed; the probe's error says why.
    case unreachable(InstanceKey, ProbeError)

    public var description: String {
        switch self {
        case .unreachable(let key, let error): return "cannot discover \(key): \(error.message)"
        }
    }
}

extension Instance {
    /// Operator-owned fields survive a fresh probe (they come from replicated intent, not the server).
    mutating func carryOperatorState(from previous: Instance) {
        isCandidate = previous.isCandidate
        promotionRule = previous.promotionRule
        isDowntimed = previous.isDowntimed
        downtimeReason = previous.downtimeReason
        downtimeOwner = previous.downtimeOwner
        downtimeEndTimestamp = previous.downtimeEndTimestamp
        elapsedDowntimeNanoseconds = previous.elapsedDowntimeNanoseconds
    }
}
