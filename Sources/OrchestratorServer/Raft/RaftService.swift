import Logging
import OrchestratorCore
import ServiceLifecycle
import Synchronization

/// Runs one Raft member: owns the pure `RaftNode`, ticks it, feeds it inbound messages, and
/// performs the actions it returns through `RaftStorage`, `RaftTransport` and a `RaftStateMachine`.
///
/// # Effect order
/// Actions from any number of calls into the node are batched and performed as: (1) persistence,
/// in order, coalescing consecutive entry/hard-state writes into one durable transaction; (2) sends;
/// (3) state-machine work in order (snapshot restores and applies); (4) notifications. Each call's
/// own list is already in that order, so merging lists keeps the contract (a message never leaves
/// before what it reveals is on disk) while letting concurrent proposals share one fsync.
///
/// A storage or state-machine failure ends `run()` with the error: continuing could lose
/// acknowledged data, so the process should stop and be restarted.
public actor RaftService: Service {
    let settings: Settings
    let storage: any RaftStorage
    let transport: any RaftTransport
    let stateMachine: any RaftStateMachine
    let logger: Logger
    var node: RaftNode

    /// Actions returned by the node and not yet performed.
    var pending: [RaftAction] = []
    /// Frames received and not yet stepped. Filled without hopping onto the actor, so that frames
    /// arriving while the actor waits for an fsync are all stepped together and share the next one.
    private let inbox = Inbox()
    private let wakeups: AsyncStream<Void>
    private let wakeup: AsyncStream<Void>.Continuation
    var running = false
    var stopped = false
    var lastSnapshotIndex: UInt64
    var leadership: Leadership
    var lastVote: (term: UInt64, votedFor: RaftNodeID?)
    /// Ticks since start, and the tick at which the current leader was last heard from (followers).
    var ticks: UInt64 = 0
    var leaderHeardAt: UInt64?
    /// Leader: heartbeat round trips to each follower (``RaftRoundTrips``), and when each slow link was
    /// last warned about.
    var roundTrips = RaftRoundTrips()
    var slowLinkWarnedAt: [RaftNodeID: ContinuousClock.Instant] = [:]
    var roundTripsCheckedAt = ContinuousClock.now
    let roundTripOrigin = ContinuousClock.now

    // MARK: Waiters
    struct Waiter {
        var continuation: CheckedContinuation<Void, any Error>
        var deadline: ContinuousClock.Instant
    }
    var proposals: [UInt64: (term: UInt64, waiter: Waiter)] = [:]
    var reads: [UInt64: Waiter] = [:]
    var readsAwaitingApply: [(requestID: UInt64, index: UInt64)] = []
    var transfers: [(target: RaftNodeID, waiter: Waiter)] = []
    var nextRequestID: UInt64 = 0
    var subscribers: [UInt64: AsyncStream<Leadership>.Continuation] = [:]

    /// Loads the persisted state and restores the state machine from the newest snapshot if it is
    /// behind it. Nothing runs until `run()`.
    public init(
        settings: Settings,
        storage: any RaftStorage,
        transport: any RaftTransport,
        stateMachine: any RaftStateMachine,
        logger: Logger = Logger(label: "orchd.raft")
    ) throws {
        self.settings = settings
        self.storage = storage
        self.transport = transport
        self.stateMachine = stateMachine
        self.logger = logger
        let stored = try storage.load()
        let snapshot = try storage.loadSnapshot()
        if let snapshot, stateMachine.lastApplied < snapshot.metadata.index {
            try stateMachine.restore(snapshot)
        }
        node = RaftNode(
            id: settings.id, voters: settings.voters, configuration: settings.core,
            hardState: stored.hardState, snapshot: snapshot, entries: stored.entries,
            appliedIndex: stateMachine.lastApplied, seed: UInt64.random(in: 1...UInt64.max))
        let snapshotIndex = snapshot?.metadata.index ?? 0
        lastSnapshotIndex = snapshotIndex
        leadership = Leadership(role: .follower, term: stored.hardState.term, leader: nil)
        lastVote = (stored.hardState.term, stored.hardState.votedFor)
        (wakeups, wakeup) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        logger.info("raft node loaded", metadata: [
            "id": "\(settings.id)", "term": "\(stored.hardState.term)", "commit": "\(stored.hardState.commit)",
            "lastIndex": "\(stored.lastIndex)", "snapshot": "\(snapshotIndex)", "applied": "\(stateMachine.lastApplied)",
        ])
    }

    // MARK: - Service

    /// Listens, ticks and processes messages until cancelled or gracefully shut down.
    public func run() async throws {
        guard !running, !stopped else { throw RaftServiceError.shuttingDown }
        running = true
        do {
            try await transport.start()
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await self.tickLoop() }
                    group.addTask { await self.receiveLoop() }
                    group.addTask { try await self.driveLoop() }
                    // The first loop to end (cancellation, or a fatal storage error) ends them all.
                    _ = try await group.next()
                    group.cancelAll()
                    try await group.waitForAll()
                }
            }
        } catch is CancellationError {
        } catch {
            logger.critical("raft service stopped on a fatal error", metadata: ["error": "\(error)"])
            await stop()
            throw error
        }
        await stop()
    }

    private func stop() async {
        guard !stopped else { return }
        stopped = true
        running = false
        failAllWaiters(RaftServiceError.shuttingDown)
        for c in subscribers.values { c.finish() }
        subscribers.removeAll()
        wakeup.finish()
        await transport.shutdown()
        logger.info("raft service stopped", metadata: ["id": "\(settings.id)"])
    }

    private nonisolated func tickLoop() async throws {
        let clock = ContinuousClock()
        var next = clock.now
        while !Task.isCancelled {
            next = next.advanced(by: settings.tickInterval)
            let now = clock.now
            if next < now { next = now } // fell behind (busy box): don't burst ticks
            try await clock.sleep(until: next, tolerance: .milliseconds(1))
            try await tick(now: clock.now)
        }
    }

    private nonisolated func receiveLoop() async {
        for await frame in transport.inbound {
            inbox.append(frame)
            wakeup.yield()
        }
    }

    private nonisolated func driveLoop() async throws {
        for await _ in wakeups {
            try await drain()
        }
    }

    // MARK: - Inputs

    private func tick(now: ContinuousClock.Instant) throws {
        ticks += 1
        pending += node.tick()
        expireWaiters(now: now)
        warnAboutSlowLinks(now: now)
        try drain()
    }

    /// Steps the node with every frame received so far.
    func stepInbox() {
        for frame in inbox.takeAll() {
            let message: RaftMessage
            do {
                message = try RaftMessageCodec.message(frame)
            } catch {
                logger.warning("raft: dropped undecodable message", metadata: ["from": "\(frame.from)", "error": "\(error)"])
                continue
            }
            pending += node.step(message)
            if case .heartbeatResponse = message.kind, node.isLeader {
                roundTrips.answered(by: message.from, at: roundTripSeconds())
            }
            guard message.from == node.leaderID else { continue }
            switch message.kind {
            case .appendEntries, .heartbeat, .installSnapshot: leaderHeardAt = ticks
            default: break
            }
        }
    }

    /// Follower: the leader was heard from within an election timeout.
    var hearsLeader: Bool {
        guard node.leaderID != nil, node.leaderID != settings.id, let at = leaderHeardAt else { return false }
        return ticks - at < UInt64(settings.core.electionTicks)
    }

    /// Asks the drive loop to perform pending actions soon (after other queued inputs, so they batch).
    func signal() {
        wakeup.yield()
    }

    final class Inbox: Sendable {
        private let frames = Mutex<[RaftFrame]>([])
        func append(_ frame: RaftFrame) { frames.withLock { $0.append(frame) } }
        func takeAll() -> [RaftFrame] { frames.withLock { f in defer { f = [] }; return f } }
    }
}
