import OrchestratorCore
import OrchestratorTestKit
import Testing

/// Pre-vote, check-quorum, leader stickiness and leadership transfer.
@Suite struct RaftElectionFeatureTests {
    @Test func preVoteDoesNotTouchTerm() {
        var node = makeNode(config: robust, term: 3, terms: [1, 3])
        let actions = node.campaignNow()
        #expect(node.role == .preCandidate)
        #expect(node.term == 3)
        #expect(!actions.contains { if case .persistHardState = $0 { true } else { false } })
        for m in sends(actions) {
            #expect(m.term == 4)
            #expect(m.kind == .voteRequest(preVote: true, lastIndex: 2, lastTerm: 3, transfer: false))
        }
        // A quorum of pre-votes starts the real election.
        _ = node.step(msg("b", "a", 4, .voteResponse(preVote: true, granted: true)))
        #expect(node.role == .candidate)
        #expect(node.term == 4)
        #expect(node.votedFor == "a")
    }

    @Test func preVoteRejectedByQuorumReturnsToFollower() {
        var node = makeNode(config: robust, term: 3)
        _ = node.campaignNow()
        _ = node.step(msg("b", "a", 3, .voteResponse(preVote: true, granted: false)))
        _ = node.step(msg("c", "a", 3, .voteResponse(preVote: true, granted: false)))
        #expect(node.role == .follower)
        #expect(node.term == 3)
    }

    @Test func isolatedNodeDoesNotDisruptLeaderWhenItReturns() {
        var cluster = clusterWithLeader()
        let term = cluster["a"].term
        cluster.isolate("c")
        cluster.tickAll(times: 100)
        #expect(cluster["c"].term == term, "pre-vote keeps the isolated node's term")
        #expect(cluster["c"].role != .leader)
        cluster.heal()
        cluster.tickAll(times: 30)
        #expect(cluster.leader == "a")
        #expect(cluster["a"].term == term)
        #expect(cluster["c"].leaderID == "a")
    }

    @Test func isolatedLeaderStepsDown() {
        var cluster = clusterWithLeader()
        #expect(cluster["a"].isLeaderWithQuorum)
        cluster.isolate("a")
        var ticks = 0
        while cluster["a"].role == .leader, ticks < 100 {
            cluster.tickAll()
            ticks += 1
        }
        #expect(cluster["a"].role == .follower)
        #expect(ticks <= 11, "check-quorum steps down within an election timeout (took \(ticks) ticks)")
        #expect(throws: RaftError.self) { try cluster["a"].propose([1]) }
        // The majority side elects a new leader.
        cluster.tickAll(times: 40)
        #expect(["b", "c"].contains(cluster.leader ?? ""))
    }

    @Test func followerWithLiveLeaderIgnoresVoteRequests() {
        var cluster = clusterWithLeader()
        let term = cluster["b"].term
        let actions = cluster["b"].step(msg("c", "b", term + 1, .voteRequest(preVote: false, lastIndex: 100, lastTerm: term, transfer: false)))
        #expect(sends(actions).isEmpty)
        #expect(cluster["b"].term == term)
        #expect(cluster["b"].leaderID == "a")
        // ... but a transfer campaign (TimeoutNow) is honoured.
        let forced = cluster["b"].step(msg("c", "b", term + 1, .voteRequest(preVote: false, lastIndex: 100, lastTerm: term, transfer: true)))
        #expect(sends(forced).map(\.kind) == [.voteResponse(preVote: false, granted: true)])
    }

    @Test func staleLeaderLearnsHigherTermAndStepsDown() {
        var node = makeNode(config: robust)
        _ = makeLeader(&node)
        var follower = makeNode("b", config: robust, term: 5)
        let reply = sends(follower.step(msg("a", "b", node.term, .heartbeat(commit: 0, context: 0))))
        #expect(reply.count == 1)
        #expect(reply.first?.term == 5)
        _ = node.step(reply[0])
        #expect(node.role == .follower)
        #expect(node.term == 5)
    }

