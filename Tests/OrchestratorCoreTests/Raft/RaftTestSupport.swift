import OrchestratorCore
import OrchestratorTestKit
import Testing

/// Election tests of the paper run without pre-vote and check-quorum unless they test those.
let plain = RaftConfiguration(electionTicks: 10, heartbeatTicks: 1, preVote: false, checkQuorum: false)
let robust = RaftConfiguration(electionTicks: 10, heartbeatTicks: 1, preVote: true, checkQuorum: true)

/// Entries with the given terms at indexes 1, 2, ...
func log(_ terms: [UInt64]) -> [RaftEntry] {
    terms.enumerated().map { RaftEntry(term: $0.element, index: UInt64($0.offset + 1), data: [UInt8($0.offset & 0xFF)]) }
}

func makeNode(
    _ id: RaftNodeID = "a", voters: [RaftNodeID] = ["a", "b", "c"], config: RaftConfiguration = plain,
    term: UInt64 = 0, votedFor: RaftNodeID? = nil, terms: [UInt64] = [], commit: UInt64 = 0, seed: UInt64 = 42
) -> RaftNode {
    RaftNode(id: id, voters: voters, configuration: config, hardState: RaftHardState(term: term, votedFor: votedFor, commit: commit),
             entries: log(terms), appliedIndex: commit, seed: seed)
}

func msg(_ from: RaftNodeID, _ to: RaftNodeID, _ term: UInt64, _ kind: RaftMessage.Kind) -> RaftMessage {
    RaftMessage(from: from, to: to, term: term, kind: kind)
}

func sends(_ actions: [RaftAction]) -> [RaftMessage] {
    actions.compactMap { if case .send(let m) = $0 { m } else { nil } }
}

func applied(_ actions: [RaftAction]) -> [RaftEntry] {
    actions.flatMap { action -> [RaftEntry] in if case .apply(let e) = action { e } else { [] } }
}

/// Makes `node` leader of the next term: campaign, then grants from the other voters.
func makeLeader(_ node: inout RaftNode) -> [RaftAction] {
    var all = node.campaignNow()
    for voter in node.voters where voter != node.id {
        all += node.step(msg(voter, node.id, node.term + (node.role == .preCandidate ? 1 : 0), .voteResponse(preVote: node.role == .preCandidate, granted: true)))
        if node.role == .candidate {
            all += node.step(msg(voter, node.id, node.term, .voteResponse(preVote: false, granted: true)))
        }
        if node.role == .leader { break }
    }
    return all
}

/// The documented effect order: persistence, then sends, then applies, then notifications.
func effectPhase(_ action: RaftAction) -> Int {
    switch action {
    case .installSnapshot, .persistEntries, .persistHardState, .persistSnapshot, .compactLog: 0
    case .send: 1
    case .apply: 2
    case .readReady, .readFailed, .stateChanged: 3
    }
}

func expectEffectOrder(_ actions: [RaftAction], sourceLocation: SourceLocation = #_sourceLocation) {
    let phases = actions.map(effectPhase)
    #expect(phases == phases.sorted(), "actions out of the documented order: \(actions)", sourceLocation: sourceLocation)
}

/// A 3-node cluster with `a` elected and its no-op committed everywhere.
func clusterWithLeader(_ ids: [RaftNodeID] = ["a", "b", "c"], config: RaftConfiguration = robust) -> RaftTestCluster {
    var cluster = RaftTestCluster(ids: ids, configuration: config)
    cluster.campaign(ids[0])
    cluster.tickAll()
    return cluster
}
