import Foundation
import OrchestratorCore
import OrchestratorTestKit
import Testing

/// ReadIndex, the leader-quorum query, and the documented effect order.
@Suite struct RaftReadIndexEffectOrderTests {
    @Test func readIndexNeedsQuorumAcknowledgement() throws {
        var cluster = clusterWithLeader()
        try cluster.propose("a", [1])
        let actions = try cluster["a"].readIndex(requestID: 7)
        #expect(!actions.contains { if case .readReady = $0 { true } else { false } })
        cluster.handle("a", actions)
        cluster.deliverAll()
        #expect(cluster.readsReady[7] == cluster["a"].commitIndex)
    }

    @Test func isolatedLeaderCannotConfirmReadAndFailsItOnStepDown() throws {
        var cluster = clusterWithLeader()
        cluster.isolate("a")
        cluster.handle("a", try cluster["a"].readIndex(requestID: 1))
        cluster.deliverAll()
        #expect(cluster.readsReady[1] == nil)
        cluster.tickAll(times: 12)
        #expect(cluster["a"].role == .follower)
        #expect(cluster.readsFailed.contains(1))
        #expect(throws: RaftError.self) { try cluster["a"].readIndex(requestID: 2) }
    }

    @Test func newLeaderWaitsForCommitInItsTermBeforeReads() throws {
        var node = makeNode(term: 1, terms: [1, 1])
        _ = node.campaignNow()
        _ = node.step(msg("b", "a", node.term, .voteResponse(preVote: false, granted: true)))
        let before = try node.readIndex(requestID: 5)
        #expect(sends(before).isEmpty, "no read round before the no-op commits")
        _ = node.step(msg("b", "a", node.term, .appendResponse(reject: false, index: node.lastIndex, hintIndex: 0, hintTerm: 0)))
        let beat = node.tick()
        let heartbeats = sends(beat).filter { if case .heartbeat(_, let context) = $0.kind { context > 0 } else { false } }
        #expect(!heartbeats.isEmpty)
        let done = node.step(msg("c", "a", node.term, .heartbeatResponse(context: 1)))
        #expect(done.contains(.readReady(requestID: 5, index: 3)))
    }

    @Test func singleNodeClusterElectsCommitsAndReadsAlone() throws {
        var node = makeNode(voters: ["a"], config: robust)
        var actions: [RaftAction] = []
        for _ in 0..<20 where node.role != .leader { actions += node.tick() }
        #expect(node.role == .leader)
        let proposal = try node.propose([1])
        #expect(applied(proposal.actions).map(\.index) == [proposal.index])
        #expect(try node.readIndex(requestID: 3).contains(.readReady(requestID: 3, index: proposal.index)))
        #expect(node.isLeaderWithQuorum)
    }

    @Test func everyActionListFollowsTheDocumentedOrder() throws {
        var cluster = clusterWithLeader()
        cluster.cut = ["a>c"]
        for i in 0..<10 { try cluster.propose("a", [UInt8(i)]) }
        cluster.handle("a", cluster["a"].snapshotTaken(through: cluster["a"].appliedIndex, data: [1]))
        cluster.heal()
        cluster.tickAll(times: 3)
        cluster.handle("a", try cluster["a"].transferLeadership(to: "b"))
        cluster.deliverAll()
        cluster.isolate("b")
        cluster.tickAll(times: 40)
        var lists = 0
        for id in cluster.ids {
            for actions in cluster.history[id] ?? [] {
                expectEffectOrder(actions)
                lists += 1
            }
        }
        #expect(lists > 50)
    }

    @Test func voteIsPersistedBeforeTheResponseIsSent() {
        var node = makeNode("b", term: 1)
        let actions = node.step(msg("a", "b", 2, .voteRequest(preVote: false, lastIndex: 0, lastTerm: 0, transfer: false)))
        #expect(actions.first == .persistHardState(RaftHardState(term: 2, votedFor: "a", commit: 0)))
        #expect(sends(actions).count == 1)
        expectEffectOrder(actions)
    }

    @Test func entriesArePersistedBeforeTheyAreAcknowledged() {
        var node = makeNode("b", term: 1)
        let entries = log([1, 1])
        let actions = node.step(msg("a", "b", 1, .appendEntries(prevIndex: 0, prevTerm: 0, entries: entries, commit: 1)))
        let persistAt = actions.firstIndex(of: .persistEntries(entries))
        let ackAt = actions.firstIndex { if case .send(let m) = $0, case .appendResponse(false, 2, _, _) = m.kind { true } else { false } }
        let applyAt = actions.firstIndex { if case .apply = $0 { true } else { false } }
        #expect(persistAt != nil && ackAt != nil && applyAt != nil)
        if let persistAt, let ackAt, let applyAt {
            #expect(persistAt < ackAt)
            #expect(ackAt < applyAt)
        }
        #expect(actions.contains(.persistHardState(RaftHardState(term: 1, votedFor: nil, commit: 1))))
    }

    @Test func messagesRoundTripThroughCodable() throws {
        let snapshot = RaftSnapshot(metadata: RaftSnapshotMetadata(index: 3, term: 2, voters: ["a"]), data: [1])
        let kinds: [RaftMessage.Kind] = [
            .appendEntries(prevIndex: 1, prevTerm: 1, entries: log([1, 2]), commit: 1),
            .appendResponse(reject: true, index: 4, hintIndex: 2, hintTerm: 1),
            .heartbeat(commit: 3, context: 9), .heartbeatResponse(context: 9),
            .voteRequest(preVote: true, lastIndex: 3, lastTerm: 2, transfer: false),
            .voteResponse(preVote: false, granted: true), .installSnapshot(snapshot), .timeoutNow,
        ]
        for kind in kinds {
            let m = msg("a", "b", 3, kind)
            let encoded = try JSONDecoder().decode(RaftMessage.self, from: JSONEncoder().encode(m))
            #expect(encoded == m)
        }
    }
}
