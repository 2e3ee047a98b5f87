/// A message between Raft nodes. `Codable` so the transport can serialize it; the shell never needs
/// to look inside except for `to`.
public struct RaftMessage: Sendable, Equatable, Codable {
    public var from: RaftNodeID
    public var to: RaftNodeID
    /// The sender's term (for a pre-vote request: the term the sender would campaign in).
    public var term: UInt64
    public var kind: Kind

    public init(from: RaftNodeID, to: RaftNodeID, term: UInt64, kind: Kind) {
        self.from = from
        self.to = to
        self.term = term
        self.kind = kind
    }

    public enum Kind: Sendable, Equatable, Codable {
        /// Leader -> follower: entries following (prevIndex, prevTerm); `commit` is the leader's commit.
        case appendEntries(prevIndex: UInt64, prevTerm: UInt64, entries: [RaftEntry], commit: UInt64)
        /// Follower -> leader. Success: `index` is the follower's last index known to match the leader.
        /// Reject: `index` is the rejected prevIndex and (hintIndex, hintTerm) let the leader skip a
        /// whole conflicting term at once: the largest index <= prevIndex whose term is <= prevTerm.
        case appendResponse(reject: Bool, index: UInt64, hintIndex: UInt64, hintTerm: UInt64)
        /// Leader -> follower: liveness, commit (never above the follower's known match) and a
        /// read-index round number.
        case heartbeat(commit: UInt64, context: UInt64)
        case heartbeatResponse(context: UInt64)
        /// Candidate -> voter. `transfer`: the candidate campaigns on a leader's TimeoutNow, so
        /// leader stickiness does not apply.
        case voteRequest(preVote: Bool, lastIndex: UInt64, lastTerm: UInt64, transfer: Bool)
        case voteResponse(preVote: Bool, granted: Bool)
        /// Leader -> follower whose next entry was compacted away.
        case installSnapshot(RaftSnapshot)
        /// Leader -> transfer target: campaign now, skipping pre-vote.
        case timeoutNow
    }
}

extension RaftMessage.Kind {
    /// A short name for logs and traces.
    public var name: String {
        switch self {
        case .appendEntries: "append"
        case .appendResponse: "appendResp"
        case .heartbeat: "heartbeat"
        case .heartbeatResponse: "heartbeatResp"
        case .voteRequest(let pre, _, _, _): pre ? "preVote" : "vote"
        case .voteResponse(let pre, _): pre ? "preVoteResp" : "voteResp"
        case .installSnapshot: "snapshot"
        case .timeoutNow: "timeoutNow"
        }
    }
}
