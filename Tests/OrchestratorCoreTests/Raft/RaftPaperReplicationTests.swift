import OrchestratorCore
import OrchestratorTestKit
import Testing

/// Log replication and commitment rules of the Raft paper (§5.3, §5.4.2), after etcd-io/raft's paper tests.
@Suite struct RaftPaperReplicationTests {
    @Test func leaderAppendsAndSendsProposal() throws {
        var cluster = clusterWithLeader(config: plain)
        let commit = cluster["a"].commitIndex
        let proposal = try cluster["a"].propose([7])
        #expect(proposal.index == 2)
        #expect(proposal.term == 1)
        #expect(cluster["a"].entry(at: 2) == RaftEntry(term: 1, index: 2, data: [7]))
        expectEffectOrder(proposal.actions)
        #expect(proposal.actions.first == .persistEntries([RaftEntry(term: 1, index: 2, data: [7])]))
        let appends = sends(proposal.actions)
        #expect(Set(appends.map(\.to)) == ["b", "c"])
        for m in appends {
            #expect(m.kind == .appendEntries(prevIndex: 1, prevTerm: 1, entries: [RaftEntry(term: 1, index: 2, data: [7])], commit: commit))
        }
    }

    @Test func leaderCommitsAfterQuorumAndTellsFollowers() throws {
        var cluster = clusterWithLeader(config: plain)
        try cluster.propose("a", [1, 2, 3])
        #expect(cluster["a"].commitIndex == 2)
        #expect(cluster.applied["a"]?.last == RaftEntry(term: 1, index: 2, data: [1, 2, 3]))
        for id in ["b", "c"] {
            #expect(cluster[id].commitIndex == 2)
            #expect(cluster.applied[id]?.map(\.index) == [1, 2])
        }
    }

    @Test(arguments: [
        (1, [String](), true), (3, [], false), (3, ["b"], true), (3, ["b", "c"], true),
        (5, ["b"], false), (5, ["b", "c"], true), (5, ["b", "c", "d"], true),
    ])
    func leaderCommitsOnlyWithQuorumAcknowledgement(size: Int, acks: [String], committed: Bool) throws {
        var node = makeNode(voters: Array(["a", "b", "c", "d", "e"].prefix(size)))
        _ = makeLeader(&node)
        #expect(node.role == .leader)
        let proposal = try node.propose([9])
        for peer in acks {
            _ = node.step(msg(peer, "a", node.term, .appendResponse(reject: false, index: proposal.index, hintIndex: 0, hintTerm: 0)))
        }
        #expect((node.commitIndex == proposal.index) == committed)
    }

    @Test func committingCurrentTermEntryCommitsPrecedingEntries() {
        var node = makeNode(term: 2, terms: [1, 2])
        _ = makeLeader(&node)
        #expect(node.term == 3)
        #expect(node.lastIndex == 3)  // the no-op of term 3
        let actions = node.step(msg("b", "a", 3, .appendResponse(reject: false, index: 3, hintIndex: 0, hintTerm: 0)))
        #expect(node.commitIndex == 3)
        #expect(applied(actions).map(\.index) == [1, 2, 3])
    }

    @Test(arguments: [(UInt64(1), UInt64(0)), (2, 0), (3, 3)])
    func leaderCommitsPreviousTermEntriesOnlyThroughCurrentTerm(ackIndex: UInt64, expectedCommit: UInt64) {
        var node = makeNode(term: 2, terms: [1, 2])
        _ = makeLeader(&node)
        _ = node.step(msg("b", "a", 3, .appendResponse(reject: false, index: ackIndex, hintIndex: 0, hintTerm: 0)))
        #expect(node.commitIndex == expectedCommit)
    }

    @Test(arguments: [(UInt64(1), UInt64(1)), (2, 2), (5, 2)])
    func followerCommitsUpToLeaderCommit(leaderCommit: UInt64, expected: UInt64) {
        var node = makeNode(term: 1)
        let actions = node.step(msg("b", "a", 1, .appendEntries(prevIndex: 0, prevTerm: 0, entries: log([1, 1]), commit: leaderCommit)))
        #expect(node.commitIndex == expected)
        #expect(applied(actions).map(\.index) == Array(1...expected))
        expectEffectOrder(actions)
    }

