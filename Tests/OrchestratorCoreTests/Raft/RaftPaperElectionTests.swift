import OrchestratorCore
import OrchestratorTestKit
import Testing

/// Election and voting rules of the Raft paper (§5.1, §5.2, §5.4.1), after etcd-io/raft's paper tests.
@Suite struct RaftPaperElectionTests {
    @Test(arguments: [RaftRole.follower, .candidate, .leader])
    func updatesTermFromHigherTermMessage(role: RaftRole) {
        var node = makeNode(term: 1)
        switch role {
        case .candidate: _ = node.campaignNow()
        case .leader: _ = makeLeader(&node)
        default: break
        }
        #expect(node.role == role)
        _ = node.step(msg("b", "a", 5, .appendEntries(prevIndex: 0, prevTerm: 0, entries: [], commit: 0)))
        #expect(node.term == 5)
        #expect(node.role == .follower)
        #expect(node.leaderID == "b")
    }

    @Test func ignoresStaleTermMessage() {
        var node = makeNode(term: 2)
        let actions = node.step(msg("b", "a", 1, .appendEntries(prevIndex: 0, prevTerm: 0, entries: log([1]), commit: 1)))
        #expect(actions.isEmpty)
        #expect(node.term == 2)
        #expect(node.lastIndex == 0)
    }

    @Test func startsAsFollower() {
        let node = makeNode()
        #expect(node.role == .follower)
        #expect(node.leaderID == nil)
    }

    @Test func leaderBroadcastsHeartbeats() {
        var node = makeNode(config: RaftConfiguration(electionTicks: 10, heartbeatTicks: 2, preVote: false, checkQuorum: false))
        _ = makeLeader(&node)
        #expect(sends(node.tick()).isEmpty)
        let beats = sends(node.tick())
        #expect(Set(beats.map(\.to)) == ["b", "c"])
        for beat in beats {
            guard case .heartbeat = beat.kind else { Issue.record("expected a heartbeat, got \(beat.kind)"); continue }
            #expect(beat.term == node.term)
        }
    }

    @Test(arguments: [RaftRole.follower, .candidate])
    func startsElectionOnTimeout(from role: RaftRole) {
        var node = makeNode(term: 1, terms: [1, 1])
        if role == .candidate { _ = node.campaignNow() }
        let termBefore = node.term
        var actions: [RaftAction] = []
        for _ in 0..<20 where actions.isEmpty || sends(actions).isEmpty { actions = node.tick() }
        #expect(node.role == .candidate)
        #expect(node.term == termBefore + 1)
        #expect(node.votedFor == "a")
        let requests = sends(actions)
        #expect(Set(requests.map(\.to)) == ["b", "c"])
        for request in requests {
            #expect(request.kind == .voteRequest(preVote: false, lastIndex: 2, lastTerm: 1, transfer: false))
            #expect(request.term == termBefore + 1)
        }
        expectEffectOrder(actions)
        #expect(actions.first == .persistHardState(RaftHardState(term: termBefore + 1, votedFor: "a", commit: 0)))
    }

    @Test(arguments: [
        (1, [String: Bool](), RaftRole.leader),
        (3, ["b": true], .leader),
        (3, ["b": true, "c": true], .leader),
        (5, ["b": true, "c": true], .leader),
        (5, ["b": true, "c": true, "d": true, "e": true], .leader),
        (3, [:], .candidate),
        (5, ["b": true], .candidate),
        (5, ["b": false, "c": true], .candidate),
        (3, ["b": false, "c": false], .follower),
        (5, ["b": false, "c": false, "d": false], .follower),
    ])
    func electionInOneRound(size: Int, votes: [String: Bool], expected: RaftRole) {
        let ids = ["a", "b", "c", "d", "e"].prefix(size)
        var node = makeNode(voters: Array(ids))
        _ = node.campaignNow()
        for voter in ids.dropFirst() {
            if let granted = votes[voter] {
                _ = node.step(msg(voter, "a", node.term, .voteResponse(preVote: false, granted: granted)))
            }
        }
        #expect(node.role == expected)
        #expect(node.term == 1)
    }

