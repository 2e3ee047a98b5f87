import OrchestratorCore

/// Knobs of one deterministic Raft simulation run.
public struct RaftSimulationOptions: Sendable {
    /// Voters at bootstrap (3 or 5 are the interesting sizes).
    public var nodeCount: Int
    /// Scheduler steps (message deliveries, ticks, faults, proposals...) per run.
    public var events: Int
    public var raft: RaftConfiguration
    /// Allow add/remove voter. New nodes get fresh ids; removed ones are stopped for good.
    public var membershipChanges: Bool
    /// After the network heals, a leader acknowledged by a quorum must appear within this many ticks.
    public var livenessTicks: Int
    /// Roughly how many events pass between two "heal everything" checkpoints.
    public var healEvery: Int
    /// Keep the last this-many events for the failure trace.
    public var traceLength: Int
    /// Per seed, sometimes turn pre-vote and/or check-quorum off and vary the heartbeat interval:
    /// safety must not depend on them.
    public var varyConfiguration: Bool
    /// A bug planted on purpose, to show the checker catches it (nil: honest nodes and network).
    public var plantedBug: RaftPlantedBug?

    public init(
        nodeCount: Int = 3,
        events: Int = 2000,
        raft: RaftConfiguration = RaftConfiguration(electionTicks: 10, heartbeatTicks: 2, maxEntriesPerAppend: 8, maxInflightAppends: 4),
        membershipChanges: Bool = true,
        livenessTicks: Int = 300,
        healEvery: Int = 400,
        traceLength: Int = 60,
        varyConfiguration: Bool = true
    ) {
        self.nodeCount = nodeCount
        self.events = events
        self.raft = raft
        self.membershipChanges = membershipChanges
        self.livenessTicks = livenessTicks
        self.healEvery = healEvery
        self.traceLength = traceLength
        self.varyConfiguration = varyConfiguration
    }
}

/// Misbehaviour the simulation can plant, forged in its network so no production code carries a hook.
/// A checker that never reports a planted bug would be checking nothing.
public enum RaftPlantedBug: String, Sendable, CaseIterable {
    /// Every voter also grants its vote to every candidate that asks (votes twice in a term).
    case doubleVote
    /// A leader hears every member acknowledge every append at once (commits without a quorum).
    case commitWithoutQuorum
}

/// A violated invariant, with what is needed to replay it (`SEED=<seed>`).
public struct RaftSimulationFailure: Error, CustomStringConvertible, Sendable {
    public var seed: UInt64
    public var nodeCount: Int
    public var event: Int
    public var message: String
    public var trace: [String]

    public var description: String {
        "raft simulation FAILED: seed \(seed) (\(nodeCount) nodes) at event \(event): \(message)\n"
            + "replay with SEED=\(seed)\n  last events:\n    " + trace.joined(separator: "\n    ")
    }
}

/// What a run did, to show the simulation exercises every feature.
public struct RaftSimulationStats: Sendable, Equatable {
    public var runs = 0
    public var events = 0
    public var ticks = 0
    public var messagesDelivered = 0
    public var messagesDropped = 0
    public var elections = 0
    public var committedEntries = 0
    public var appliedEntries = 0
    public var crashes = 0
    public var midActionCrashes = 0
    public var snapshotsTaken = 0
    public var snapshotsInstalled = 0
    public var transfersStarted = 0
    public var membershipChanges = 0
    public var readsServed = 0
    public var partitions = 0
    public var heals = 0
    public var maxTicksToLeader = 0
    /// The seed that needed `maxTicksToLeader` (to study slow recoveries).
    public var maxTicksToLeaderSeed: UInt64 = 0

    public init() {}

    public mutating func add(_ o: RaftSimulationStats) {
        runs += o.runs; events += o.events; ticks += o.ticks
        messagesDelivered += o.messagesDelivered; messagesDropped += o.messagesDropped
        elections += o.elections; committedEntries += o.committedEntries; appliedEntries += o.appliedEntries
        crashes += o.crashes; midActionCrashes += o.midActionCrashes
        snapshotsTaken += o.snapshotsTaken; snapshotsInstalled += o.snapshotsInstalled
        transfersStarted += o.transfersStarted; membershipChanges += o.membershipChanges
        readsServed += o.readsServed; partitions += o.partitions; heals += o.heals
        if o.maxTicksToLeader > maxTicksToLeader {
            maxTicksToLeader = o.maxTicksToLeader
            maxTicksToLeaderSeed = o.maxTicksToLeaderSeed
        }
    }

    public var summary: String {
        "runs=\(runs) events=\(events) ticks=\(ticks) delivered=\(messagesDelivered) dropped=\(messagesDropped) "
            + "elections=\(elections) committed=\(committedEntries) applied=\(appliedEntries) crashes=\(crashes) "
            + "midActionCrashes=\(midActionCrashes) snapshotsTaken=\(snapshotsTaken) snapshotsInstalled=\(snapshotsInstalled) "
            + "transfers=\(transfersStarted) membershipChanges=\(membershipChanges) reads=\(readsServed) "
            + "partitions=\(partitions) heals=\(heals) maxTicksToLeader=\(maxTicksToLeader) (seed \(maxTicksToLeaderSeed))"
    }
}
