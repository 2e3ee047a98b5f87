/// What one node exposes on `/metrics`, built from values (Raft facts, the inventory, the analysis,
/// the replicated intent, this node's counters): pure, so it is tested without a server.
///
/// Names start with `orchd_`. Instance series carry `mysql_instance` (`host:port`; Prometheus keeps `instance` for the scraped node), `cluster_name` and
/// `cluster_alias`, so alerts can say which server of which cluster.
public struct OrchdMetrics: Sendable {
    public struct RaftFacts: Sendable, Equatable {
        public var state: String
        public var isLeader: Bool
        public var hasLeader: Bool
        public var isPartOfQuorum: Bool
        public var term: UInt64
        public var commitIndex: UInt64
        public var appliedIndex: UInt64
        public var lastIndex: UInt64
        public var snapshotIndex: UInt64
        public var voters: Int
        /// Leader: the median heartbeat round trip to each follower, in seconds.
        public var peerRoundTrips: [String: Double] = [:]

        public init(state: String, isLeader: Bool, hasLeader: Bool, isPartOfQuorum: Bool, term: UInt64, commitIndex: UInt64,
                    appliedIndex: UInt64, lastIndex: UInt64, snapshotIndex: UInt64, voters: Int) {
            self.state = state
            self.isLeader = isLeader
            self.hasLeader = hasLeader
            self.isPartOfQuorum = isPartOfQuorum
            self.term = term
            self.commitIndex = commitIndex
            self.appliedIndex = appliedIndex
            self.lastIndex = lastIndex
            self.snapshotIndex = snapshotIndex
            self.voters = voters
        }
    }

    /// This node's discovery counters since it started.
    public struct DiscoveryCounters: Sendable, Equatable {
        public var probes: UInt64 = 0
        public var failedProbes: UInt64 = 0
        public var probeSeconds: Double = 0
        /// Instance rows written to the backend database, and the transactions that wrote them.
        public var storedRows: UInt64 = 0
        public var storeTransactions: UInt64 = 0
        /// Durations of the poll loop's rounds (every known instance probed once, and stored).
        public var pollRounds = DurationHistogram()
        public init() {}
    }

    public var raft: RaftFacts
    public var inventory: Inventory
    public var analyses: [ReplicationAnalysis]
    public var intent: IntentState
    public var recoveryFilters: RecoveryFilters
    public var discovery: DiscoveryCounters
    /// Failures this node detected since it started (`audit-failure-detection` keeps the latest).
    public var detections: UInt64

    public init(raft: RaftFacts, inventory: Inventory, analyses: [ReplicationAnalysis], intent: IntentState,
                recoveryFilters: RecoveryFilters, discovery: DiscoveryCounters, detections: UInt64) {
        self.raft = raft
        self.inventory = inventory
        self.analyses = analyses
        self.intent = intent
        self.recoveryFilters = recoveryFilters
        self.discovery = discovery
        self.detections = detections
    }

    public var families: [MetricFamily] {
        raftFamilies + clusterFamilies + instanceFamilies + analysisFamilies + recoveryFamilies + discoveryFamilies
    }

    public var text: String { PrometheusText.render(families) }

    private static func flag(_ b: Bool) -> Double { b ? 1 : 0 }

    var raftFamilies: [MetricFamily] {
        [
            MetricFamily("orchd_raft_leader", .gauge, "1 when this node is the Raft leader.", [.init([], Self.flag(raft.isLeader))]),
            MetricFamily("orchd_raft_state", .gauge, "This node's Raft state (1 for the current one).",
                         ["Leader", "Follower", "Candidate"].map { .init([("state", $0)], Self.flag(raft.state == $0)) }),
            MetricFamily("orchd_raft_healthy", .gauge,
                         "1 when this node is part of a quorum (a leader heard by a majority, or a follower hearing one).",
                         [.init([], Self.flag(raft.isPartOfQuorum))]),
            MetricFamily("orchd_raft_has_leader", .gauge, "1 when this node knows a leader.", [.init([], Self.flag(raft.hasLeader))]),
            MetricFamily("orchd_raft_term", .gauge, "Current Raft term.", [.init([], Double(raft.term))]),
            MetricFamily("orchd_raft_commit_index", .gauge, "Highest log index known committed.", [.init([], Double(raft.commitIndex))]),
            MetricFamily("orchd_raft_applied_index", .gauge, "Highest log index applied to this node's state.",
                         [.init([], Double(raft.appliedIndex))]),
            MetricFamily("orchd_raft_last_index", .gauge, "Last index in this node's log.", [.init([], Double(raft.lastIndex))]),
            MetricFamily("orchd_raft_snapshot_index", .gauge, "Log index of this node's latest snapshot.",
                         [.init([], Double(raft.snapshotIndex))]),
            MetricFamily("orchd_raft_voters", .gauge, "Voting members of the Raft group.", [.init([], Double(raft.voters))]),
            MetricFamily("orchd_raft_peer_round_trip_seconds", .gauge,
                         "Leader: median heartbeat round trip to each follower (a third of the election timeout or more is warned about).",
                         raft.peerRoundTrips.sorted { $0.key < $1.key }.map { .init([("peer", $0.key)], $0.value) }),
        ]
    }

