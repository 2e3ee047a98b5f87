/// An effect the shell must perform. `RaftNode` returns them in the order documented on `RaftNode`:
/// persistence first, then sends, then applies, then notifications.
public enum RaftAction: Sendable, Equatable {
    /// Received from the leader: durably store the snapshot, delete the WHOLE stored log, restore the
    /// state machine from `data` and record lastApplied = `metadata.index` (atomically if possible).
    case installSnapshot(RaftSnapshot)
    /// Delete stored entries with index >= `entries.first!.index`, then append `entries` (durably).
    case persistEntries([RaftEntry])
    /// Durably store term, vote and commit.
    case persistHardState(RaftHardState)
    /// The snapshot reported with `RaftNode.snapshotTaken`, now with metadata: store it durably.
    case persistSnapshot(RaftSnapshot)
    /// After `persistSnapshot`: stored entries with index <= `through` may be deleted.
    case compactLog(through: UInt64)
    /// Send to `message.to`; best effort (loss is tolerated).
    case send(RaftMessage)
    /// Committed entries, in order, to apply to the state machine. Persist lastApplied in the same
    /// transaction as each applied entry.
    case apply([RaftEntry])
    /// The read `requestID` may be served once the state machine has applied `index`.
    case readReady(requestID: UInt64, index: UInt64)
    /// The read `requestID` cannot be confirmed (leadership lost); retry on the new leader.
    case readFailed(requestID: UInt64)
    /// Role, term or known leader changed (for logs and leadership streams).
    case stateChanged(role: RaftRole, term: UInt64, leader: RaftNodeID?)
}

/// The role a node plays in its current term.
public enum RaftRole: String, Sendable, Equatable, Codable {
    case follower
    case preCandidate
    case candidate
    case leader
}

/// Why a proposal, membership change, transfer or read was refused.
public enum RaftError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Only the leader accepts this; `leader` is the known leader, if any.
    case notLeader(leader: RaftNodeID?)
    /// A leadership transfer is in progress; retry after it finishes or aborts.
    case transferInProgress(to: RaftNodeID)
    /// A membership change is not yet committed, or the leader has not committed an entry in its term.
    case configurationChangePending
    /// The node is not (or is already) a voter.
    case unknownNode(RaftNodeID)

    public var description: String {
        switch self {
        case .notLeader(let leader):
            "this node is not the raft leader" + (leader.map { "; the leader is \($0)" } ?? "; no leader is known yet, retry")
        case .transferInProgress(let to):
            "a leadership transfer to \(to) is in progress; retry when it completes"
        case .configurationChangePending:
            "a raft membership change is still pending; retry when it has committed"
        case .unknownNode(let id):
            "raft node \(id) is not a valid target for this operation (check the current voters)"
        }
    }
}

/// A proposal accepted by the leader: it is committed once an `apply` action carries an entry with
/// this index AND term (a different term at that index means the proposal was lost).
public struct RaftProposal: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64
    public var actions: [RaftAction]
}

/// The leader's view of one follower (for raft-status).
public struct RaftPeerProgress: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Equatable, Codable {
        /// Sending one append at a time until the match point is found.
        case probe
        /// Streaming appends optimistically (pipelined).
        case replicate
        /// A snapshot was sent; waiting for the follower to install it.
        case snapshot
    }

    public var match: UInt64
    public var next: UInt64
    public var state: State
    /// Appends in flight (replicate state).
    public var inflight: Int
    /// Ticks since the leader last heard from this follower.
    public var ticksSinceHeard: Int
}
