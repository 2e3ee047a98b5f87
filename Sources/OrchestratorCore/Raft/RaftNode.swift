/// A pure Raft consensus node: a value type driven by `tick()`, `step(_:)`, `propose(_:)` and a few
/// leader operations, each returning the effects (`RaftAction`) the shell must perform. No IO, no
/// clock, no randomness of its own (a seeded `RaftRandom` is injected).
///
/// # Effect order contract (the shell MUST follow it)
///
/// Every call returns one list of actions, always in this order, and the shell performs them in order:
///
/// 1. **Persistence**: `installSnapshot`, `persistSnapshot` + `compactLog`, `persistEntries`,
///    `persistHardState`. All of them must be durable (fsync) before any later action of the same list
///    is performed: votes, terms and acknowledged entries must survive a crash before a message that
///    reveals them leaves the node. A crash in the middle is fine; the node re-reads storage on restart
///    (writing entries and hard state in one transaction is best, but not required for safety).
/// 2. **Sends** (`send`): best effort, any order, may be dropped or duplicated by the network.
/// 3. **Applies** (`apply`): committed entries only, in index order, each exactly once. The shell
///    persists lastApplied in the same transaction as the state change it applied, and passes it back
///    as `appliedIndex` when it re-creates the node after a restart (entries after it are re-emitted).
///    `installSnapshot` replaces the state machine and sets lastApplied to the snapshot index.
/// 4. **Notifications**: `readReady`/`readFailed` and `stateChanged`.
///
/// The shell reports back:
/// - "applied up to N": implicitly — the node considers an `apply` handed over once returned; after a
///   restart, `init(... appliedIndex:)` tells it what the state machine really holds.
/// - "snapshot taken at N": `snapshotTaken(through: N, data:)` once the state machine's snapshot at
///   applied index N is in hand (N <= the last applied index). The node fills in the metadata, returns
///   `persistSnapshot` and `compactLog(through: N)`, and uses the snapshot for lagging followers.
public struct RaftNode: Sendable {
    // MARK: - Identity and tuning

    /// This node's id (its advertised address).
    public let id: RaftNodeID
    public let configuration: RaftConfiguration

    // MARK: - Persistent state (mirrored to storage through actions)

    /// The current term.
    public internal(set) var term: UInt64
    /// Whom this node voted for in `term`.
    public internal(set) var votedFor: RaftNodeID?
    var log: RaftLog
    /// The highest index known committed. Never decreases during one incarnation.
    public internal(set) var commitIndex: UInt64
    /// The highest index handed to the shell for applying (or restored from a snapshot).
    public internal(set) var appliedIndex: UInt64
    /// The latest snapshot (taken locally or installed from the leader), sent to lagging followers.
    public internal(set) var snapshot: RaftSnapshot?

    // MARK: - Membership

    /// Voters at the snapshot point (or the bootstrap voters).
    var baseVoters: [RaftNodeID]
    /// Configuration entries in the log after the snapshot; the last one is in force (Raft §4.1:
    /// a server uses the latest configuration in its log, committed or not).
    var configHistory: [ConfigPoint]

    struct ConfigPoint: Sendable, Equatable {
        var index: UInt64
        var voters: [RaftNodeID]
    }

    // MARK: - Volatile state

    public internal(set) var role: RaftRole = .follower
    /// The leader of `term` as far as this node knows.
    public internal(set) var leaderID: RaftNodeID?
    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout = 0
    var rng: RaftRandom
    /// Ticks since this incarnation started; the leader's measure of how recently peers answered.
    var ticks: UInt64 = 0
    /// Votes received in the current (pre-)campaign.
    var votes: [RaftNodeID: Bool] = [:]

    // MARK: - Leader state

    var progress: [RaftNodeID: Progress] = [:]
    /// The target of a leadership transfer in progress.
    public internal(set) var leadTransferee: RaftNodeID?
    var readSequence: UInt64 = 0
    var pendingReads: [PendingRead] = []
    /// Reads waiting for the leader's first commit in its term.
    var readsAwaitingCommit: [UInt64] = []

    struct PendingRead: Sendable, Equatable {
        var requestID: UInt64
        var index: UInt64
        var sequence: UInt64
    }

    // MARK: - Output buffers (drained into actions at the end of each call)

    var outbox: [RaftMessage] = []
    var unstableFrom: UInt64?
    var pendingInstall: RaftSnapshot?
    var persistedHardState: RaftHardState
    var notifications: [RaftAction] = []
    var reportedRole: RaftRole = .follower
    var reportedTerm: UInt64
    var reportedLeader: RaftNodeID?