    private func clusterLabels(_ name: String) -> [(String, String)] {
        [("cluster_name", name), ("cluster_alias", inventory.grouping.cluster(named: name)?.clusterAlias ?? name)]
    }

    var clusterFamilies: [MetricFamily] {
        var instances = MetricFamily("orchd_cluster_instances", .gauge, "Instances known in the cluster.")
        var masterUp = MetricFamily("orchd_cluster_master_up", .gauge,
                                    "1 when this node's last check of the cluster's master succeeded.")
        var masterRecovery = MetricFamily("orchd_cluster_automated_master_recovery", .gauge,
                                          "1 when RecoverMasterClusterFilters lets orchd recover the cluster's master.")
        var imRecovery = MetricFamily("orchd_cluster_automated_intermediate_master_recovery", .gauge,
                                      "1 when RecoverIntermediateMasterClusterFilters lets orchd recover its intermediate masters.")
        for summary in inventory.grouping.clusters {
            let labels = clusterLabels(summary.clusterName)
            instances.samples.append(.init(labels, Double(summary.members.count)))
            masterUp.samples.append(.init(labels, Self.flag(inventory.master(ofCluster: summary.clusterName)?.isLastCheckValid ?? false)))
            if let info = inventory.clusterInfo(summary.clusterName, recovery: recoveryFilters) {
                masterRecovery.samples.append(.init(labels, Self.flag(info.hasAutomatedMasterRecovery)))
                imRecovery.samples.append(.init(labels, Self.flag(info.hasAutomatedIntermediateMasterRecovery)))
            }
        }
        return [
            MetricFamily("orchd_clusters", .gauge, "Clusters this node knows.", [.init([], Double(inventory.grouping.clusters.count))]),
            instances, masterUp, masterRecovery, imRecovery,
        ]
    }

    var instanceFamilies: [MetricFamily] {
        var up = MetricFamily("orchd_instance_last_check_valid", .gauge, "1 when this node's last probe of the instance succeeded.")
        var readOnly = MetricFamily("orchd_instance_read_only", .gauge, "The instance's read_only.")
        var replicating = MetricFamily("orchd_instance_replication_running", .gauge,
                                       "Replicas only: 1 when both the IO and the SQL thread run.")
        var lag = MetricFamily("orchd_instance_seconds_behind_master", .gauge,
                               "Replicas only, when known: Seconds_Behind_Master.")
        var depth = MetricFamily("orchd_instance_replication_depth", .gauge, "0 for a master, 1 for its replicas, and so on.")
        var downtimed = MetricFamily("orchd_instance_downtimed", .gauge, "1 while the instance is downtimed.")
        var errant = MetricFamily("orchd_instance_errant_gtid", .gauge, "1 when the instance has errant GTIDs.")
        for instance in inventory.instances {
            let labels = [("mysql_instance", instance.key.description)] + clusterLabels(instance.clusterName)
            up.samples.append(.init(labels, Self.flag(instance.isLastCheckValid)))
            readOnly.samples.append(.init(labels, Self.flag(instance.readOnly)))
            depth.samples.append(.init(labels, Double(instance.replicationDepth)))
            downtimed.samples.append(.init(labels, Self.flag(instance.isDowntimed)))
            errant.samples.append(.init(labels, Self.flag(!instance.gtidErrant.isEmpty)))
            if instance.isReplica {
                replicating.samples.append(.init(labels, Self.flag(
                    instance.replicationIOThreadRunning && instance.replicationSQLThreadRunning)))
                if let seconds = instance.secondsBehindMaster { lag.samples.append(.init(labels, Double(seconds))) }
            }
        }
        return [up, readOnly, replicating, lag, depth, downtimed, errant]
    }

