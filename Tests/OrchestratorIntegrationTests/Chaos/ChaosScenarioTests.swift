import Foundation
import Testing
import OrchestratorTestKit

/// Faults in the middle of recoveries, each scenario ending with the one invariant checker
/// (``ChaosChecker``) while ``WritableSampler`` watched every 10 ms. `Scripts/game-day` runs this suite
/// and prints a report card. Scenarios that kill a master under an insert loop use semi-sync: without
/// it an acknowledged write may legitimately be lost, and the checker would not tell orchd's fault apart.
@Suite("chaos scenarios", .serialized, .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct ChaosScenarioTests {
    /// A file hooks append to (the group's directory is made later than its configuration's overrides).
    static func markerFile(_ name: String) -> String {
        let base = ProcessInfo.processInfo.environment["ORCHD_TEST_DIR"] ?? NSTemporaryDirectory()
        return (base as NSString).appendingPathComponent("chaos-\(name)-\(UUID().uuidString.prefix(8)).log")
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The orchd leader is frozen (SIGSTOP) while its failover runs a pre-failover hook, for longer than an
    /// election; another node takes over and finishes the failover; the old leader, resumed, must not run
    /// a single MySQL step of its stale recovery.
    @Test func leaderFrozenDuringFailoverTakesNoStepOnStaleLeadership() async throws {
        let marker = Self.markerFile("frozen")
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: "chaos-frozen", semiSync: true)
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "chaos-frozen", overrides: [
            "PreFailoverProcesses": ["echo pre-failover {orchestratorHost} >> \(marker); sleep 5"],
        ])
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 4, alias: sandbox.alias, instances: 4)
        let (sampler, loop) = try await sandbox.startWrites(servers: 4)
        #expect(await eventuallyAsync { loop.acknowledged.count >= 10 }, "the insert loop writes to the master")

        let killedAt = sampler.millis()
        try await sandbox.kill(1)
        // The leader's failover is in its pre-failover hook: freeze that leader.
        #expect(group.eventually(seconds: 60) { !Self.lines(marker).isEmpty }, "a failover starts")
        let frozenAPI = try #require(Self.lines(marker).first?.split(separator: " ").last.map(String.init))
        let frozen = try #require((0..<OrchdProcessGroup.size).first { group.api($0) == frozenAPI })
        group.freeze(frozen)
        var thawed = false
        defer { if !thawed { group.thaw(frozen) } }
        let others = (0..<OrchdProcessGroup.size).filter { $0 != frozen }.map(group.api).joined(separator: " ")
        #expect(group.eventually(seconds: 60) {
            let r = try group.cli(["-c", "raft-leader"], apis: others)
            return r.status == 0 && !r.out.isEmpty && group.index(ofRaftID: r.out) != frozen
        }, "another node is elected while the leader is frozen")
        try await Task.sleep(for: .seconds(8))  // well past an election
        let thawedAt = Date()
        group.thaw(frozen)
        thawed = true

        #expect(await eventuallyAsync(seconds: 90) { sampler.firstOtherMaster(than: sandbox.port(1), after: killedAt) != nil },
                "a new master is promoted")
        // The frozen leader's recovery: closed by the new leader, and no MySQL step of it ran after the thaw.
        var recoveries: [[String: Any]] = []
        #expect(group.eventually(seconds: 60) {
            let audit = try group.cli(["-c", "api", "-P", "audit-recovery"]).out
            recoveries = try JSONSerialization.jsonObject(with: Data(audit.utf8)) as? [[String: Any]] ?? []
            return recoveries.contains {
                $0["IsSuccessful"] as? Bool == true && $0["ProcessingNodeHostname"] as? String != frozenAPI
            }
        }, "another node finished the failover: \(recoveries.map { ($0["ProcessingNodeHostname"] ?? "", $0["IsSuccessful"] ?? "") })")
        let stale = recoveries.filter { $0["ProcessingNodeHostname"] as? String == frozenAPI }
        #expect(!stale.isEmpty, "the frozen leader's recovery is in the audit")
        #expect(stale.allSatisfy { $0["IsActive"] as? Bool == false && $0["IsSuccessful"] as? Bool == false },
                "the frozen leader's recovery is closed, not successful")
        try await Task.sleep(for: .seconds(3))
        let log = group.log(frozen)
        for record in stale {
            let uid = record["UID"] as? String ?? "?"
            let steps = log.split(separator: "\n").filter { $0.contains("recovery \(uid): ") && $0.contains(" -> ") }
            #expect(steps.isEmpty, "the frozen leader ran steps of \(uid) after \(thawedAt): \(steps)")
        }
        let rto = sampler.firstOtherMaster(than: sandbox.port(1), after: killedAt).map { $0.at - killedAt }
        await ChaosChecker(group: group, bound: 90).finish(
            scenario: "leader SIGSTOPped mid-failover", clusters: [.init(sandbox: sandbox, sampler: sampler, loop: loop, dead: [1])],
            rtoMillis: rto)
    }

    /// The master goes down and up every second, five times: at most one recovery (RecoveryPeriodBlockSeconds).
    @Test func flappingMasterIsRecoveredAtMostOnce() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: "chaos-flap")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "chaos-flap")
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 4, alias: sandbox.alias, instances: 4)
        // The master comes back writable after each restart: an outsider once a replica took over.
        let sampler = WritableSampler(ports: (1...4).map(sandbox.port), outsiders: [sandbox.port(1)])
        let killedAt = sampler.millis()
        for round in 0..<5 {
            try await sandbox.kill(1)
            try await Task.sleep(for: .seconds(1))
            if round < 4 {
                try await sandbox.start(1)
                try await Task.sleep(for: .seconds(1))
            }
        }
        // Left down: a failover happened once (during the flapping or now), never twice.
        #expect(await eventuallyAsync(seconds: 60) { sampler.firstOtherMaster(than: sandbox.port(1), after: killedAt) != nil },
                "a replica is promoted")
        try await Task.sleep(for: .seconds(5))
        let audit = try group.cli(["-c", "api", "-P", "audit-recovery"]).out
        let recoveries = try JSONSerialization.jsonObject(with: Data(audit.utf8)) as? [[String: Any]] ?? []
        #expect(recoveries.count == 1, "anti-flapping: one recovery, not \(recoveries.count)")
        #expect(recoveries.allSatisfy { $0["IsSuccessful"] as? Bool == true })
        let rto = sampler.firstOtherMaster(than: sandbox.port(1), after: killedAt).map { $0.at - killedAt }
        await ChaosChecker(group: group).finish(
            scenario: "master flapping", clusters: [.init(sandbox: sandbox, sampler: sampler, loop: nil, dead: [1])],
            rtoMillis: rto)
    }

    /// Two masters, of two clusters, die at the same instant: both clusters are recovered.
    @Test func twoMastersDyingAtOnceAreBothRecovered() async throws {
        let a = try await MariaDBSandbox.up(topology: "star:3", alias: "chaos-two-a", semiSync: true)
        defer { a.down() }
        let b = try await MariaDBSandbox.up(topology: "star:3", alias: "chaos-two-b", semiSync: true)
        defer { b.down() }
        let group = try OrchdProcessGroup(name: "chaos-two")
        defer { group.killAll() }
        try group.startDiscovering(a, through: 3, alias: a.alias, instances: 3)
        #expect(group.eventually { try group.cli(["-c", "discover", "-i", "127.0.0.1:\(b.port(3))"]).status == 0 })
        #expect(group.eventually {
            try group.cli(["-c", "which-cluster-instances", "-a", b.alias]).out.split(separator: "\n").count == 3
        }, "\(b.alias) discovered")
        var clusters: [ChaosChecker.Cluster] = []
        for sandbox in [a, b] {
            _ = try await sandbox.sql(1, "CREATE TABLE app.writes (id BIGINT PRIMARY KEY)")
            let loop = InsertLoop(ports: (1...3).map(sandbox.port))
            clusters.append(.init(sandbox: sandbox, sampler: WritableSampler(ports: (1...3).map(sandbox.port)), loop: loop, dead: [1]))
        }
        for cluster in clusters {
            #expect(await eventuallyAsync { (cluster.loop?.acknowledged.count ?? 0) >= 10 }, "\(cluster.sandbox.alias) takes writes")
        }
        let killedAt = clusters.map { $0.sampler.millis() }
        let killA = Task { try await a.kill(1) }
        let killB = Task { try await b.kill(1) }
        try await killA.value
        try await killB.value
        for (i, cluster) in clusters.enumerated() {
            #expect(await eventuallyAsync(seconds: 60) {
                cluster.sampler.firstOtherMaster(than: cluster.sandbox.port(1), after: killedAt[i]) != nil
            }, "\(cluster.sandbox.alias) has a new master")
        }
        let rto = clusters.enumerated().compactMap { i, c in
            c.sampler.firstOtherMaster(than: c.sandbox.port(1), after: killedAt[i]).map { $0.at - killedAt[i] }
        }.max()
        var successful = 0
        #expect(group.eventually(seconds: 60) {
            let audit = try group.cli(["-c", "api", "-P", "audit-recovery"]).out
            let recoveries = try JSONSerialization.jsonObject(with: Data(audit.utf8)) as? [[String: Any]] ?? []
            successful = recoveries.filter { $0["IsSuccessful"] as? Bool == true }.count
            return successful == 2
        }, "two successful recoveries (\(successful))")
        await ChaosChecker(group: group).finish(scenario: "two masters die at once", clusters: clusters, rtoMillis: rto)
    }

    /// One orchd follower cannot reach the master (nftables on its cgroup); the others can. Nothing fails over.
    @Test(.enabled(if: LeaderIsolation.unavailableReason == nil,
                   "needs root, a usable nft and a writable cgroup v2 under /sys/fs/cgroup (see LeaderIsolation.unavailableReason)"))
    func followerCutFromTheMasterCausesNoFailover() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: "chaos-cut")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "chaos-cut", cgroupBase: LeaderIsolation.cgroupBase("chaos-cut"))
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 4, alias: sandbox.alias, instances: 4)
        let (sampler, loop) = try await sandbox.startWrites(servers: 4)
        let leader = try #require(group.leaderIndex())
        let follower = (leader + 1) % OrchdProcessGroup.size
        let isolation = LeaderIsolation(table: "orchd_chaos_\(getpid())")
        defer { isolation.remove() }
        try isolation.cut(cgroup: try #require(group.cgroup(follower)), fromPorts: [sandbox.port(1)])
        // The cut follower sees the master fail to answer; the leader and the replicas do not.
        #expect(group.eventually(seconds: 60) {
            let out = try group.cli(["-c", "api", "-P", "instance/127.0.0.1/\(sandbox.port(1))"], apis: group.api(follower)).out
            return out.contains("\"IsLastCheckValid\":false") || out.contains("\"IsLastCheckValid\": false")
        }, "the cut follower cannot probe the master")
        try await Task.sleep(for: .seconds(15))
        let audit = try group.cli(["-c", "api", "-P", "audit-recovery"]).out
        #expect(audit.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "no recovery: \(audit)")
        #expect(try group.cli(["-c", "which-cluster-master", "-a", sandbox.alias]).out == "127.0.0.1:\(sandbox.port(1))")
        isolation.remove()
        await ChaosChecker(group: group).finish(
            scenario: "one follower cut from the master", clusters: [.init(sandbox: sandbox, sampler: sampler, loop: loop)],
            rtoMillis: nil)
    }

    /// The orchd leader is cut from every MySQL server (nftables on its cgroup) but not from its peers:
    /// it sees everything unreachable, the others see a healthy cluster. Nothing fails over.
    @Test(.enabled(if: LeaderIsolation.unavailableReason == nil,
                   "needs root, a usable nft and a writable cgroup v2 under /sys/fs/cgroup (see LeaderIsolation.unavailableReason)"))
    func leaderCutFromMySQLButNotPeersCausesNoFailover() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: "chaos-leader-cut")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "chaos-leader-cut", cgroupBase: LeaderIsolation.cgroupBase("chaos-leader-cut"))
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 4, alias: sandbox.alias, instances: 4)
        let (sampler, loop) = try await sandbox.startWrites(servers: 4)
        let leader = try #require(group.leaderIndex())
        let isolation = LeaderIsolation(table: "orchd_chaos_lc_\(getpid())")
        defer { isolation.remove() }
        try isolation.cut(cgroup: try #require(group.cgroup(leader)), fromPorts: (1...4).map(sandbox.port))
        #expect(group.eventually(seconds: 60) {
            let out = try group.cli(["-c", "api", "-P", "instance/127.0.0.1/\(sandbox.port(1))"], apis: group.api(leader)).out
            return out.contains("\"IsLastCheckValid\":false") || out.contains("\"IsLastCheckValid\": false")
        }, "the cut leader cannot probe the master")
        try await Task.sleep(for: .seconds(15))
        let audit = try group.cli(["-c", "api", "-P", "audit-recovery"]).out
        // Found by this scenario: the cut leader saw intermediate master 3 and its replica unreachable
        // (DeadIntermediateMasterAndReplicas, actionable), attempted a relocation that failed before any
        // MySQL step, and the failed record held the cluster's automated recoveries for
        // RecoveryPeriodBlockSeconds. Second opinions now cover intermediate masters too: a peer that
        // reaches it vetoes, and no recovery is recorded.
        #expect(audit.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "no recovery: \(audit)")
        #expect(!audit.contains("\"Analysis\": \"DeadMaster"), "no master failover: \(audit)")
        #expect(await sandbox.readOnly(1) == "0", "the master is still the writable one")
        isolation.remove()
        await ChaosChecker(group: group).finish(
            scenario: "leader cut from MySQL, not from peers", clusters: [.init(sandbox: sandbox, sampler: sampler, loop: loop)],
            rtoMillis: nil)
    }

    /// A follower is restarted with the data directory (Raft log and SQLite) it had before a failover:
    /// it catches up, and every node's audit agrees again.
    @Test func nodeRestartedWithAnOldDataDirCatchesUp() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:3", alias: "chaos-old-dir", semiSync: true)
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "chaos-old-dir")
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 3, alias: sandbox.alias, instances: 3)
        _ = try await sandbox.sql(1, "CREATE TABLE app.writes (id BIGINT PRIMARY KEY)")
        let follower = ((group.leaderIndex() ?? 0) + 1) % OrchdProcessGroup.size
        // Keep a copy of the follower's data as it is now (stopped, so the copy is consistent).
        let fm = FileManager.default
        let nodeDir = "\(group.dir)/node\(follower)", backup = "\(group.dir)/node\(follower)-old"
        let dataNames = { try fm.contentsOfDirectory(atPath: nodeDir).filter { $0 == "raft" || $0.hasPrefix("orchestrator.sqlite3") } }
        group.kill9(follower)
        try fm.createDirectory(atPath: backup, withIntermediateDirectories: true)
        for name in try dataNames() { try fm.copyItem(atPath: "\(nodeDir)/\(name)", toPath: "\(backup)/\(name)") }
        try group.start(follower)

        let sampler = WritableSampler(ports: (1...3).map(sandbox.port))
        let loop = InsertLoop(ports: (1...3).map(sandbox.port))
        #expect(await eventuallyAsync { loop.acknowledged.count >= 10 }, "the insert loop writes to the master")
        let killedAt = sampler.millis()
        try await sandbox.kill(1)
        let rto = await sampler.waitForOtherMaster(than: sandbox.port(1), after: killedAt, seconds: 60)
        #expect(rto != nil, "a new master is promoted")
        #expect(group.eventually(seconds: 60) {
            let out = try group.cli(["-c", "api", "-P", "audit-recovery"]).out
            let all = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] ?? []
            return all.contains { $0["IsSuccessful"] as? Bool == true }
        }, "the failover is audited")

        // Back to the old data directory: the node knows nothing of the failover until the leader catches it up.
        group.kill9(follower)
        for name in try dataNames() { try fm.removeItem(atPath: "\(nodeDir)/\(name)") }
        for name in try fm.contentsOfDirectory(atPath: backup) { try fm.copyItem(atPath: "\(backup)/\(name)", toPath: "\(nodeDir)/\(name)") }
        try group.start(follower)
        let newMaster = try group.cli(["-c", "which-cluster-master", "-a", sandbox.alias]).out
        #expect(group.eventually(seconds: 60) {
            try group.cli(["-c", "which-cluster-master", "-a", sandbox.alias], apis: group.api(follower)).out == newMaster
        }, "the restarted node sees the new master \(newMaster)")
        await ChaosChecker(group: group).finish(
            scenario: "node restarted with an old data dir",
            clusters: [.init(sandbox: sandbox, sampler: sampler, loop: loop, dead: [1])], rtoMillis: rto)
    }

    /// A replica lags (MASTER_DELAY 30 s, about 10 s behind) when the master dies: orchd promotes the
    /// caught-up replica and repoints the lagging one, which catches up later.
    @Test func laggingReplicaIsNotPromoted() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:3", alias: "chaos-lag", semiSync: true)
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "chaos-lag")
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 3, alias: sandbox.alias, instances: 3)
        _ = try await sandbox.sql(1, "CREATE TABLE app.writes (id BIGINT PRIMARY KEY)")
        _ = try await sandbox.sql(2, "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 30; START SLAVE")
        let sampler = WritableSampler(ports: (1...3).map(sandbox.port))
        let loop = InsertLoop(ports: (1...3).map(sandbox.port))
        #expect(await eventuallyAsync(seconds: 60) { loop.acknowledged.count >= 50 }, "the master takes writes")
        let applied = try await sandbox.sql(2, "SELECT COUNT(*) FROM app.writes").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(applied == "0", "instance 2 lags: it applied \(applied) of \(loop.acknowledged.count) writes")
        try await Task.sleep(for: .seconds(8))
        let killedAt = sampler.millis()
        try await sandbox.kill(1)
        #expect(await eventuallyAsync(seconds: 60) { sampler.firstOtherMaster(than: sandbox.port(1), after: killedAt) != nil },
                "a replica is promoted")
        let promoted = sampler.firstOtherMaster(than: sandbox.port(1), after: killedAt)
        #expect(promoted?.port == sandbox.port(3), "the caught-up replica 3 is promoted, not the lagging 2: \(String(describing: promoted))")
        #expect(await eventuallyAsync(seconds: 90) { await sandbox.replicationSource(2) == (sandbox.port(3), true) },
                "the lagging replica replicates from the new master")
        await ChaosChecker(group: group, bound: 90).finish(
            scenario: "replica lagging at failover time", clusters: [.init(sandbox: sandbox, sampler: sampler, loop: loop, dead: [1])],
            rtoMillis: promoted.map { $0.at - killedAt })
    }
}