    @Test func transferHandsLeadershipToTarget() throws {
        var cluster = clusterWithLeader()
        try cluster.propose("a", [1])
        let term = cluster["a"].term
        cluster.handle("a", try cluster["a"].transferLeadership(to: "b"))
        cluster.deliverAll()
        #expect(cluster.leader == "b")
        #expect(cluster["b"].term == term + 1)
        #expect(cluster["a"].role == .follower)
        #expect(cluster["a"].leaderID == "b")
    }

    @Test func transferCatchesUpLaggingTarget() throws {
        var cluster = clusterWithLeader()
        cluster.cut = ["a>c"]
        for i in 0..<5 { try cluster.propose("a", [UInt8(i)]) }
        #expect(cluster["c"].lastIndex < cluster["a"].lastIndex)
        cluster.heal()
        cluster.handle("a", try cluster["a"].transferLeadership(to: "c"))
        cluster.deliverAll()
        cluster.tickAll(times: 2)
        #expect(cluster.leader == "c")
        #expect(cluster["c"].entries.filter { $0.kind == .normal }.map(\.data) == (0..<5).map { [UInt8($0)] })
    }

    @Test func proposalsRefusedDuringTransferWhichAbortsAfterElectionTimeout() throws {
        var cluster = clusterWithLeader()
        cluster.cut = ["a>b", "b>a"]  // the target never answers: the transfer cannot complete
        _ = try cluster["a"].transferLeadership(to: "b")
        #expect(cluster["a"].leadTransferee == "b")
        #expect(throws: RaftError.transferInProgress(to: "b")) { try cluster["a"].propose([1]) }
        cluster.dropQueued()
        for _ in 0..<10 { cluster.tick("a"); cluster.deliverAll() }
        #expect(cluster["a"].leadTransferee == nil)
        #expect(cluster["a"].role == .leader)
        _ = try cluster["a"].propose([1])
    }

    @Test func transferToUnknownNodeIsRefused() {
        var cluster = clusterWithLeader()
        #expect(throws: RaftError.unknownNode("z")) { try cluster["a"].transferLeadership(to: "z") }
        #expect(throws: RaftError.notLeader(leader: "a")) { try cluster["b"].transferLeadership(to: "c") }
    }

    /// `ticksUntilDue` is a promise a lazy driver relies on: the ticks before it do nothing visible,
    /// the tick it names does (a follower campaigns, a leader sends heartbeats).
    @Test func ticksUntilDueNamesTheFirstTickThatActs() {
        var follower = makeNode(config: RaftConfiguration(electionTicks: 9, heartbeatTicks: 2), term: 1)
        let due = follower.ticksUntilDue
        #expect(due >= 9 && due <= 18, "a follower is due at its randomized election timeout (\(due))")
        for i in 1..<due {
            #expect(sends(follower.tick()).isEmpty, "tick \(i) of \(due) acted early")
            #expect(follower.ticksUntilDue == due - i)
        }
        #expect(!sends(follower.tick()).isEmpty, "the due tick starts an election")
        #expect(follower.role == .preCandidate)

        var leader = makeNode(config: RaftConfiguration(electionTicks: 9, heartbeatTicks: 3))
        _ = makeLeader(&leader)
        #expect(leader.isLeader)
        for _ in 0..<2 {  // (within an election timeout: nobody answers, and check-quorum would end it)
            let due = leader.ticksUntilDue
            #expect(due >= 1 && due <= 3)
            for _ in 1..<due { #expect(sends(leader.tick()).isEmpty) }
            #expect(sends(leader.tick()).count == 2, "the due tick sends a heartbeat to each follower")
            #expect(leader.ticksUntilDue == 3)
        }

        // A heartbeat from the leader restarts the follower's timer, and so its due tick.
        var b = makeNode("b", config: RaftConfiguration(electionTicks: 9, heartbeatTicks: 2), term: 1)
        for _ in 0..<5 { _ = b.tick() }
        _ = b.step(msg("a", "b", 1, .heartbeat(commit: 0, context: 0)))
        #expect(b.ticksUntilDue >= 9)
    }
}
