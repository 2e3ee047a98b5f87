import Logging
import OrchestratorCore
import ServiceLifecycle

/// Publishes every cluster's master to the key-value stores, on the Raft leader only.
///
/// Each second the leader compares what the stores should say (`ClusterMasterKV.masters`) with what
/// each store last accepted and writes the difference: a newly discovered cluster, a master changed by
/// a refactoring, a store that was down and is back. On gaining leadership, and every
/// `KVSyncIntervalSeconds`, it writes everything again (a follower's stale view, or an operator's edit
/// of the store, is corrected). Recoveries call `publish` before their post-failover hooks; the
/// master they promoted is pinned until the inventory agrees, so a stale view never rolls it back.
public actor MasterKVPublisher: Service {
    let node: OrchestratorNode
    public nonisolated let stores: [any MasterKVStore]
    let prefix: String
    let syncInterval: Duration
    let tick: Duration
    let logger: Logger
    /// Host names of masters -> addresses, for the `/ipv4` and `/ipv6` sub-keys.
    let resolver: HostAddressResolver
    /// Per store (by index): key -> value it last accepted from this node while leader.
    private var written: [[String: String]]
    /// Masters recoveries chose, not yet seen by the inventory: alias -> (master, when pinned).
    private var pinned: [String: (key: InstanceKey, at: ContinuousClock.Instant)] = [:]
    private var wasLeader = false
    private var lastFullSync: [ContinuousClock.Instant?]
    /// Per store: the last failure logged and when, so a store that stays down is logged once a minute.
    private var lastWarning: [(text: String, at: ContinuousClock.Instant)?]

    public init(node: OrchestratorNode, stores: [any MasterKVStore], prefix: String, syncInterval: Duration,
                tick: Duration = .seconds(1), resolver: HostAddressResolver = HostAddressResolver(),
                logger: Logger = Logger(label: "orchd.kv")) {
        self.node = node
        self.stores = stores
        self.prefix = prefix
        self.syncInterval = syncInterval
        self.tick = tick
        self.logger = logger
        self.resolver = resolver
        written = Array(repeating: [:], count: stores.count)
        lastFullSync = Array(repeating: nil, count: stores.count)
        lastWarning = Array(repeating: nil, count: stores.count)
    }

    public func run() async throws {
        guard !stores.isEmpty else {
            // Nothing to publish. Stay until shutdown all the same: a service that returns early stops
            // the whole service group (and with it orchd).
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.sync()
                try? await Task.sleep(for: self.tick)
            }
        }
    }

    /// One round: on the leader, writes what each store lacks (everything when a full sync is due).
    func sync() async {
        guard await isLeader() else {
            wasLeader = false
            return
        }
        if !wasLeader {
            // A new term: whatever we wrote before may have been overwritten by another leader since.
            lastFullSync = Array(repeating: nil, count: stores.count)
            written = Array(repeating: [:], count: stores.count)
            wasLeader = true
        }
        let desired = await desiredPairs()
        for index in stores.indices {
            let full = lastFullSync[index].map { ContinuousClock.now - $0 >= syncInterval } ?? true
            _ = await write(ClusterMasterKV.toWrite(desired, written: written[index], full: full), to: index,
                            markFullSync: full)
        }
    }

    /// Publishes `master` for `clusterAlias` at once (recoveries, take-master), pinning it until the
    /// inventory agrees. Returns one line per store for the recovery's audit; never throws: a store that
    /// is down is retried by the next rounds.
    public func publish(clusterAlias: String, master: InstanceKey) async -> (ok: Bool, summary: String) {
        guard !stores.isEmpty else { return (true, "no key-value store configured") }
        pinned[clusterAlias] = (master, ContinuousClock.now)
        let pairs = ClusterMasterKV.pairs(prefix: prefix, clusterAlias: clusterAlias, master: master,
                                          resolved: await resolver.resolve(master.hostname))
        guard await isLeader() else { return (false, "not the raft leader: nothing written") }
        var lines: [String] = []
        var ok = true
        for index in stores.indices {
            if let error = await write(pairs, to: index, markFullSync: false) {
                ok = false
                lines.append("\(stores[index].name): \(error); retried every \(tick)")
            } else {
                lines.append("\(stores[index].name): \(pairs.map(\.description).joined(separator: " "))")
            }
        }
        return (ok, lines.joined(separator: "\n"))
    }

    /// `submit-masters-to-kv-stores`: writes the masters of all clusters (or those of `aliases`) now.
    /// Returns the pairs and the errors of stores that failed.
    public func submitAll(aliases: Set<String>? = nil) async -> (pairs: [KVPair], errors: [String]) {
        var pairs = await desiredPairs()
        if let aliases {
            let keys = Set(aliases.map { ClusterMasterKV.key(prefix: prefix, clusterAlias: $0) })
            pairs = pairs.filter { pair in keys.contains { pair.key == $0 || pair.key.hasPrefix($0 + "/") } }
        }
        var errors: [String] = []
        for index in stores.indices {
            if let error = await write(pairs, to: index, markFullSync: aliases == nil) { errors.append(error) }
        }
        return (pairs, errors)
    }

    private func isLeader() async -> Bool {
        let status = await node.raftStatus()
        return status.role == .leader
    }

    private func desiredPairs() async -> [KVPair] {
        let inventory = await node.inventory()
        let seen = ClusterMasterKV.masters(in: inventory)
        // A pin ends once the inventory agrees, or after a sync interval (or 5 minutes, whichever is longer).
        let limit = max(syncInterval, .seconds(300))
        pinned = pinned.filter { alias, pin in seen[alias] != pin.key && ContinuousClock.now - pin.at < limit }
        let masters = ClusterMasterKV.masters(in: inventory, pinned: pinned.mapValues(\.key))
        return ClusterMasterKV.pairs(prefix: prefix, masters: masters, resolved: await resolver.resolve(masters.values.map(\.hostname)))
    }

    /// Writes `pairs` to store `index`; returns the error text on failure.
    private func write(_ pairs: [KVPair], to index: Int, markFullSync: Bool) async -> String? {
        guard !pairs.isEmpty else {
            if markFullSync { lastFullSync[index] = .now }
            return nil
        }
        do {
            try await stores[index].put(pairs)
            for pair in pairs { written[index][pair.key] = pair.value }
            if markFullSync { lastFullSync[index] = .now }
            logger.info("\(stores[index].name): wrote \(pairs.map(\.description).joined(separator: " "))")
            if lastWarning[index] != nil { logger.notice("\(stores[index].name): reachable again") }
            lastWarning[index] = nil
            return nil
        } catch {
            // Forget what this store had: the next round writes everything again.
            written[index] = [:]
            lastFullSync[index] = nil
            let text = "\(error)"
            if let last = lastWarning[index], last.text == text, ContinuousClock.now - last.at < .seconds(60) { return text }
            lastWarning[index] = (text, .now)
            logger.warning("\(stores[index].name): cannot publish masters (retried every \(tick)): \(text)")
            return text
        }
    }
}
