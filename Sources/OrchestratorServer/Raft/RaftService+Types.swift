import OrchestratorCore

extension RaftService {
    /// How a node runs: identity, bootstrap voters, timing. Defaults are chosen for a LAN and a
    /// busy 2-core box: ticks of 20 ms, election timeout 9-18 ticks (180-360 ms), heartbeats every
    /// 2 ticks (40 ms). A crashed leader is replaced in 180-360 ms plus one vote round (measured by
    /// Scripts/bench-raft: median ~240 ms, max ~360 ms over 20 kill -9 trials), while a follower
    /// needs 4-5 missed heartbeats in a row before it even considers an election; pre-vote keeps a
    /// node that was cut off from disrupting the cluster when it returns.
    public struct Settings: Sendable {
        /// This node (its RaftAdvertise address).
        public var id: RaftNodeID
        /// Bootstrap voters (RaftNodes), including this node. Ignored once the log or a snapshot
        /// records a membership.
        public var voters: [RaftNodeID]
        public var tickInterval: Duration = .milliseconds(20)
        public var core = RaftConfiguration(electionTicks: 9, heartbeatTicks: 2)
        /// Take a snapshot after this many applied entries since the last one.
        public var snapshotEvery: UInt64 = 10_000
        /// How long `propose`, `confirmLeadership`, membership changes and transfers wait at most.
        public var requestTimeout: Duration = .seconds(5)

        public init(id: RaftNodeID, voters: [RaftNodeID]) {
            self.id = id
            self.voters = voters
        }
    }

    /// A change of role, term or leader.
    public struct Leadership: Sendable, Equatable {
        public var role: RaftRole
        public var term: UInt64
        public var leader: RaftNodeID?
        public var isLeader: Bool { role == .leader }
    }

    /// A snapshot of the node's state for `/api/raft-status` and tests.
    public struct Status: Sendable, Equatable {
        public var id: RaftNodeID
        public var role: RaftRole
        public var term: UInt64
        public var leader: RaftNodeID?
        public var voters: [RaftNodeID]
        public var commitIndex: UInt64
        public var appliedIndex: UInt64
        public var lastIndex: UInt64
        public var snapshotIndex: UInt64
        /// Leader: a quorum answered within an election timeout. Follower: the leader was heard from
        /// within an election timeout.
        public var isPartOfQuorum: Bool
        /// The leader's view of each follower (empty on followers).
        public var peers: [RaftNodeID: RaftPeerProgress]
        /// Leader: the median heartbeat round trip to each follower, in seconds (empty on followers and
        /// until enough were measured).
        public var roundTrips: [RaftNodeID: Double] = [:]
        public var healthy: Bool { isPartOfQuorum }
    }
}

/// Why a `RaftService` request failed.
public enum RaftServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// This node is not the leader; `leader` is the known leader, if any (send the request there).
    case notLeader(leader: RaftNodeID?)
    /// No outcome within the request timeout (no quorum reachable?).
    case timeout
    /// The service is stopping or not running.
    case shuttingDown
    /// The core refused the request for another reason.
    case refused(RaftError)
    /// The proposal's log position was taken by another leader's entry: it will never apply.
    case dropped

    public var description: String {
        switch self {
        case let .notLeader(leader):
            return "this node is not the raft leader" + (leader.map { "; send the request to \($0)" } ?? "; no leader is known yet, retry shortly")
        case .timeout:
            return "raft request timed out: no quorum answered; check that a majority of RaftNodes is up and reachable"
        case .shuttingDown:
            return "raft service is shutting down"
        case let .refused(error):
            return error.description
        case .dropped:
            return "the proposal was overwritten by a new leader before it committed; retry it"
        }
    }

    init(_ error: RaftError) {
        if case let .notLeader(leader) = error { self = .notLeader(leader: leader) } else { self = .refused(error) }
    }
}