    // MARK: - Initialization

    /// Re-creates a node from what the shell persisted.
    /// - Parameters:
    ///   - voters: bootstrap voters (RaftNodes). Ignored once a snapshot or configuration entry says
    ///     otherwise. A node joining an existing cluster passes `[]` and learns the voters from the leader.
    ///   - hardState: the last persisted term, vote and commit.
    ///   - snapshot: the last persisted snapshot, if any.
    ///   - entries: the persisted log entries after the snapshot, in order.
    ///   - appliedIndex: lastApplied as persisted with the state machine.
    ///   - seed: seeds the election-timeout randomness (use a different seed per node and start).
    public init(
        id: RaftNodeID,
        voters: [RaftNodeID],
        configuration: RaftConfiguration = RaftConfiguration(),
        hardState: RaftHardState = RaftHardState(),
        snapshot: RaftSnapshot? = nil,
        entries: [RaftEntry] = [],
        appliedIndex: UInt64 = 0,
        seed: UInt64
    ) {
        self.id = id
        self.configuration = configuration
        self.term = hardState.term
        self.votedFor = hardState.votedFor
        self.snapshot = snapshot
        let snapIndex = snapshot?.metadata.index ?? 0
        self.log = RaftLog(snapshotIndex: snapIndex, snapshotTerm: snapshot?.metadata.term ?? 0, entries: entries)
        let applied = min(max(appliedIndex, snapIndex), log.lastIndex)
        self.appliedIndex = applied
        self.commitIndex = min(max(hardState.commit, applied), log.lastIndex)
        if let snapshot, !snapshot.metadata.voters.isEmpty {
            self.baseVoters = snapshot.metadata.voters.sorted()
        } else {
            self.baseVoters = Array(Set(voters)).sorted()
        }
        self.configHistory = []
        self.rng = RaftRandom(seed: seed)
        // The stored hard state as given: if commit was raised (from the snapshot or applied index),
        // the first call persists the corrected value.
        self.persistedHardState = hardState
        self.reportedTerm = hardState.term
        for entry in log.entries where entry.kind == .configuration {
            configHistory.append(ConfigPoint(index: entry.index, voters: RaftMembership.decode(entry.data)))
        }
        resetRandomizedElectionTimeout()
    }

    // MARK: - Queries

    /// The voters in force (the latest configuration in the log).
    public var voters: [RaftNodeID] { configHistory.last?.voters ?? baseVoters }
    /// Index of the configuration entry in force (0 when it comes from a snapshot or bootstrap).
    public var configurationIndex: UInt64 { configHistory.last?.index ?? 0 }
    public var lastIndex: UInt64 { log.lastIndex }
    public var lastTerm: UInt64 { log.lastTerm }
    /// The first index still in the log (the one after the snapshot).
    public var firstIndex: UInt64 { log.firstIndex }
    public var snapshotIndex: UInt64 { log.snapshotIndex }
    public var hardState: RaftHardState { RaftHardState(term: term, votedFor: votedFor, commit: commitIndex) }
    public var isLeader: Bool { role == .leader }

    /// May this node start an election? Voters may; so may a node whose removal is not committed
    /// yet: its log may be the only up-to-date one (it was the leader that proposed the change), and
    /// if it waited, nobody could be elected. It then needs a quorum of the new voters, without itself.
    public var isPromotable: Bool {
        if voters.contains(id) { return true }
        guard configurationIndex > commitIndex else { return false }
        let previous = configHistory.count >= 2 ? configHistory[configHistory.count - 2].voters : baseVoters
        return previous.contains(id)
    }
    var quorum: Int { voters.count / 2 + 1 }

    /// The entry at `index`, if it is still in the log.
    public func entry(at index: UInt64) -> RaftEntry? { log.entry(at: index) }
    /// The term at `index` (also for the snapshot point), if known.
    public func term(at index: UInt64) -> UInt64? { log.term(at: index) }
    /// Entries after the snapshot, in order.
    public var entries: [RaftEntry] { log.entries }

    /// Cheap leadership check: leader, and a quorum of voters answered within the last election
    /// timeout. A hint only (ticks may drift between nodes); use `readIndex` for linearizable reads.
    public var isLeaderWithQuorum: Bool { role == .leader && quorumActive() }

