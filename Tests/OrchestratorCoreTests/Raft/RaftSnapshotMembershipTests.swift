import OrchestratorCore
import OrchestratorTestKit
import Testing

/// Snapshots, log compaction, InstallSnapshot, and single-server membership changes.
@Suite struct RaftSnapshotMembershipTests {
    @Test func snapshotTakenCompactsLog() throws {
        var cluster = clusterWithLeader()
        for i in 0..<4 { try cluster.propose("a", [UInt8(i)]) }
        let at = cluster["a"].appliedIndex
        let actions = cluster["a"].snapshotTaken(through: at, data: [42])
        #expect(actions.prefix(2) == [
            .persistSnapshot(RaftSnapshot(metadata: RaftSnapshotMetadata(index: at, term: cluster["a"].term, voters: ["a", "b", "c"]), data: [42])),
            .compactLog(through: at),
        ])
        #expect(cluster["a"].snapshotIndex == at)
        #expect(cluster["a"].firstIndex == at + 1)
        #expect(cluster["a"].term(at: at) == cluster["a"].term)
        // Not applied yet, or already compacted: refused.
        #expect(cluster["a"].snapshotTaken(through: at + 5, data: []).isEmpty)
        #expect(cluster["a"].snapshotTaken(through: at, data: []).isEmpty)
    }

    @Test func laggingFollowerIsSentSnapshotAndRestores() throws {
        var cluster = clusterWithLeader()
        cluster.cut = ["a>c"]
        for i in 0..<6 { try cluster.propose("a", [UInt8(i)]) }
        let at = cluster["a"].appliedIndex
        cluster.handle("a", cluster["a"].snapshotTaken(through: at, data: [1, 2, 3]))
        cluster.heal()
        cluster.tickAll(times: 3)
        let installed = try #require(cluster.installedSnapshots["c"]?.last)
        #expect(installed.metadata.index == at)
        #expect(installed.data == [1, 2, 3])
        #expect(cluster["c"].snapshotIndex == at)
        #expect(cluster["c"].commitIndex == cluster["a"].commitIndex)
        // Replication continues normally after the snapshot.
        try cluster.propose("a", [99])
        cluster.tickAll()
        #expect(cluster["c"].entry(at: cluster["a"].lastIndex)?.data == [99])
        #expect(cluster["a"].peerProgress["c"]?.state == .replicate)
    }

    @Test func restartedNodeFromSnapshotAndLogResumes() {
        let snap = RaftSnapshot(metadata: RaftSnapshotMetadata(index: 5, term: 2, voters: ["a", "b", "c"]), data: [5])
        let entries = [RaftEntry(term: 2, index: 6, data: [6]), RaftEntry(term: 3, index: 7, data: [7])]
        var node = RaftNode(id: "a", voters: ["x"], configuration: robust, hardState: RaftHardState(term: 3, votedFor: "b", commit: 7),
                            snapshot: snap, entries: entries, appliedIndex: 5, seed: 1)
        #expect(node.voters == ["a", "b", "c"], "voters come from the snapshot, not the bootstrap list")
        #expect(node.lastIndex == 7)
        #expect(node.term(at: 5) == 2)
        // Entries committed but not applied before the crash are applied again, in order.
        let actions = node.tick()
        #expect(applied(actions).map(\.index) == [6, 7])
    }

    @Test func addVoterOneAtATime() throws {
        var cluster = clusterWithLeader()
        cluster.add(RaftNode(id: "d", voters: [], configuration: robust, seed: 9))
        #expect(cluster["d"].voters.isEmpty)
        let proposal = try cluster["a"].proposeAddVoter("d")
        #expect(cluster["a"].voters == ["a", "b", "c", "d"])
        // The first change is not committed yet: a second one must wait.
        #expect(throws: RaftError.configurationChangePending) { try cluster["a"].proposeRemoveVoter("b") }
        cluster.handle("a", proposal.actions)
        cluster.tickAll(times: 3)
        #expect(cluster["a"].commitIndex >= proposal.index)
        #expect(cluster["d"].voters == ["a", "b", "c", "d"], "the new node learns the configuration from the log")
        #expect(cluster["d"].lastIndex == cluster["a"].lastIndex)
        _ = try cluster["a"].proposeRemoveVoter("b")
        #expect(cluster["a"].voters == ["a", "c", "d"])
    }

    @Test func newNodeLearnsConfigurationFromSnapshot() throws {
        var cluster = clusterWithLeader()
        cluster.add(RaftNode(id: "d", voters: [], configuration: robust, seed: 9))
        cluster.cut = ["a>d"]
        let proposal = try cluster["a"].proposeAddVoter("d")
        cluster.handle("a", proposal.actions)
        cluster.tickAll(times: 2)
        try cluster.propose("a", [1])
        cluster.handle("a", cluster["a"].snapshotTaken(through: cluster["a"].appliedIndex, data: [7]))
        cluster.heal()
        cluster.tickAll(times: 3)
        #expect(cluster.installedSnapshots["d"]?.last?.metadata.voters == ["a", "b", "c", "d"])
        #expect(cluster["d"].voters == ["a", "b", "c", "d"])
    }

    @Test func removedLeaderStepsDownAndOthersElect() throws {
        var cluster = clusterWithLeader()
        let proposal = try cluster["a"].proposeRemoveVoter("a")
        cluster.handle("a", proposal.actions)
        cluster.deliverAll()
        cluster.tickAll(times: 2)
        #expect(cluster["a"].role == .follower)
        #expect(!cluster["a"].voters.contains("a"))
        cluster.tickAll(times: 60)
        #expect(["b", "c"].contains(cluster.leader ?? ""))
        #expect(cluster["a"].role == .follower, "a removed node never campaigns")
    }

    @Test func membershipChangeNeedsCommitInCurrentTerm() {
        var node = makeNode(term: 1, terms: [1])
        _ = node.campaignNow()
        _ = node.step(msg("b", "a", node.term, .voteResponse(preVote: false, granted: true)))
        #expect(node.role == .leader)
        // The no-op of the new term is not committed yet.
        #expect(throws: RaftError.configurationChangePending) { try node.proposeAddVoter("d") }
        _ = node.step(msg("b", "a", node.term, .appendResponse(reject: false, index: node.lastIndex, hintIndex: 0, hintTerm: 0)))
        _ = try? node.proposeAddVoter("d")
        #expect(node.voters == ["a", "b", "c", "d"])
    }

    @Test func configurationEncodingRoundTrips() {
        #expect(RaftMembership.decode(RaftMembership.encode(["10.0.0.2:10008", "10.0.0.1:10008"])) == ["10.0.0.1:10008", "10.0.0.2:10008"])
    }

    /// A former leader whose own removal is not committed may hold the only up-to-date log: it must
    /// still be able to campaign (counting only the new voters), commit the change and step down.
    @Test func nodeWithUncommittedRemovalOfItselfCanStillLead() {
        let entries = [
            RaftEntry(term: 1, index: 1, kind: .noop),
            RaftEntry(term: 1, index: 2, kind: .configuration, data: RaftMembership.encode(["b", "c"])),
        ]
        var node = RaftNode(id: "a", voters: ["a", "b", "c"], configuration: plain, hardState: RaftHardState(term: 1, commit: 1),
                            entries: entries, appliedIndex: 1, seed: 3)
        #expect(node.voters == ["b", "c"])
        #expect(node.isPromotable)
        let requests = sends(node.campaignNow())
        #expect(Set(requests.map(\.to)) == ["b", "c"])
        _ = node.step(msg("b", "a", 2, .voteResponse(preVote: false, granted: true)))
        #expect(node.role == .candidate, "its own vote does not count: it is not in the new configuration")
        _ = node.step(msg("c", "a", 2, .voteResponse(preVote: false, granted: true)))
        #expect(node.role == .leader)
        for peer in ["b", "c"] {
            _ = node.step(msg(peer, "a", 2, .appendResponse(reject: false, index: node.lastIndex, hintIndex: 0, hintTerm: 0)))
        }
        #expect(node.commitIndex == 3)
        #expect(node.role == .follower)
        #expect(!node.isPromotable)
    }
}
