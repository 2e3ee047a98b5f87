import Foundation
import Testing
import OrchestratorTestKit

/// Many real clusters under one 3-node group: discovered from `DiscoverySeeds` alone (one seed per
/// cluster); five masters killed in the same second are recovered at the same time, each on its own
/// (its own audit entry, no recovery waiting for another's, per-cluster acknowledgements and block
/// periods), with no acknowledged write lost; a sixth cluster, filtered out of recovery, is only detected.
///
/// `ORCHD_FLEET_TEST_CLUSTERS=N` (N ≥ 6) runs it over more clusters: the first five lose their master,
/// the last is the filtered one, those between stay healthy beside them. Each cluster is a semi-sync
/// `star:3` made small with `Scripts/fleet-mariadbd.cnf` (about 30 MB of private memory per server).
@Suite("orchd fleet: five masters at once", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct OrchdFleetTests {
    static var clusterCount: Int {
        max(6, Int(ProcessInfo.processInfo.environment["ORCHD_FLEET_TEST_CLUSTERS"] ?? "") ?? 6)
    }
    static let killedCount = 5
    /// The post-failover hook sleeps this long: recoveries run one after another would start at least
    /// this far apart, concurrent ones start together.
    static let postHookSeconds = 5

    @Test func fiveMastersKilledInTheSameSecondAreRecoveredConcurrentlyEachOnItsOwn() async throws {
        let aliases = (1...Self.clusterCount).map { "fleet-test-\($0)" }
        let fleet = SandboxFleet()
        defer { fleet.down() }
        try await fleet.up(aliases: aliases, topology: "star:3", parallel: 3)
        let clusters = fleet.sandboxes
        let killed = Array(clusters.prefix(Self.killedCount))
        let filtered = try #require(clusters.last)
        for cluster in killed { try await cluster.sql(1, "CREATE TABLE app.writes (id BIGINT PRIMARY KEY)") }

        let recoverable = aliases.dropLast().map { "alias=\($0)" }
        let group = try OrchdProcessGroup(name: "fleet", overrides: [
            "DiscoverySeeds": clusters.map { "127.0.0.1:\($0.port(3))" },
            "RecoverMasterClusterFilters": recoverable, "RecoverIntermediateMasterClusterFilters": recoverable,
            "PostMasterFailoverProcesses": ["sleep \(Self.postHookSeconds)"],
        ])
        defer { group.killAll() }
        try group.startAll()
        #expect(group.eventually(seconds: 60) { group.leader() != nil }, "a leader is elected")
        for i in 0..<OrchdProcessGroup.size {
            for alias in aliases {
                #expect(group.eventually(seconds: 60) {
                    try group.cli(["-c", "which-cluster-instances", "-a", alias], apis: group.api(i))
                        .out.split(separator: "\n").count == 3
                }, "node \(i) found \(alias) from its seed alone")
            }
        }

        // A paced insert loop per cluster that will lose its master (through the non-SUPER user).
        let loops = killed.map { InsertLoop(ports: (1...3).map($0.port), pauseMicroseconds: 20_000) }
        defer { loops.forEach { $0.stop() } }
        #expect(await eventuallyAsync(seconds: 60) { loops.allSatisfy { $0.acknowledged.count >= 10 } },
                "every insert loop writes to its master")

        // Kill the six masters in one loop: five recoverable clusters and the filtered one.
        let pids = try (killed + [filtered]).map { cluster in
            let text = try String(contentsOfFile: "\(cluster.directory)/node1/mariadbd.pid", encoding: .utf8)
            return try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let killedAt = Date()
        for pid in pids { kill(pid, SIGKILL) }
        let watch = WritableWatch(killed, since: killedAt)
        defer { watch.stop() }
        #expect(await eventuallyAsync(seconds: 90) { watch.writable.count == killed.count },
                "a new master is writable in every cluster: \(watch.writable)")
        let writable = watch.writable
        for (index, cluster) in killed.enumerated() {
            let rto = writable[index].map { "\(Int(($0.at.timeIntervalSince(killedAt) * 1000).rounded())) ms" } ?? "none"
            print("FLEET rto \(cluster.alias) \(rto) (kill -9 of the master -> a replica writable)")
        }

        // Each cluster's recovery is its own audit entry, successful, and all started together.
        var audit: [[String: Any]] = []
        #expect(group.eventually(seconds: 90) {
            audit = try recoveries(group)
            return killed.allSatisfy { cluster in
                audit.contains { alias(of: $0) == cluster.alias && $0["IsActive"] as? Bool == false }
            }
        }, "every recovery ended: \(audit.map { "\(alias(of: $0)) active=\($0["IsActive"] ?? "?")" })")
        var starts: [Date] = []
        for cluster in killed {
            let entries = audit.filter { alias(of: $0) == cluster.alias }
            #expect(entries.count == 1, "\(cluster.alias): one recovery, got \(entries.count)")
            guard let entry = entries.first else { continue }
            #expect(entry["IsSuccessful"] as? Bool == true, "\(cluster.alias): \(entry["AllErrors"] ?? "")")
            #expect((entry["AnalysisEntry"] as? [String: Any])?["Analysis"] as? String == "DeadMaster")
            let start = try #require((entry["RecoveryStartTimestamp"] as? String).flatMap(rfc3339), "\(entry)")
            starts.append(start)
            print("FLEET recovery \(cluster.alias) id \(entry["Id"] ?? "?") started \(entry["RecoveryStartTimestamp"] ?? "?")"
                  + " ended \(entry["RecoveryEndTimestamp"] ?? "?")")
        }
        let ids = killed.compactMap { cluster in audit.first { alias(of: $0) == cluster.alias }?["Id"] as? Int }
        #expect(Set(ids).count == killed.count, "each recovery has its own id: \(ids)")
        // Timestamps have whole seconds. Run one after another, each start would wait for the previous
        // recovery's post-failover hook (postHookSeconds): the starts would spread over 20 s.
        if let first = starts.min(), let last = starts.max() {
            #expect(last.timeIntervalSince(first) <= 3, "the recoveries started together: \(starts)")
            let killSecond = killedAt.timeIntervalSince1970.rounded(.down)
            #expect(first.timeIntervalSince1970 >= killSecond, "no recovery started before the kill")
            #expect(last.timeIntervalSince1970 - killSecond <= 5, "every recovery started within seconds of the kill: \(starts)")
        }

        // No acknowledged write is lost: each cluster's are all on its new master.
        loops.forEach { $0.stop() }
        for (index, cluster) in killed.enumerated() {
            guard let promoted = writable[index] else { continue }
            let acked = loops[index].acknowledged
            let rows = try await cluster.ids(promoted.node)
            let lost = acked.filter { !rows.contains($0.id) }
            #expect(lost.isEmpty, "\(cluster.alias): acknowledged writes missing on the new master: \(lost.map(\.id))")
            #expect(acked.contains { $0.port == cluster.port(promoted.node) },
                    "\(cluster.alias): the loop wrote to the new master")
        }

        // The filtered cluster: its dead master is detected, recorded as filtered out, and not recovered.
        var detection: [String: Any]?
        #expect(group.eventually(seconds: 60) {
            guard let leader = group.leaderAPI() else { return false }
            detection = try apiJSON(group, "audit-failure-detection/alias/\(filtered.alias)", apis: leader).first
            return detection != nil
        }, "the leader recorded the filtered cluster's detection")
        #expect(detection?["RecoveryAllowed"] as? Bool == false)
        let decision = detection?["Decision"] as? String ?? ""
        #expect(decision.contains("filteredOut"), "\(detection ?? [:])")
        #expect(!(try recoveries(group)).contains { alias(of: $0) == filtered.alias }, "no recovery of \(filtered.alias)")
        #expect(await filtered.readOnly(2) == "1", "its replicas were not promoted")
        #expect(await filtered.readOnly(3) == "1", "its replicas were not promoted")

        // Acknowledgements and block periods stay per cluster: acknowledging the first cluster's recovery
        // leaves the others unacknowledged; a second failure there is recovered, in the second cluster
        // it is held by that cluster's block period.
        let ack = try group.cli(["-c", "ack-cluster-recoveries", "-a", killed[0].alias, "-r", "fleet test"])
        #expect(ack.status == 0, "\(ack.err)")
        #expect(group.eventually {
            let all = try recoveries(group)
            return all.contains { alias(of: $0) == killed[0].alias && $0["Acknowledged"] as? Bool == true }
        }, "the first cluster's recovery is acknowledged")
        let afterAck = try recoveries(group)
        for cluster in killed.dropFirst() {
            #expect(afterAck.contains { alias(of: $0) == cluster.alias && $0["Acknowledged"] as? Bool == false },
                    "\(cluster.alias) stays unacknowledged")
        }
        guard let first = writable[0], let second = writable[1] else { return }
        for (cluster, promoted) in [(killed[0], first), (killed[1], second)] {
            let survivor = promoted.node == 2 ? 3 : 2
            #expect(await eventuallyAsync(seconds: 60) {
                await cluster.replicationSource(survivor) == (cluster.port(promoted.node), true)
            }, "\(cluster.alias): the other replica replicates from the new master")
            #expect(group.eventually(seconds: 60) {
                try group.cli(["-c", "which-replicas", "-i", "127.0.0.1:\(cluster.port(promoted.node))"]).out
                    == "127.0.0.1:\(cluster.port(survivor))"
            }, "\(cluster.alias): orchd sees the new topology")
        }
        try await killed[0].kill(first.node)
        try await killed[1].kill(second.node)
        #expect(group.eventually(seconds: 60) {
            try recoveries(group).filter { alias(of: $0) == killed[0].alias && $0["IsSuccessful"] as? Bool == true }.count == 2
        }, "the acknowledged cluster recovers its second failure")
        #expect(group.eventually(seconds: 60) {
            guard let leader = group.leaderAPI() else { return false }
            return try apiJSON(group, "audit-failure-detection/alias/\(killed[1].alias)", apis: leader).contains {
                $0["RecoveryAllowed"] as? Bool == false
                    && ($0["Decision"] as? String ?? "").contains("RecoveryPeriodBlockSeconds")
            }
        }, "the unacknowledged cluster's second failure is held by its own block period")
        #expect(try recoveries(group).filter { alias(of: $0) == killed[1].alias }.count == 1,
                "no second recovery of the unacknowledged cluster")
    }
}

