import Foundation
import OrchestratorCore
import Synchronization
import Testing
@testable import OrchestratorServer
import OrchestratorServerTestKit

/// The node shares one inventory between reads until the probed instances, the applied intent or the
/// second changes: each of the three must show at once.
@Suite("Node inventory cache")
struct InventoryCacheTests {
    private func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "db", port: port) }

    /// A single-node group over `prober`, leading (the returned task runs its Raft service).
    static func leadingNode(prober: any TopologyProber, clock: DiscoveryCrawlTests.FixedClock)
        async throws -> (OrchestratorNode, Discovery, Task<Void, any Error>) {
        let database = try BackendDatabase()
        let machine = try IntentStateMachine(database: database)
        var raftSettings = RaftService.Settings(id: "n1", voters: ["n1"])
        raftSettings.tickInterval = .milliseconds(10)
        let raft = try RaftService(settings: raftSettings, storage: InMemoryRaftStorage(),
                                   transport: InMemoryRaftNetwork().endpoint("n1"), stateMachine: machine)
        let discovery = Discovery(settings: DiscoverySettings(mysql: MySQLClientConfig(user: "u", password: "p")),
                                  prober: prober, store: InstanceStore(database: database), clock: clock)
        let node = OrchestratorNode(settings: .init(raftID: "n1", httpAdvertise: "http://n1"), raft: raft,
                                    stateMachine: machine, discovery: discovery, clock: clock)
        let running = Task { try await raft.run() }
        #expect(await eventually { await node.raftStatus().role == .leader })
        return (node, discovery, running)
    }

    /// A leading node that has discovered master 1 and its replica 2 (whole seconds never change on
    /// its clock: only the barrier, the rounds and the view's age count).
    private func masterAndReplica() async throws
        -> (OrchestratorNode, Discovery, DiscoveryCrawlTests.ScriptedProber, Task<Void, any Error>) {
        let prober = DiscoveryCrawlTests.ScriptedProber(masters: [key(1): nil, key(2): key(1)])
        let (node, discovery, running) = try await Self.leadingNode(prober: prober, clock: DiscoveryCrawlTests.FixedClock())
        try await discovery.discover(key(1))
        return (node, discovery, prober, running)
    }

    @Test func aChangeOfInstancesIntentOrSecondShowsAtOnce() async throws {
        let clock = DiscoveryCrawlTests.FixedClock()
        let (node, discovery, running) = try await Self.leadingNode(prober: ScriptedProber.tree(), clock: clock)
        defer { running.cancel() }

        try await discovery.discover(key(3309))
        let first = await node.inventory()
        #expect(first.instances.count == 4)
        #expect(first.instance(key(3307))?.isDowntimed == false)

        // Intent: a downtime until 10 s from now.
        let now = clock.now()
        try await node.submit(.beginDowntime(Downtime(key: key(3307), owner: "me", reason: "test", begin: now,
                                                      end: now.adding(seconds: 10))))
        #expect(await node.inventory().instance(key(3307))?.isDowntimed == true)

        // Time alone: the downtime has ended.
        clock.advance(11)
        #expect(await node.inventory().instance(key(3307))?.isDowntimed == false)

        // Instances: a forgotten one is gone.
        await discovery.forget(key(3309))
        let last = await node.inventory()
        #expect(last.instance(key(3309)) == nil)
        #expect(last.instances.count == 3)
    }

    /// A 10,000-server fleet's view costs a few hundred ms to build, so the poll loop's changes (every
    /// probe changes something) are picked up within a second, not on every read; anything explicit is
    /// seen by the next read.
    @Test func pollingAloneIsSeenWithinASecondAnExplicitProbeAtOnce() async throws {
        let master = key(1), replica = key(2)
        let prober = DiscoveryCrawlTests.ScriptedProber(masters: [master: nil, replica: master, key(3): master])
        // Whole seconds never change on this clock: only the barrier and the view's age count.
        let (node, discovery, running) = try await Self.leadingNode(prober: prober, clock: DiscoveryCrawlTests.FixedClock())
        defer { running.cancel() }

        try await discovery.discover(master)
        #expect(await node.inventory().instance(replica)?.isLastCheckValid == true)

        // The poll loop's round moves the generation but not the barrier readers must reach...
        prober.setDown(replica)
        await discovery.pollRound()
        let (current, required) = await discovery.generations()
        #expect(current > required)
        // ...and the node shows it within a second of its last build.
        let started = ContinuousClock.now
        #expect(await eventually(seconds: 5) { await node.inventory().instance(replica)?.isLastCheckValid == false })
        #expect(ContinuousClock.now - started < .seconds(3))

        // An explicit probe raises the barrier: the very next read shows it.
        prober.setUp(replica)
        await discovery.refresh([replica])
        let (after, barrier) = await discovery.generations()
        #expect(after == barrier)
        #expect(await node.inventory().instance(replica)?.isLastCheckValid == true)
        #expect(await node.analyze().allSatisfy { $0.analyzedInstanceKey != replica || !$0.isActionableRecovery })
    }

    /// A view over a second old still answers a plain read (up to three seconds) while its successor is
    /// built off the node's actor, so the API does not queue behind a fleet's build; the recovery loop
    /// asks for a fresh one and waits for it.
    @Test func aPlainReadTakesTheLastViewWhileTheNextIsBuiltAFreshOneWaits() async throws {
        let replica = key(2)
        let (node, discovery, prober, running) = try await masterAndReplica()
        defer { running.cancel() }

        var checked = false
        for _ in 0..<3 where !checked {
            prober.setUp(replica)
            await discovery.refresh([replica])
            let built = ContinuousClock.now
            #expect(await node.inventory().instance(replica)?.isLastCheckValid == true)
            prober.setDown(replica)
            await discovery.pollRound()  // moves the generation, not the barrier
            try await Task.sleep(for: .milliseconds(1100))
            let plain = await node.inventory().instance(replica)?.isLastCheckValid
            // Only a view known to be under three seconds old must have been served (a loaded machine
            // may oversleep; then try again).
            guard ContinuousClock.now - built < OrchestratorNode.viewServesStaleFor else { continue }
            #expect(plain == true, "the last view answers at once")
            #expect(await node.inventory(fresh: true).instance(replica)?.isLastCheckValid == false,
                    "a fresh read waits for the next view")
            #expect(await node.inventory().instance(replica)?.isLastCheckValid == false, "which then serves everyone")
            checked = true
        }
        #expect(checked, "three tries each overslept past the stale limit")
    }

    /// An answer someone keeps asking for is made with each new view, before the view serves a read.
    @Test func anAnswerAskedForIsMadeAheadWithEachView() async throws {
        let replica = key(2)
        let (node, discovery, _, running) = try await masterAndReplica()
        defer { running.cancel() }

        let made = Mutex(0)
        node.keepWarm("count") { inventory in
            _ = inventory.memo.encodedAnswer("count") {
                made.withLock { $0 += 1 }
                return Array("\(inventory.instances.count)".utf8)
            }
        }
        await discovery.refresh([replica])  // the next read needs a new view
        let inventory = await node.inventory()
        #expect(made.withLock { $0 } == 1, "made once, while the view was built")
        let answer = inventory.memo.encodedAnswer("count") {
            Issue.record("made again on read")
            return []
        }
        #expect(String(decoding: answer, as: UTF8.self) == "2")
    }

    /// The recovery loop's fresh view: under a second old, or built since the last completed poll round
    /// (a fleet whose rounds take seconds is analysed once per round, not rebuilt every second).
    @Test func aFreshReadTakesAViewThatHasSeenTheLastRound() async throws {
        let replica = key(2)
        let (node, discovery, prober, running) = try await masterAndReplica()
        defer { running.cancel() }

        await discovery.pollRound()
        let afterRound = await node.inventory(fresh: true)
        try await Task.sleep(for: .milliseconds(1100))
        #expect(await node.inventory(fresh: true).memo === afterRound.memo, "no round since: the same view")

        prober.setDown(replica)
        await discovery.pollRound()
        let next = await node.inventory(fresh: true)
        #expect(next.memo !== afterRound.memo)
        #expect(next.instance(replica)?.isLastCheckValid == false, "a round since: a new view")
    }
}
