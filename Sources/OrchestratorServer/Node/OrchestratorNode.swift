import Foundation
import Logging

/// One orchd node's application layer: joins the replicated operator intent (Raft), the node's own
/// discovery and store, and answers what the HTTP API asks. Mutations are proposed through Raft and
/// take effect when applied; reads come from this node's own view.
public actor OrchestratorNode {
    public struct Settings: Sendable {
        /// This node's Raft id (its RaftAdvertise address).
        public var raftID: RaftNodeID
        /// The address Raft listens on (RaftBind).
        public var raftBind: String = ""
        /// The address other nodes reach this node's API at (`http://host:port`).
        public var httpAdvertise: String
        public var defaultInstancePort: Int = InstanceKey.defaultPort
        public var recoveryFilters = RecoveryFilters()
        /// `CandidateInstanceExpireMinutes` in seconds.
        public var candidateExpirySeconds = 3600
        public var analysis = AnalysisSettings()
        public var promotion = PromotionSettings()
        /// `RecoveryPeriodBlockSeconds`: anti-flapping window for automated recoveries.
        public var recoveryPeriodBlockSeconds: Int64 = 3600
        /// `HTTPProxyTimeoutSeconds`: how long a follower waits for the leader to answer a forwarded call.
        public var proxyTimeoutSeconds: Double = 10
        /// How long a proposal may wait for commit and apply.
        public var proposeTimeout: Duration = .seconds(10)

        public init(raftID: RaftNodeID, httpAdvertise: String) {
            self.raftID = raftID
            self.httpAdvertise = httpAdvertise
        }
    }

    public let settings: Settings
    public let raft: RaftService
    public let stateMachine: OperatorStateMachine
    public let discovery: Discovery
    let clock: any DiscoveryClock
    let logger: Logger

    public init(settings: Settings, raft: RaftService, stateMachine: OperatorStateMachine, discovery: Discovery,
                clock: any DiscoveryClock = SystemDiscoveryClock(), logger: Logger = Logger(label: "orchd.node")) {
        self.settings = settings
        self.raft = raft
        self.stateMachine = stateMachine
        self.discovery = discovery
        self.clock = clock
        self.logger = logger
    }

    public nonisolated var now: Timestamp { clock.now() }

    // MARK: - Intent

    /// Proposes `command` through Raft; returns once it is committed and applied on this node.
    /// - Throws: `RaftServiceError.notLeader` on a follower (the API proxies before calling this).
    public func submit(_ command: ReplicatedCommand) async throws {
        try await raft.propose(OperatorStateMachine.encode(command))
    }

    public nonisolated var intent: OperatorState { stateMachine.state }

    // MARK: - Reads

    /// This node's current view: probed instances grouped and annotated with intent.
    public func inventory() async -> Inventory {
        Inventory(probed: await discovery.instances(), intent: stateMachine.state, now: clock.now())
    }

    // MARK: - Analysis

    /// This node's analysis of every cluster it knows, now.
    public func analyze() async -> [ReplicationAnalysis] {
        let inventory = await inventory()
        var snapshot = AnalysisSnapshot(inventory: inventory, operatorState: stateMachine.state)
        for record in await discovery.instanceRecords() {
            if let attempted = record.lastAttemptedCheck { snapshot.lastAttemptedCheck[record.key] = attempted }
        }
        return ReplicationAnalyzer.analyze(snapshot, now: clock.now(), settings: settings.analysis)
    }

    // MARK: - Raft

    public func raftStatus() async -> RaftService.Status { await raft.status() }

    /// The HTTP address of the current leader, when known.
    public func leaderHTTPAddress() async -> String? {
        let status = await raft.status()
        guard let leader = status.leader else { return nil }
        if leader == settings.raftID { return settings.httpAdvertise }
        return stateMachine.state.nodeHTTPAddresses[leader]
    }
}