/// The cluster alias of an audit-recovery entry.
private func alias(of recovery: [String: Any]) -> String {
    ((recovery["AnalysisEntry"] as? [String: Any])?["ClusterDetails"] as? [String: Any])?["ClusterAlias"] as? String ?? ""
}

private func rfc3339(_ text: String) -> Date? { ISO8601DateFormatter().date(from: text) }

/// Sandboxes started a few at a time and all removed by `down` (also those of a failed `up`).
final class SandboxFleet: @unchecked Sendable {
    private let lock = NSLock()
    private var started: [String: MariaDBSandbox] = [:]
    private var order: [String] = []

    /// In the order of the aliases given to `up`.
    var sandboxes: [MariaDBSandbox] { lock.withLock { order.compactMap { started[$0] } } }

    /// Starts one semi-sync, fleet-sized sandbox per alias, `parallel` at a time. On a failure no more
    /// are started, those already starting are waited for, and the first error is thrown; every sandbox
    /// that did come up is kept for `down`.
    func up(aliases: [String], topology: String, parallel: Int) async throws {
        lock.withLock { order = aliases }
        let failure: (any Error)? = await withTaskGroup(of: Result<MariaDBSandbox, any Error>.self) { group in
            var next = aliases.makeIterator()
            var failure: (any Error)?
            func add() {
                guard failure == nil, let alias = next.next() else { return }
                group.addTask {
                    do {
                        return .success(try await MariaDBSandbox.up(topology: topology, alias: alias, semiSync: true,
                                                                    fleetSized: true))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for _ in 0..<parallel { add() }
            while let result = await group.next() {
                switch result {
                case .success(let sandbox): lock.withLock { started[sandbox.alias] = sandbox }
                case .failure(let error): failure = failure ?? error
                }
                add()
            }
            return failure
        }
        if let failure { throw failure }
    }

    func down() {
        for sandbox in lock.withLock({ Array(started.values) }) { sandbox.down() }
    }
}

/// One thread per cluster asks its replicas (2 and 3, over root's socket) every 50 ms whether one is
/// writable, and records when it first is.
final class WritableWatch: @unchecked Sendable {
    struct Promotion: Sendable { var node: Int; var at: Date }
    private let lock = NSLock()
    private var found: [Int: Promotion] = [:]
    private var stopped = false
    private let count: Int

    init(_ clusters: [MariaDBSandbox], since: Date) {
        count = clusters.count
        for (index, cluster) in clusters.enumerated() {
            Thread.detachNewThread { [self] in
                let deadline = since.addingTimeInterval(120)
                while Date() < deadline, !lock.withLock({ stopped }) {
                    for node in [2, 3] {
                        let result = LeaderIsolation.run(["mariadb", "--no-defaults", "-uroot", "-S",
                                                          "\(cluster.directory)/node\(node)/mariadbd.sock",
                                                          "--connect-timeout=2", "-N", "-e", "SELECT @@read_only"])
                        if result.status == 0, result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0" {
                            let at = Date()
                            lock.withLock { found[index] = Promotion(node: node, at: at) }
                            return
                        }
                    }
                    usleep(50_000)
                }
            }
        }
    }

    /// By the cluster's index: where and when a replica became writable (nil: not yet).
    var writable: [Int: Promotion] { lock.withLock { found } }

    func stop() { lock.withLock { stopped = true } }
}