    @Test(arguments: [
        (nil as String?, "b", true), (nil, "c", true), ("b", "b", true), ("c", "c", true), ("b", "c", false), ("c", "b", false),
    ])
    func followerVotesOncePerTerm(votedFor: String?, requester: String, granted: Bool) {
        var node = makeNode(term: 1, votedFor: votedFor)
        let actions = node.step(msg(requester, "a", 1, .voteRequest(preVote: false, lastIndex: 0, lastTerm: 0, transfer: false)))
        #expect(sends(actions).map(\.kind) == [.voteResponse(preVote: false, granted: granted)])
        #expect(node.votedFor == (granted ? requester : votedFor))
        expectEffectOrder(actions)
    }

    @Test(arguments: [UInt64(1), 2])
    func candidateFallsBackOnAppendFromLeader(term: UInt64) {
        var node = makeNode()
        _ = node.campaignNow()
        #expect(node.term == 1)
        _ = node.step(msg("b", "a", term, .appendEntries(prevIndex: 0, prevTerm: 0, entries: [], commit: 0)))
        #expect(node.role == .follower)
        #expect(node.term == term)
        #expect(node.leaderID == "b")
    }

    @Test func electionTimeoutsAreRandomizedWithinRange() {
        var seen: Set<Int> = []
        for seed in UInt64(1)...50 {
            var node = makeNode(seed: seed)
            var ticks = 0
            while node.role == .follower, ticks < 100 {
                _ = node.tick()
                ticks += 1
            }
            #expect((10..<20).contains(ticks), "timeout \(ticks) outside [electionTicks, 2*electionTicks)")
            seen.insert(ticks)
        }
        #expect(seen.count > 3, "timeouts should differ between nodes: \(seen)")
    }

    @Test func followersRarelyTimeOutTogether() {
        var conflicts = 0
        let trials = 300
        for trial in 0..<trials {
            var nodes = (0..<5).map { makeNode("n\($0)", voters: (0..<5).map { "n\($0)" }, seed: UInt64(trial * 5 + $0)) }
            var fired: [Int] = []
            for _ in 0..<30 where fired.isEmpty {
                for i in nodes.indices {
                    _ = nodes[i].tick()
                    if nodes[i].role != .follower { fired.append(i) }
                }
            }
            if fired.count > 1 { conflicts += 1 }
        }
        #expect(Double(conflicts) / Double(trials) < 0.3)
    }

    @Test(arguments: [
        // voter's log terms, candidate (lastIndex, lastTerm), granted
        ([UInt64(1), 1], UInt64(2), UInt64(1), true),
        ([1, 1], 3, 1, true),
        ([1, 1], 1, 1, false),
        ([1, 1], 1, 2, true),
        ([2, 2], 1, 1, false),
        ([2, 2], 3, 1, false),
        ([2, 2], 1, 2, false),
        ([2, 2], 2, 2, true),
        ([2, 2], 3, 3, true),
    ])
    func voterRejectsStaleLog(terms: [UInt64], lastIndex: UInt64, lastTerm: UInt64, granted: Bool) {
        var node = makeNode(term: 3, terms: terms)
        let actions = node.step(msg("b", "a", 4, .voteRequest(preVote: false, lastIndex: lastIndex, lastTerm: lastTerm, transfer: false)))
        #expect(sends(actions).map(\.kind) == [.voteResponse(preVote: false, granted: granted)])
        #expect(node.term == 4)
    }

    @Test func leaderStepsDownOnHigherTermVoteResponse() {
        var node = makeNode()
        _ = node.campaignNow()
        _ = node.step(msg("b", "a", 7, .voteResponse(preVote: false, granted: false)))
        #expect(node.role == .follower)
        #expect(node.term == 7)
    }

    /// Only a current leader or a granted vote resets the election timer (§5.2): a candidate with a
    /// stale log that keeps raising the term must not keep an up-to-date node from campaigning.
    @Test func rejectedHigherTermVoteDoesNotResetElectionTimer() {
        func ticksUntilCampaign(disturbed: Bool) -> Int {
            var node = makeNode(term: 1, terms: [1, 1, 1], seed: 5)
            for tick in 1...100 {
                if disturbed, tick % 4 == 0 {
                    let reply = sends(node.step(msg("b", "a", node.term + 1, .voteRequest(preVote: false, lastIndex: 1, lastTerm: 1, transfer: false))))
                    #expect(reply.map(\.kind) == [.voteResponse(preVote: false, granted: false)])
                }
                _ = node.tick()
                if node.role == .candidate { return tick }
            }
            return -1
        }
        let quiet = ticksUntilCampaign(disturbed: false)
        #expect(quiet > 0)
        #expect(ticksUntilCampaign(disturbed: true) == quiet)
    }
}
