import Logging
import NIOCore
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
    /// The loop this actor runs on (``RaftEventLoop``): its transport's, so that a frame is read and
    /// stepped on one thread, and its tick timer is one of the loop's.
    nonisolated let loop: any EventLoop

    public nonisolated var unownedExecutor: UnownedSerialExecutor { loop.executor.asUnownedSerialExecutor() }

    /// Actions returned by the node and not yet performed.
    var pending: [RaftAction] = []
    /// Frames received and not yet stepped. Filled without hopping onto the actor, so that frames
    /// arriving while the actor waits for an fsync are all stepped together and share the next one.
    private let inbox = Inbox()
    /// `run()`'s wait for the end: resumed with a fatal error from the loop's callbacks, or with
    /// cancellation; `fatal` keeps an error that came before the wait began.
    private var stopWaiter: CheckedContinuation<Void, any Error>?
    private var fatal: (any Error)?
    var running = false
    var stopped = false
    var lastSnapshotIndex: UInt64
    var leadership: Leadership
    var lastVote: (term: UInt64, votedFor: RaftNodeID?)
    /// Ticks since start, and the tick at which the current leader was last heard from (followers).
    var ticks: UInt64 = 0
    var leaderHeardAt: UInt64?
    /// When the last tick applied to the node was due, and the loop's timer for the next turn
    /// (``armTick()``).
    var tickedAt = ContinuousClock.now
    var tickSleeper: (timer: Scheduled<Void>, until: ContinuousClock.Instant)?
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
        loop = transport.eventLoop ?? RaftEventLoop.ownLoop()
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
        logger.info("raft node loaded", metadata: [
            "id": "\(settings.id)", "term": "\(stored.hardState.term)", "commit": "\(stored.hardState.commit)",
            "lastIndex": "\(stored.lastIndex)", "snapshot": "\(snapshotIndex)", "applied": "\(stateMachine.lastApplied)",
        ])
    }

    // MARK: - Service

    /// Listens, ticks and processes messages until cancelled or gracefully shut down.
    ///
    /// Everything happens in callbacks on the actor's event loop, not in tasks: a frame received is
    /// stepped by a job the transport queues on the loop (``deliver(_:)``), and ticks are a timer of
    /// the loop (``armTick()``). An idle leader's heartbeat is then one wake of one thread; tasks
    /// waiting on streams and sleeps cost a timer thread, a pool thread and the loop each time.
    public func run() async throws {
        guard !running, !stopped else { throw RaftServiceError.shuttingDown }
        running = true
        do {
            // Frames straight into the inbox where the transport allows it (no task reading `inbound`).
            let direct = transport.deliverInbound { [weak self] frame in self?.deliver(frame) }
            try await transport.start()
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    if !direct { group.addTask { await self.receiveLoop() } }
                    group.addTask { try await self.untilStopped() }
                    // Cancellation, or a fatal storage error, ends both.
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
        tickSleeper?.timer.cancel()
        tickSleeper = nil
        failAllWaiters(RaftServiceError.shuttingDown)
        for c in subscribers.values { c.finish() }
        subscribers.removeAll()
        await transport.shutdown()
        logger.info("raft service stopped", metadata: ["id": "\(settings.id)"])
    }

    /// Starts the ticks, then waits until a callback fails (``fail(_:)``) or the task is cancelled.
    private func untilStopped() async throws {
        armTick()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                if let fatal { c.resume(throwing: fatal) } else { stopWaiter = c }
            }
        } onCancel: { [loop] in
            loop.execute { [weak self] in self?.assumeIsolated { $0.fail(CancellationError()) } }
        }
    }

    /// Ends `run()` with `error` (a storage or state-machine failure: continuing could lose
    /// acknowledged data; or cancellation).
    private func fail(_ error: any Error) {
        if let waiter = stopWaiter {
            stopWaiter = nil
            waiter.resume(throwing: error)
        } else if fatal == nil {
            fatal = error
        }
    }

    /// Ticks lazily: the timer is set for the node's next due tick (a leader's heartbeat, a follower's
    /// election timeout), or the next tick while a request waits for its deadline, instead of firing
    /// every tick. An idle follower wakes a few times a second rather than fifty. Ticks that elapse
    /// meanwhile are applied before any message is stepped (``advanceTicks(now:firing:)``), so the
    /// node sees the same sequence of ticks and messages as if it had been ticked on time.
    private func armTick() {
        guard !stopped else { return }
        let until = nextWake()
        let wait = max(.zero, until - ContinuousClock.now).components
        let timer = loop.scheduleTask(in: .nanoseconds(wait.seconds * 1_000_000_000 + wait.attoseconds / 1_000_000_000)) {
            [weak self] in
            self?.assumeIsolated { $0.tickFired() }
            return
        }
        tickSleeper = (timer, until)
    }

    /// The timer's turn: messages already received first (a heartbeat waiting in the inbox must reset
    /// the election timer before the ticks that follow it are counted), then the elapsed ticks, then
    /// deadlines; then the next turn is set.
    private func tickFired() {
        tickSleeper = nil
        guard !stopped else { return }
        do {
            stepInbox()
            let now = ContinuousClock.now
            advanceTicks(now: now, firing: true)
            expireWaiters(now: now)
            warnAboutSlowLinks(now: now)
            try drain()
        } catch {
            fail(error)
            return
        }
        armTick()
    }

    /// A transport without ``RaftTransport/deliverInbound(to:)``: frames from its stream.
    private nonisolated func receiveLoop() async {
        for await frame in transport.inbound { deliver(frame) }
    }

    /// Puts a received frame in the inbox (on any thread) and, unless one is queued already, queues a
    /// drain on the loop.
    private nonisolated func deliver(_ frame: RaftFrame) {
        if inbox.append(frame) { queueDrain() }
    }

    private nonisolated func queueDrain() {
        loop.execute { [weak self] in self?.assumeIsolated { $0.drainNow() } }
    }

    private func drainNow() {
        do { try drain() } catch { fail(error) }
    }

    // MARK: - Inputs

    /// Applies the ticks elapsed since the last one applied. The tick loop (`firing`) applies them up
    /// to and including the node's due tick; a message arriving between wakes applies them only up to
    /// the tick before it unless the loop is late, so a heartbeat is stepped against a timer that has
    /// counted to its arrival and no more. Time beyond the due tick (a stalled or starved process) is
    /// dropped rather than burst, as a fixed-rate ticker that fell behind would.
    func advanceTicks(now: ContinuousClock.Instant, firing: Bool) {
        let elapsed = Int(((now - tickedAt) / settings.tickInterval).rounded(.down))
        guard elapsed > 0 else { return }
        let due = node.ticksUntilDue
        let apply = elapsed <= due ? elapsed : (firing ? due : due - 1)
        for _ in 0..<apply {
            ticks += 1
            pending += node.tick()
        }
        tickedAt = elapsed <= due ? tickedAt.advanced(by: settings.tickInterval * apply) : now
    }

    /// When the tick loop should next run: the node's due tick, or the next tick while requests wait
    /// (their deadlines are checked every tick, as before).
    func nextWake() -> ContinuousClock.Instant {
        let waiting = !proposals.isEmpty || !reads.isEmpty || !transfers.isEmpty
        let ahead = waiting ? 1 : node.ticksUntilDue
        return tickedAt.advanced(by: settings.tickInterval * ahead)
    }

    /// After the node changed (became leader, a request started waiting): sets the timer earlier if it
    /// is set past the new due tick.
    func retimeIfNeeded() {
        guard let sleeper = tickSleeper, nextWake() < sleeper.until else { return }
        tickSleeper = nil
        sleeper.timer.cancel()
        armTick()
    }

    /// Steps the node with every frame received so far.
    func stepInbox() {
        let frames = inbox.takeAll()
        guard !frames.isEmpty else { return }
        advanceTicks(now: ContinuousClock.now, firing: false)
        for frame in frames {
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

    /// Performs pending actions soon: after the other jobs already queued on the loop, so they batch
    /// (one drain queued at a time, shared with received frames: ``Inbox``).
    func signal() {
        if inbox.requestDrain() { queueDrain() }
    }

    final class Inbox: Sendable {
        /// As many frames as the transport's `inbound` buffers; beyond, the oldest go (Raft resends).
        static let limit = 8192
        /// The frames, and whether a drain was queued since they were last taken (a drain takes them).
        private let state = Mutex<(frames: [RaftFrame], drainQueued: Bool)>(([], false))
        /// True when the caller must queue a drain (none is queued since the frames were last taken).
        func append(_ frame: RaftFrame) -> Bool {
            state.withLock { s in
                if s.frames.count >= Self.limit { s.frames.removeFirst(s.frames.count - Self.limit + 1) }
                s.frames.append(frame)
                return Self.claimDrain(&s.drainQueued)
            }
        }
        /// The same for work other than frames (``RaftService/signal()``).
        func requestDrain() -> Bool { state.withLock { Self.claimDrain(&$0.drainQueued) } }

        private static func claimDrain(_ queued: inout Bool) -> Bool {
            defer { queued = true }
            return !queued
        }
        func takeAll() -> [RaftFrame] {
            state.withLock { s in
                defer { s = ([], false) }
                return s.frames
            }
        }
    }
}