    /// The leader's view of each follower; empty on other roles.
    public var peerProgress: [RaftNodeID: RaftPeerProgress] {
        var out: [RaftNodeID: RaftPeerProgress] = [:]
        for (peer, pr) in progress {
            out[peer] = RaftPeerProgress(
                match: pr.match, next: pr.next, state: pr.state, inflight: pr.inflight.count,
                ticksSinceHeard: Int(clamping: ticks - min(ticks, pr.lastHeard)))
        }
        return out
    }

    // MARK: - Driving

    /// Advances logical time by one tick: election timeouts, heartbeats, check-quorum.
    public mutating func tick() -> [RaftAction] {
        ticks += 1
        if role == .leader {
            tickLeader()
        } else {
            electionElapsed += 1
            // Only voters campaign (and restart the timer); a non-voter's timer keeps running, so it
            // is outside the leader lease and answers (pre-)votes once its leader has gone quiet.
            if electionElapsed >= randomizedElectionTimeout, isPromotable {
                electionElapsed = 0
                campaign(transfer: false)
            }
        }
        return drain()
    }

    /// How many more `tick()` calls until one does something on its own: a leader's next heartbeat, a
    /// voter's election timeout. The ticks before that only advance counters, so a driver may sleep
    /// this long and apply them late, as long as it applies the ticks that have elapsed before it
    /// steps a message (a heartbeat must reset a timer that has counted up to its arrival, not to
    /// the next wake). A leader's check-quorum step-down and snapshot re-probe fall between heartbeats
    /// and so happen at most `heartbeatTicks - 1` ticks late. A non-voter never campaigns; it is
    /// given an election timeout so that its driver still looks at it now and then.
    public var ticksUntilDue: Int {
        if role == .leader { return max(1, configuration.heartbeatTicks - heartbeatElapsed) }
        guard isPromotable else { return max(1, configuration.electionTicks) }
        return max(1, randomizedElectionTimeout - electionElapsed)
    }

    /// Starts a (pre-)election right away, as if the election timeout had fired (voters only).
    public mutating func campaignNow() -> [RaftAction] {
        if role != .leader { campaign(transfer: false) }
        return drain()
    }

    /// Handles one message from a peer.
    public mutating func step(_ message: RaftMessage) -> [RaftAction] {
        if message.to == id, message.from != id {
            receive(message)
        }
        return drain()
    }

    // MARK: - Helpers

    mutating func resetRandomizedElectionTimeout() {
        let base = configuration.electionTicks
        randomizedElectionTimeout = base + Int(rng.next(below: UInt64(base)))
    }

    mutating func send(to: RaftNodeID, _ kind: RaftMessage.Kind, term messageTerm: UInt64? = nil) {
        outbox.append(RaftMessage(from: id, to: to, term: messageTerm ?? term, kind: kind))
    }

    mutating func markUnstable(from index: UInt64) {
        unstableFrom = min(unstableFrom ?? index, index)
    }

    /// Builds the action list in the documented order and clears the buffers.
    mutating func drain() -> [RaftAction] {
        var actions: [RaftAction] = []
        if let install = pendingInstall {
            actions.append(.installSnapshot(install))
            pendingInstall = nil
        }
        if let from = unstableFrom {
            if from <= log.lastIndex, from >= log.firstIndex {
                actions.append(.persistEntries(Array(log.slice(from: from, through: log.lastIndex))))
            }
            unstableFrom = nil
        }
        let hs = hardState
        if hs != persistedHardState {
            actions.append(.persistHardState(hs))
            persistedHardState = hs
        }
        if !outbox.isEmpty {
            actions.reserveCapacity(actions.count + outbox.count)
            for message in outbox { actions.append(.send(message)) }
            outbox.removeAll(keepingCapacity: true)
        }
        if commitIndex > appliedIndex {
            actions.append(.apply(Array(log.slice(from: appliedIndex + 1, through: commitIndex))))
            appliedIndex = commitIndex
        }
        if !notifications.isEmpty {
            actions.append(contentsOf: notifications)
            notifications.removeAll()
        }
        if role != reportedRole || term != reportedTerm || leaderID != reportedLeader {
            reportedRole = role
            reportedTerm = term
            reportedLeader = leaderID
            actions.append(.stateChanged(role: role, term: term, leader: leaderID))
        }
        return actions
    }
}

/// Encoding of a configuration entry's voter set: ids joined by newlines (ids never contain one).
public enum RaftMembership {
    public static func encode(_ voters: [RaftNodeID]) -> [UInt8] {
        Array(voters.sorted().joined(separator: "\n").utf8)
    }

    public static func decode(_ data: [UInt8]) -> [RaftNodeID] {
        String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).sorted()
    }
}