    @Test(arguments: [
        // prevIndex, prevTerm, rejected, hintIndex
        (UInt64(0), UInt64(0), false, UInt64(0)),
        (1, 1, false, 0),
        (2, 2, false, 0),
        (2, 1, true, 1),
        (3, 2, true, 2),
        (3, 3, true, 2),
    ])
    func followerChecksConsistency(prevIndex: UInt64, prevTerm: UInt64, rejected: Bool, hintIndex: UInt64) {
        var node = makeNode(term: 2, terms: [1, 2])
        let actions = node.step(msg("b", "a", 2, .appendEntries(prevIndex: prevIndex, prevTerm: prevTerm, entries: [], commit: 0)))
        let replies = sends(actions)
        #expect(replies.count == 1)
        guard case .appendResponse(let reject, let index, let hint, _)? = replies.first?.kind else {
            Issue.record("expected an append response")
            return
        }
        #expect(reject == rejected)
        if rejected {
            #expect(index == prevIndex)
            #expect(hint == hintIndex)
        }
    }

    @Test(arguments: [
        // prevIndex, prevTerm, new entries as (index, term), resulting log terms
        (UInt64(2), UInt64(2), [[UInt64(3), 3]], [UInt64(1), 2, 3]),
        (1, 1, [[2, 3], [3, 4]], [1, 3, 4]),
        (0, 0, [[1, 1]], [1, 2]),
        (0, 0, [[1, 3]], [3]),
    ])
    func followerResolvesConflicts(prevIndex: UInt64, prevTerm: UInt64, new: [[UInt64]], expected: [UInt64]) {
        var node = makeNode(term: 2, terms: [1, 2])
        let entries = new.map { RaftEntry(term: $0[1], index: $0[0], data: [UInt8($0[0] - 1)]) }
        let actions = node.step(msg("b", "a", 4, .appendEntries(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: 0)))
        #expect(node.entries.map(\.term) == expected)
        expectEffectOrder(actions)
    }

    /// Figure 7 of the paper: whatever the follower's log, the leader brings it in line.
    @Test(arguments: [
        [UInt64(1), 1, 1, 4, 4, 5, 5, 6, 6],
        [1, 1, 1, 4],
        [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
        [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
        [1, 1, 1, 4, 4, 4, 4],
        [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
    ])
    func leaderSyncsFollowerLog(followerTerms: [UInt64]) {
        let leaderTerms: [UInt64] = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]
        var cluster = RaftTestCluster(ids: [], configuration: plain)
        cluster.add(makeNode("a", term: 7, terms: leaderTerms, commit: 0))
        cluster.add(makeNode("b", term: 7, terms: followerTerms, commit: 0))
        cluster.add(makeNode("c", term: 7, terms: leaderTerms, commit: 0))
        cluster.campaign("a")
        #expect(cluster.leader == "a")
        cluster.tickAll(times: 3)
        #expect(cluster["b"].entries == cluster["a"].entries)
        #expect(cluster["b"].commitIndex == cluster["a"].lastIndex)
    }

    @Test func pipelinedAppendsRespectInflightLimit() throws {
        var cluster = clusterWithLeader(config: RaftConfiguration(electionTicks: 10, heartbeatTicks: 1, preVote: false, checkQuorum: false, maxEntriesPerAppend: 2, maxInflightAppends: 3))
        // The follower is in the replicate state now; 20 proposals go out as at most 3 appends of 2.
        var appendsToB = 0
        for i in 0..<20 {
            let p = try cluster["a"].propose([UInt8(i)])
            appendsToB += sends(p.actions).filter { $0.to == "b" }.count
        }
        #expect(appendsToB == 3)
        #expect(cluster["a"].peerProgress["b"]?.inflight == 3)
        cluster.handle("a", [])
        cluster.dropQueued()
        // Acknowledgements open the window again and the follower catches up.
        cluster.tickAll(times: 5)
        #expect(cluster["b"].lastIndex == cluster["a"].lastIndex)
        #expect(cluster["a"].commitIndex == cluster["a"].lastIndex)
    }

    /// The conflict hint lets the leader skip a whole conflicting term per round trip instead of
    /// one entry at a time.
    @Test func conflictHintsSkipWholeTerms() {
        let leaderTerms: [UInt64] = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]
        var cluster = RaftTestCluster(ids: [], configuration: plain)
        cluster.add(makeNode("a", term: 7, terms: leaderTerms))
        cluster.add(makeNode("b", term: 7, terms: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]))
        cluster.add(makeNode("c", term: 7, terms: leaderTerms))
        cluster.campaign("a")
        cluster.tickAll(times: 2)
        let rejections = (cluster.history["b"] ?? []).flatMap(sends).filter {
            if case .appendResponse(true, _, _, _) = $0.kind { true } else { false }
        }
        #expect(cluster["b"].entries == cluster["a"].entries)
        #expect((1...2).contains(rejections.count), "rejections: \(rejections.map(\.kind))")
    }
}
