/// Tuning of one Raft node. Time is counted in ticks: the shell calls `RaftNode.tick()` at a fixed
/// interval (e.g. every 50 ms), so `electionTicks * interval` is the base election timeout.
public struct RaftConfiguration: Sendable, Equatable, Codable {
    /// Base election timeout in ticks. A follower's actual timeout is drawn uniformly from
    /// `[electionTicks, 2 * electionTicks)` so that candidates rarely collide.
    public var electionTicks: Int
    /// A leader sends heartbeats every `heartbeatTicks` ticks; must be well below `electionTicks`.
    public var heartbeatTicks: Int
    /// Run a pre-vote round before incrementing the term, so a node that was cut off cannot disrupt a
    /// healthy leader when it returns.
    public var preVote: Bool
    /// A leader that has not heard from a quorum within `electionTicks` steps down; followers that heard
    /// from a leader within `electionTicks` ignore vote requests (leader stickiness).
    public var checkQuorum: Bool
    /// Most entries in one AppendEntries message.
    public var maxEntriesPerAppend: Int
    /// Most payload bytes in one AppendEntries message (at least one entry is always sent).
    public var maxBytesPerAppend: Int
    /// Most AppendEntries messages in flight to one follower in the replicate state (pipelining bound).
    public var maxInflightAppends: Int

    public init(
        electionTicks: Int = 10,
        heartbeatTicks: Int = 1,
        preVote: Bool = true,
        checkQuorum: Bool = true,
        maxEntriesPerAppend: Int = 64,
        maxBytesPerAppend: Int = 1 << 20,
        maxInflightAppends: Int = 64
    ) {
        self.electionTicks = max(2, electionTicks)
        self.heartbeatTicks = max(1, min(heartbeatTicks, self.electionTicks - 1))
        self.preVote = preVote
        self.checkQuorum = checkQuorum
        self.maxEntriesPerAppend = max(1, maxEntriesPerAppend)
        self.maxBytesPerAppend = max(1, maxBytesPerAppend)
        self.maxInflightAppends = max(1, maxInflightAppends)
    }
}
