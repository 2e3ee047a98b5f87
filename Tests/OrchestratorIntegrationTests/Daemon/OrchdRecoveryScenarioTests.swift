import Foundation
import Testing
import OrchestratorTestKit

/// Recovery scenarios on one 3-node orchd group managing three sandboxes at once (recovery allowed
/// for two of them by alias filters): graceful takeover under a running insert loop, a dead
/// intermediate master, a `prefer` candidate, a filtered cluster, and force-master-takeover.
@Suite("orchd recovery scenarios", .serialized, .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct OrchdRecoveryScenarioTests {
    static let filters = ["alias=scenario-tree", "alias=scenario-star"]

    @Test func takeoverUnderLoadIntermediateMasterPreferCandidateFilteredClusterAndForceTakeover() async throws {
        // One at a time, each torn down even when a later one fails to start.
        let tree = try await MariaDBSandbox.up(topology: "tree", alias: "scenario-tree")
        defer { tree.down() }
        let star = try await MariaDBSandbox.up(topology: "star:3", alias: "scenario-star")
        defer { star.down() }
        let filtered = try await MariaDBSandbox.up(topology: "star:2", alias: "scenario-filtered")
        defer { filtered.down() }
        let group = try OrchdProcessGroup(name: "scenarios", overrides: [
            "RecoverMasterClusterFilters": Self.filters, "RecoverIntermediateMasterClusterFilters": Self.filters,
        ])
        defer { group.killAll() }
        try group.startAll()
        #expect(group.eventually { group.leader() != nil })
        for (sandbox, deepest) in [(tree, 4), (star, 3), (filtered, 2)] {
            #expect(group.eventually { try group.cli(["-c", "discover", "-i", "127.0.0.1:\(sandbox.port(deepest))"]).status == 0 })
            #expect(group.eventually {
                try group.cli(["-c", "which-cluster-instances", "-a", sandbox.alias]).out.split(separator: "\n").count == deepest
            }, "\(sandbox.alias) discovered")
        }
        try await tree.sql(1, "CREATE TABLE app.writes (id BIGINT PRIMARY KEY)")

        // (a) Graceful takeover under a running insert loop through the non-SUPER user.
        let loop = InsertLoop(ports: (1...4).map(tree.port))
        #expect(await eventuallyAsync { loop.acknowledged.count >= 20 }, "the insert loop writes to the master")
        let designated = "127.0.0.1:\(tree.port(2))"
        let takeover = try group.cli(["-c", "graceful-master-takeover-auto", "-a", "scenario-tree", "-d", designated])
        #expect(takeover.status == 0, "\(takeover.err)")
        #expect(await eventuallyAsync { loop.acknowledged.contains { $0.port == tree.port(2) } },
                "the loop's writes reach the new master")
        loop.stop()
        let acked = loop.acknowledged
        let onNewMaster = try await tree.ids(2)
        let missing = acked.filter { !onNewMaster.contains($0.id) }
        #expect(missing.isEmpty, "acknowledged writes missing on the new master: \(missing.map(\.id))")
        #expect(acked.contains { $0.port == tree.port(1) } && acked.contains { $0.port == tree.port(2) })
        #expect(await tree.readOnly(1) == "1")
        #expect(await eventuallyAsync { await tree.replicationSource(1) == (tree.port(2), true) },
                "the old master replicates from the new one")

        // (b) Dead intermediate master: 3 (now under 2) dies; its replica 4 moves up to 2 or to sibling 1.
        #expect(await eventuallyAsync { await tree.replicationSource(3) == (tree.port(2), true) })
        #expect(group.eventually {
            try group.cli(["-c", "which-replicas", "-i", "127.0.0.1:\(tree.port(3))"]).out == "127.0.0.1:\(tree.port(4))"
        }, "orchd sees 4 under 3")
        try await tree.kill(3)
        #expect(await eventuallyAsync(seconds: 40) {
            let source = await tree.replicationSource(4)
            return source.running && [tree.port(1), tree.port(2)].contains(source.port ?? 0)
        }, "instance 4 replicates from the primary or a sibling")
        #expect(group.eventually {
            try recoveries(group).contains {
                (($0["AnalysisEntry"] as? [String: Any])?["Analysis"] as? String ?? "").hasPrefix("DeadIntermediateMaster")
                    && $0["IsSuccessful"] as? Bool == true
            }
        }, "the audit records a successful DeadIntermediateMaster recovery")

        // (c) A `prefer` candidate wins over an equally advanced replica (which would win the tie).
        let starReplica2 = "127.0.0.1:\(star.port(2))", starReplica3 = "127.0.0.1:\(star.port(3))"
        #expect(group.eventually {
            try group.cli(["-c", "failover-plan", "-a", "scenario-star"]).out.contains("Successor: \(starReplica2)")
        }, "without a registration the key order picks \(starReplica2)")
        let register = try group.cli(["-c", "register-candidate", "-i", starReplica3, "-R", "prefer"])
        #expect(register.status == 0, "\(register.err)")
        #expect(group.eventually {
            try group.cli(["-c", "failover-plan", "-a", "scenario-star"]).out.contains("Successor: \(starReplica3)")
        })
        try await star.kill(1)
        #expect(group.eventually { try group.cli(["-c", "which-cluster-master", "-a", "scenario-star"]).out == starReplica3 },
                "the prefer candidate is promoted")
        #expect(await star.readOnly(3) == "0")
        #expect(await eventuallyAsync { await star.replicationSource(2) == (star.port(3), true) })

        // (d) A cluster the filters do not match: detected and recorded, not recovered.
        let firstLeaderAPI = try #require(group.leaderAPI())
        try await filtered.kill(1)
        #expect(group.eventually {
            try apiJSON(group, "replication-analysis", apis: group.leaderAPI() ?? firstLeaderAPI).contains {
                $0["AnalyzedInstanceKey"].map { "\($0)" }?.contains("\(filtered.port(1))") == true
                    && $0["Analysis"] as? String == "DeadMaster"
            }
        }, "the filtered cluster's dead master is analysed")
        var detection: [String: Any]?
        #expect(group.eventually {
            detection = try apiJSON(group, "audit-failure-detection/alias/scenario-filtered", apis: group.leaderAPI() ?? firstLeaderAPI).first
            return detection != nil
        }, "the leader recorded the detection")
        #expect(detection?["RecoveryAllowed"] as? Bool == false)
        let decision = detection?["Decision"] as? String ?? ""
        #expect(decision.contains("filteredOut"), "\(detection ?? [:])")
        #expect(!(try recoveries(group)).contains {
            (($0["AnalysisEntry"] as? [String: Any])?["ClusterDetails"] as? [String: Any])?["ClusterAlias"] as? String
                == "scenario-filtered"
        }, "no recovery of the filtered cluster")
        #expect(await filtered.readOnly(2) == "1", "its replica was not promoted")
        #expect(await filtered.replicationSource(2).port == filtered.port(1))

        // force-master-takeover: the dry run changes nothing; then 2 (of the tree) is demoted now.
        let treeMaster = try group.cli(["-c", "which-cluster-master", "-a", "scenario-tree"]).out
        #expect(treeMaster == designated)
        let target = "127.0.0.1:\(tree.port(1))"
        let path = "force-master-takeover/scenario-tree/127.0.0.1/\(tree.port(1))"
        let dry = try group.cli(["-c", "api", "-P", path + "?noop=true"])
        #expect(dry.out.contains("Successor: \(target)"), "\(dry.out) \(dry.err)")
        #expect(await tree.readOnly(2) == "0")
        let ack = try group.cli(["-c", "ack-cluster-recoveries", "-a", "scenario-tree", "-r", "scenario done"])
        #expect(ack.status == 0, "\(ack.err)")
        let forced = try group.cli(["-c", "force-master-takeover", "-a", "scenario-tree", "-d", target])
        #expect(forced.status == 0, "\(forced.out) \(forced.err)")
        #expect(await tree.readOnly(1) == "0", "the designated replica is the writable master")
        #expect(await tree.readOnly(2) == "1", "the old master is demoted (read_only)")
        #expect(await eventuallyAsync { await tree.replicationSource(4) == (tree.port(1), true) })
        #expect(group.eventually { try group.cli(["-c", "which-cluster-master", "-a", "scenario-tree"]).out == target })

        // (a, the other way) Graceful takeover without -auto under load: 1 hands over to 4; no acknowledged
        // write is lost and the demoted master is pointed at 4 but not replicating.
        #expect(group.eventually {
            try group.cli(["-c", "which-replicas", "-i", target]).out.contains("127.0.0.1:\(tree.port(4))")
        })
        let second = InsertLoop(ports: [1, 4].map(tree.port))
        #expect(await eventuallyAsync { second.acknowledged.count >= 20 }, "the insert loop writes to the master")
        let handover = try group.cli(["-c", "graceful-master-takeover", "-a", "scenario-tree", "-d", "127.0.0.1:\(tree.port(4))"])
        #expect(handover.status == 0, "\(handover.err)")
        #expect(await eventuallyAsync { second.acknowledged.contains { $0.port == tree.port(4) } })
        second.stop()
        let onFour = try await tree.ids(4)
        let lost = second.acknowledged.filter { !onFour.contains($0.id) }
        #expect(lost.isEmpty, "acknowledged writes missing on the new master: \(lost.map(\.id))")
        #expect(await tree.readOnly(1) == "1")
        let demoted = await tree.replicationSource(1)
        #expect(demoted.port == tree.port(4) && !demoted.running, "pointed at the new master, not started")
    }
}

/// The recovery audit as JSON objects.
func recoveries(_ group: OrchdProcessGroup) throws -> [[String: Any]] {
    try apiJSON(group, "audit-recovery")
}

/// GET /api/<path> through the CLI, parsed as a JSON array of objects (or an envelope's Details).
func apiJSON(_ group: OrchdProcessGroup, _ path: String, apis: String? = nil) throws -> [[String: Any]] {
    let out = try group.cli(["-c", "api", "-P", path], apis: apis).out
    let value = try JSONSerialization.jsonObject(with: Data(out.utf8))
    if let array = value as? [[String: Any]] { return array }
    if let details = (value as? [String: Any])?["Details"] as? [[String: Any]] { return details }
    throw GroupError("unexpected answer from \(path): \(out.prefix(300))")
}
