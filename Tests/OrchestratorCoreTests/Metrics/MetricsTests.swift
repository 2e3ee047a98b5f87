@testable import OrchestratorCore
import Testing

@Suite("Prometheus text and orchd's metrics")
struct MetricsTests {
    @Test func textFormatEscapesAndFormats() {
        let family = MetricFamily("x_total", .counter, "a \\ help\nline", [
            .init([("a", "quote\" back\\slash\nnewline"), ("b", "plain")], 3),
            .init([], 0.25),
            .init([("c", "nan")], .nan),
            .init([("c", "inf")], .infinity),
        ])
        let text = PrometheusText.render([family, MetricFamily("empty", .gauge, "no samples")])
        #expect(text == """
            # HELP x_total a \\\\ help\\nline
            # TYPE x_total counter
            x_total{a="quote\\" back\\\\slash\\nnewline",b="plain"} 3
            x_total 0.25
            x_total{c="nan"} NaN
            x_total{c="inf"} +Inf
            # HELP empty no samples
            # TYPE empty gauge

            """)
    }

    static func value(_ families: [MetricFamily], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        families.first { $0.name == name }?.samples.first { sample in
            labels.allSatisfy { label in sample.labels.contains { $0.0 == label.key && $0.1 == label.value } }
        }?.value
    }

    @Test func metricsDescribeRaftClustersInstancesProblemsAndRecoveries() {
        var instances = Fixture.tree()
        instances[0].suggestedClusterAlias = "shop"
        instances[0].isLastCheckValid = false           // the master is unreachable
        instances[2].replicationIOThreadRunning = false  // db:3 cannot reach it... (a partial picture)
        instances[4].secondsBehindMaster = 42
        instances[4].gtidCurrentPos = "0-1-100,7-5-3"
        instances[4].gtidBinlogPos = "0-1-100,7-5-3"
        var intent = IntentState()
        intent.globalRecoveriesDisabled = true
        intent.downtimes[Fixture.key(2)] = Downtime(key: Fixture.key(2), owner: "o", reason: "r",
                                                     begin: Fixture.now, end: Fixture.now.adding(seconds: 600))
        let inventory = Inventory(probed: instances, intent: intent, now: Fixture.now)
        var analysis = ReplicationAnalysis(analyzedInstanceKey: Fixture.key(1),
                                           clusterDetails: inventory.clusterInfo("db:1", recovery: RecoveryFilters())!)
        analysis.analysis = .unreachableMaster
        let raft = OrchdMetrics.RaftFacts(state: "Follower", isLeader: false, hasLeader: true, isPartOfQuorum: true, term: 7,
                                          commitIndex: 40, appliedIndex: 39, lastIndex: 41, snapshotIndex: 20, voters: 3)
        var discovery = OrchdMetrics.DiscoveryCounters()
        discovery.probes = 10
        discovery.failedProbes = 2
        discovery.probeSeconds = 0.5
        let metrics = OrchdMetrics(raft: raft, inventory: inventory, analyses: [analysis], intent: intent,
                                   recoveryFilters: RecoveryFilters(masterFilters: ["alias=shop"]),
                                   discovery: discovery, detections: 3)
        let f = metrics.families
        #expect(Self.value(f, "orchd_raft_leader") == 0)
        #expect(Self.value(f, "orchd_raft_state", ["state": "Follower"]) == 1)
        #expect(Self.value(f, "orchd_raft_state", ["state": "Leader"]) == 0)
        #expect(Self.value(f, "orchd_raft_term") == 7)
        #expect(Self.value(f, "orchd_clusters") == 1)
        let cluster = ["cluster_name": "db:1", "cluster_alias": "shop"]
        #expect(Self.value(f, "orchd_cluster_instances", cluster) == 5)
        #expect(Self.value(f, "orchd_cluster_master_up", cluster) == 0)
        #expect(Self.value(f, "orchd_cluster_automated_master_recovery", cluster) == 1)
        #expect(Self.value(f, "orchd_cluster_automated_intermediate_master_recovery", cluster) == 0)
        #expect(Self.value(f, "orchd_instance_last_check_valid", ["mysql_instance": "db:1"]) == 0)
        #expect(Self.value(f, "orchd_instance_last_check_valid", ["mysql_instance": "db:2", "cluster_alias": "shop"]) == 1)
        #expect(Self.value(f, "orchd_instance_replication_running", ["mysql_instance": "db:3"]) == 0)
        #expect(Self.value(f, "orchd_instance_replication_running", ["mysql_instance": "db:1"]) == nil, "a master has no such series")
        #expect(Self.value(f, "orchd_instance_seconds_behind_master", ["mysql_instance": "db:5"]) == 42)
        #expect(Self.value(f, "orchd_instance_downtimed", ["mysql_instance": "db:2"]) == 1)
        #expect(Self.value(f, "orchd_instance_errant_gtid", ["mysql_instance": "db:5"]) == 1)
        #expect(Self.value(f, "orchd_instance_read_only", ["mysql_instance": "db:4"]) == 1)
        #expect(Self.value(f, "orchd_instance_replication_depth", ["mysql_instance": "db:4"]) == 2)
        #expect(Self.value(f, "orchd_analysis", ["mysql_instance": "db:1", "analysis": "UnreachableMaster"]) == 1)
        #expect(Self.value(f, "orchd_global_recoveries_enabled") == 0)
        #expect(Self.value(f, "orchd_recoveries_total") == 0)
        #expect(Self.value(f, "orchd_failure_detections_total") == 3)
        #expect(Self.value(f, "orchd_discovery_probe_failures_total") == 2)
        // Every family's name is a valid Prometheus metric name and appears once.
        let names = f.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && $0.hasPrefix("orchd_") })
    }

    @Test func durationHistogramRendersCumulativeBuckets() {
        var h = DurationHistogram(bounds: [0.5, 1])
        for seconds in [0.25, 0.75, 0.5, 3] { h.observe(seconds) }
        let text = PrometheusText.render([MetricFamily("orchd_x_seconds", .histogram, "x", h.samples())])
        #expect(text == """
            # HELP orchd_x_seconds x
            # TYPE orchd_x_seconds histogram
            orchd_x_seconds_bucket{le="0.5"} 2
            orchd_x_seconds_bucket{le="1"} 3
            orchd_x_seconds_bucket{le="+Inf"} 4
            orchd_x_seconds_sum 4.5
            orchd_x_seconds_count 4

            """)
    }
}