    var analysisFamilies: [MetricFamily] {
        var problems = MetricFamily("orchd_analysis", .gauge,
                                    "1 for each problem this node's analysis sees now (upstream's analysis codes).")
        for a in analyses where a.analysis != .noProblem {
            problems.samples.append(.init(
                [("mysql_instance", a.analyzedInstanceKey.description), ("cluster_name", a.clusterDetails.clusterName),
                 ("cluster_alias", a.clusterDetails.clusterAlias), ("analysis", a.analysis.rawValue)], 1))
        }
        return [problems]
    }

    var recoveryFamilies: [MetricFamily] {
        var unacknowledged = MetricFamily("orchd_recoveries_unacknowledged", .gauge,
                                          "Recoveries not yet acknowledged (they block the next one within RecoveryPeriodBlockSeconds).")
        var lastSuccess = MetricFamily("orchd_recovery_last_successful", .gauge,
                                       "1 when the cluster's latest recovery succeeded, 0 when it failed.")
        var lastStart = MetricFamily("orchd_recovery_last_start_timestamp_seconds", .gauge,
                                     "When the cluster's latest recovery started (Unix time).")
        var byCluster: [String: [TopologyRecovery]] = [:]
        for recovery in intent.recoveries { byCluster[recovery.clusterName, default: []].append(recovery) }
        for name in byCluster.keys.sorted() {
            let recoveries = byCluster[name]!
            let alias = recoveries.last?.clusterAlias ?? name
            let labels = [("cluster_name", name), ("cluster_alias", alias.isEmpty ? name : alias)]
            unacknowledged.samples.append(.init(labels, Double(recoveries.filter { !$0.acknowledged }.count)))
            if let last = recoveries.max(by: { $0.id < $1.id }) {
                lastSuccess.samples.append(.init(labels, Self.flag(last.isSuccessful)))
                lastStart.samples.append(.init(labels, Double(last.recoveryStartTimestamp.secondsSinceEpoch)))
            }
        }
        return [
            MetricFamily("orchd_global_recoveries_enabled", .gauge, "0 after disable-global-recoveries.",
                         [.init([], Self.flag(!intent.globalRecoveriesDisabled))]),
            MetricFamily("orchd_recoveries_total", .counter, "Recoveries the group has run (replicated: the same on every node).",
                         [.init([], Double(intent.recoveries.map(\.id).max() ?? 0))]),
            MetricFamily("orchd_recoveries_active", .gauge, "Recoveries in progress.",
                         [.init([], Double(intent.recoveries.filter(\.isActive).count))]),
            unacknowledged, lastSuccess, lastStart,
        ]
    }

    var discoveryFamilies: [MetricFamily] {
        [
            MetricFamily("orchd_failure_detections_total", .counter, "Failures this node detected since it started.",
                         [.init([], Double(detections))]),
            MetricFamily("orchd_discovery_probes_total", .counter, "Probes of MySQL servers this node made since it started.",
                         [.init([], Double(discovery.probes))]),
            MetricFamily("orchd_discovery_probe_failures_total", .counter, "Probes that failed (unreachable, refused, timed out).",
                         [.init([], Double(discovery.failedProbes))]),
            MetricFamily("orchd_discovery_probe_seconds_total", .counter, "Time spent in probes, in seconds.",
                         [.init([], discovery.probeSeconds)]),
            MetricFamily("orchd_discovery_stored_rows_total", .counter,
                         "Instance rows discovery wrote to the backend database since start.",
                         [.init([], Double(discovery.storedRows))]),
            MetricFamily("orchd_discovery_store_transactions_total", .counter,
                         "Backend database transactions discovery made to write instance rows since start.",
                         [.init([], Double(discovery.storeTransactions))]),
            MetricFamily("orchd_discovery_poll_round_seconds", .histogram,
                         "Duration of each poll round (every known instance probed and stored); must stay under InstancePollSeconds.",
                         discovery.pollRounds.samples()),
        ]
    }
}
