import Foundation
import Testing
import OrchestratorTestKit

extension MariaDBSandbox {
    /// The pid of instance `n`'s mariadbd (from its pid file).
    func mariadbdPID(_ n: Int) -> Int32? {
        let text = (try? String(contentsOfFile: "\(directory)/node\(n)/mariadbd.pid", encoding: .utf8)) ?? ""
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

extension OrchdProcessGroup {
    /// The instance `failover-plan` names as the successor of `alias`'s master (its port).
    func plannedSuccessorPort(_ alias: String) -> Int? {
        var port: Int?
        _ = eventually(seconds: 60) {
            let out = try cli(["-c", "failover-plan", "-a", alias]).out
            guard let range = out.range(of: "Successor: 127.0.0.1:") else { return false }
            port = Int(out[range.upperBound...].prefix { $0.isNumber })
            return port != nil
        }
        return port
    }

    /// The recovery audit as node `i` (or any node) answers it.
    func recoveries(_ i: Int? = nil) throws -> [[String: Any]] {
        let out = try cli(["-c", "api", "-P", "audit-recovery"], apis: i.map(api)).out
        return try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] ?? []
    }
}

/// Polls `condition` every 20 ms for up to `seconds` (for faults timed to a log line).
func pollFast(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

extension ChaosScenarioTests {
    /// The orchd leader is killed (-9) after it promoted the successor but before it repointed the other
    /// replica: the pre-failover hook freezes that replica's mariadbd (SIGSTOP), so the repoint waits on
    /// it (MySQL timeouts of 20 s here), and the test kills the leader as soon as its log shows the
    /// promote step done. The next leader finds the recovery active with its plan recorded and finishes
    /// it: the replica left behind ends replicating from the new master, the recovery is resolved as
    /// successful, and every node's audit agrees.
    @Test func leaderKilledBetweenPromoteAndRepointIsResolvedByTheNextLeader() async throws {
        let marker = Self.markerFile("mid")
        let sandbox = try await MariaDBSandbox.up(topology: "star:3", alias: "chaos-mid", semiSync: true)
        defer { sandbox.down() }
        // The successor is instance 2 (a `prefer` candidate, the replicas level when the master dies);
        // instance 3 is the replica left behind.
        let otherPID = try #require(sandbox.mariadbdPID(3))
        var thawed = false
        defer { if !thawed { kill(otherPID, SIGCONT) } }
        let group = try OrchdProcessGroup(name: "chaos-mid", overrides: [
            "PreFailoverProcesses": ["kill -STOP \(otherPID); echo pre-failover {orchestratorHost} >> \(marker)"],
            "MySQLConnectTimeoutSeconds": 20,
            "MySQLDiscoveryReadTimeoutSeconds": 20,
        ])
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 3, alias: sandbox.alias, instances: 3)
        _ = try await sandbox.sql(1, "CREATE TABLE app.writes (id BIGINT PRIMARY KEY)")
        let successorPort = sandbox.port(2)
        #expect(group.eventually(seconds: 60) {
            try group.cli(["-c", "register-candidate", "-i", "127.0.0.1:\(successorPort)", "--promotion-rule", "prefer"]).status == 0
                && group.plannedSuccessorPort(sandbox.alias) == successorPort
        }, "failover-plan names the prefer candidate \(successorPort)")
        let sampler = WritableSampler(ports: (1...3).map(sandbox.port))
        let loop = InsertLoop(ports: (1...3).map(sandbox.port))
        #expect(await eventuallyAsync { loop.acknowledged.count >= 10 }, "the insert loop writes to the master")
        // The writes stop before the master dies and the replicas catch up: the plan is the prefer
        // candidate's, with no catch-up step through the replica that will be frozen.
        loop.stop()
        let count = "SELECT COUNT(*) FROM app.writes"
        #expect(await eventuallyAsync(seconds: 30) {
            let counts = [try? await sandbox.sql(1, count), try? await sandbox.sql(2, count), try? await sandbox.sql(3, count)]
            return counts[0] != nil && Set(counts).count == 1
        }, "the replicas applied every write")

        let killedAt = sampler.millis()
        try await sandbox.kill(1)
        #expect(group.eventually(seconds: 60) { !Self.lines(marker).isEmpty }, "a failover starts (the hook froze instance 3)")
        let leaderAPI = try #require(Self.lines(marker).first?.split(separator: " ").last.map(String.init))
        let leader = try #require((0..<OrchdProcessGroup.size).first { group.api($0) == leaderAPI })
        let promoted = pollFast(seconds: 90) {
            group.log(leader).split(separator: "\n").contains { $0.contains(": promote 127.0.0.1:\(successorPort)") && $0.contains("-> ok") }
        }
        #expect(promoted, "the leader promotes \(successorPort)")
        let repointedBeforeKill = group.log(leader).split(separator: "\n").contains {
            $0.contains(": repoint 127.0.0.1:\(sandbox.port(3))") && $0.contains(" -> ")
        }
        group.kill9(leader)
        #expect(!repointedBeforeKill, "the leader was killed before its repoint step ended (else the window was missed)")
        try await Task.sleep(for: .seconds(5))
        kill(otherPID, SIGCONT)
        thawed = true

        let others = (0..<OrchdProcessGroup.size).filter { $0 != leader }
        #expect(group.eventually(seconds: 60) {
            let r = try group.cli(["-c", "raft-leader"], apis: others.map(group.api).joined(separator: " "))
            return r.status == 0 && group.index(ofRaftID: r.out).map { $0 != leader } == true
        }, "another node leads")
        let rto = await sampler.waitForOtherMaster(than: sandbox.port(1), after: killedAt, seconds: 60)
        #expect(rto != nil, "the successor is writable")
        var resumed: [String: Any]?
        #expect(group.eventually(seconds: 90) {
            resumed = try group.recoveries(others[0]).first
            return resumed?["IsActive"] as? Bool == false
        }, "the recovery is resolved: \(String(describing: resumed))")
        #expect(resumed?["IsSuccessful"] as? Bool == true, "the next leader finished it: \(String(describing: resumed?["AllErrors"]))")
        let stepNames = (resumed?["Steps"] as? [[String: Any]] ?? []).compactMap { $0["Name"] as? String }
        #expect(stepNames.contains("resumed"), "the audit says it was resumed: \(stepNames)")
        var checker = ChaosChecker(group: group, bound: 90)
        checker.runningNodes = others
        await checker.finish(
            scenario: "leader killed between promote and repoint",
            clusters: [.init(sandbox: sandbox, sampler: sampler, loop: loop, dead: [1])], rtoMillis: rto)
    }

    /// The master is cut from its replicas (their new replication connections to its port dropped by
    /// nftables on a cgroup the replicas' mariadbd are moved into) but not from orchd: orchd sees the
    /// master alive and writable and the replicas not replicating. No failover, no second writable master.
    @Test(.enabled(if: LeaderIsolation.unavailableReason == nil,
                   "needs root, a usable nft and a writable cgroup v2 under /sys/fs/cgroup (see LeaderIsolation.unavailableReason)"))
    func masterCutFromItsReplicasButNotFromOrchdCausesNoFailover() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:3", alias: "chaos-split")
        let cgroup = try #require(LeaderIsolation.cgroupBase("chaos-split-replicas"))
        let root = try #require(LeaderIsolation.cgroup2Mount)
        let pids = (2...3).compactMap(sandbox.mariadbdPID)
        defer {
            for pid in pids { try? "\(pid)\n".write(toFile: "\(root)/cgroup.procs", atomically: false, encoding: .utf8) }
            sandbox.down()
            rmdir(cgroup)
        }
        let group = try OrchdProcessGroup(name: "chaos-split")
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 3, alias: sandbox.alias, instances: 3)
        let (sampler, loop) = try await sandbox.startWrites(servers: 3)
        #expect(await eventuallyAsync { loop.acknowledged.count >= 10 }, "the insert loop writes to the master")

        try #require(pids.count == 2, "both replicas' pids")
        try FileManager.default.createDirectory(atPath: cgroup, withIntermediateDirectories: true)
        for pid in pids { try "\(pid)\n".write(toFile: "\(cgroup)/cgroup.procs", atomically: false, encoding: .utf8) }
        let isolation = LeaderIsolation(table: "orchd_chaos_split_\(getpid())")
        defer { isolation.remove() }
        try isolation.cut(cgroup: cgroup, fromPorts: [sandbox.port(1)])
        // The replication connections in place were opened before the move: reconnect them from the cgroup.
        for n in 2...3 { _ = try await sandbox.sql(n, "STOP SLAVE IO_THREAD; START SLAVE IO_THREAD") }
        #expect(await eventuallyAsync(seconds: 30) {
            let states = await [sandbox.replicationSource(2), sandbox.replicationSource(3)]
            return states.allSatisfy { !$0.running }
        }, "the replicas cannot reach the master")
        var analyses: [String] = []
        #expect(group.eventually(seconds: 60) {
            analyses = try apiJSON(group, "replication-analysis").compactMap { $0["Analysis"] as? String }
            return analyses.contains { $0 == "AllMasterReplicasNotReplicating" || $0.hasPrefix("UnreachableMaster") }
        }, "orchd sees the replicas broken, the master alive: \(analyses)")
        try await Task.sleep(for: .seconds(15))
        let audit = try group.recoveries()
        #expect(audit.isEmpty, "no recovery: \(audit)")
        #expect(!analyses.contains { $0.hasPrefix("DeadMaster") }, "never DeadMaster: \(analyses)")
        #expect(await sandbox.writable([1, 2, 3]) == [1], "the master alone is writable")
        #expect(try group.cli(["-c", "which-cluster-master", "-a", sandbox.alias]).out == "127.0.0.1:\(sandbox.port(1))")
        // Heal: the replicas reconnect (at once, rather than after their connect retry).
        isolation.remove()
        for n in 2...3 { _ = try await sandbox.sql(n, "STOP SLAVE IO_THREAD; START SLAVE IO_THREAD") }
        await ChaosChecker(group: group).finish(
            scenario: "master cut from its replicas, not orchd",
            clusters: [.init(sandbox: sandbox, sampler: sampler, loop: loop)], rtoMillis: nil)
    }

    /// The successor `failover-plan` names is killed (-9) by a pre-failover hook, right as the recovery
    /// starts. orchd's recovery plan is fixed when it starts, so the recovery fails at the successor's
    /// step, with the reason in the audit, and no other server is touched beyond stopping replication;
    /// the cluster's automated recoveries are then blocked (RecoveryPeriodBlockSeconds). The operator
    /// sees the failed recovery and runs `recover`, which plans again and promotes the other replica.
    @Test func candidateKilledAsTheRecoveryStartsFailsClearlyThenTheOperatorRecovers() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:3", alias: "chaos-cand")
        defer { sandbox.down() }
        let marker = Self.markerFile("cand")
        let group = try OrchdProcessGroup(name: "chaos-cand", overrides: [
            "PreFailoverProcesses": ["kill -9 $(cat \(marker).pid) && echo killed {orchestratorHost} >> \(marker)"],
        ])
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 3, alias: sandbox.alias, instances: 3)
        // The successor is instance 2, a `prefer` candidate (replicas level: nothing writes).
        let successor = 2, other = 3
        let planned = sandbox.port(successor)
        #expect(group.eventually(seconds: 60) {
            try group.cli(["-c", "register-candidate", "-i", "127.0.0.1:\(planned)", "--promotion-rule", "prefer"]).status == 0
                && group.plannedSuccessorPort(sandbox.alias) == planned
        }, "failover-plan names the prefer candidate \(planned)")
        try "\(try #require(sandbox.mariadbdPID(successor)))\n".write(toFile: "\(marker).pid", atomically: true, encoding: .utf8)
        let sampler = WritableSampler(ports: (1...3).map(sandbox.port))

        let killedAt = sampler.millis()
        try await sandbox.kill(1)
        #expect(group.eventually(seconds: 60) { !Self.lines(marker).isEmpty }, "the hook killed the successor \(planned)")
        var recoveries: [[String: Any]] = []
        #expect(group.eventually(seconds: 60) {
            recoveries = try group.recoveries()
            return !recoveries.isEmpty && recoveries.allSatisfy { $0["IsActive"] as? Bool == false }
        }, "the recovery ends")
        let failed = recoveries.first { $0["IsSuccessful"] as? Bool == false }
        #expect(recoveries.count == 1 && failed != nil, "one failed recovery: \(recoveries)")
        let errors = (failed?["AllErrors"] as? [String] ?? []).joined(separator: "; ")
        #expect(errors.contains("\(planned)"), "the failure names the dead successor: \(errors)")
        #expect(sampler.firstOtherMaster(than: sandbox.port(1), after: killedAt) == nil, "no server was made writable")
        #expect(await sandbox.readOnly(other) == "1", "the other replica is untouched (read-only)")

        // The operator's answer: a manual recovery plans again, with the live replica.
        let recover = try group.cli(["-c", "recover", "-i", "127.0.0.1:\(sandbox.port(1))"])
        #expect(recover.status == 0, "recover: \(recover.out) \(recover.err)")
        #expect(await eventuallyAsync(seconds: 60) { sampler.firstOtherMaster(than: sandbox.port(1), after: killedAt) != nil },
                "the other replica is promoted")
        #expect(sampler.firstOtherMaster(than: sandbox.port(1), after: killedAt)?.port == sandbox.port(other))
        await ChaosChecker(group: group).finish(
            scenario: "candidate killed as recovery starts",
            clusters: [.init(sandbox: sandbox, sampler: sampler, loop: nil, dead: [1, successor])], rtoMillis: nil)
    }

    static let libfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"

    /// One orchd node's wall clock jumps an hour ahead (libfaketime, its offset read from a file):
    /// no recovery starts, and a downtime set before the jump stays in force on the other nodes.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: ChaosScenarioTests.libfaketime),
                   "needs libfaketime (apt-get install faketime)"),
          .enabled(if: !FileManager.default.fileExists(atPath: "/etc/orchestrator.conf.json"),
                   "the nodes find ./orchestrator.conf.json by the search path, which /etc/orchestrator.conf.json precedes"))
    func clockJumpOnOneNodeCausesNoRecovery() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:3", alias: "chaos-clock")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "chaos-clock")
        defer { group.killAll() }
        for i in 0..<OrchdProcessGroup.size {
            let file = "\(group.dir)/node\(i)/faketime"
            try "+0\n".write(toFile: file, atomically: true, encoding: .utf8)
            group.nodeEnvironment[i] = [
                "LD_PRELOAD": Self.libfaketime, "FAKETIME_TIMESTAMP_FILE": file, "FAKETIME_CACHE_DURATION": "1",
                "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            ]
        }
        try group.startDiscovering(sandbox, through: 3, alias: sandbox.alias, instances: 3)
        let (sampler, loop) = try await sandbox.startWrites(servers: 3)
        let replica = "127.0.0.1:\(sandbox.port(3))"
        let downtime = try group.cli(["-c", "begin-downtime", "-i", replica, "-o", "chaos", "-r", "clock", "-u", "30m"])
        #expect(downtime.status == 0, "\(downtime.err)")
        let leader = try #require(group.leaderIndex())
        let others = (0..<OrchdProcessGroup.size).filter { $0 != leader }
        func downtimed(_ i: Int) throws -> Bool {
            let out = try group.cli(["-c", "api", "-P", "instance/127.0.0.1/\(sandbox.port(3))"], apis: group.api(i)).out
            return (try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])?["IsDowntimed"] as? Bool == true
        }
        #expect(group.eventually(seconds: 30) { try (0..<OrchdProcessGroup.size).allSatisfy(downtimed) }, "the downtime is everywhere")

        // The jump: the leader's wall clock an hour ahead (checked with date(1) under the same settings).
        try "+1h\n".write(toFile: "\(group.dir)/node\(leader)/faketime", atomically: true, encoding: .utf8)
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/bin/date")
        probe.arguments = ["+%s"]
        probe.environment = group.nodeEnvironment[leader]
        let pipe = Pipe()
        probe.standardOutput = pipe
        try probe.run()
        probe.waitUntilExit()
        let faked = Double(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(faked - Date().timeIntervalSince1970 > 3000, "libfaketime moves the clock an hour ahead (\(faked))")
        try await Task.sleep(for: .seconds(20))

        for i in 0..<OrchdProcessGroup.size {
            let audit = try group.recoveries(i)
            #expect(audit.isEmpty, "no recovery on node \(i): \(audit)")
        }
        for i in others { #expect(try downtimed(i), "the downtime still holds on node \(i)") }
        #expect(await sandbox.writable([1, 2, 3]) == [1], "the master alone is writable")
        try "+0\n".write(toFile: "\(group.dir)/node\(leader)/faketime", atomically: true, encoding: .utf8)
        await ChaosChecker(group: group).finish(
            scenario: "clock of one node jumped 1 h",
            clusters: [.init(sandbox: sandbox, sampler: sampler, loop: loop)], rtoMillis: nil)
    }

    /// One orchd node's data directory (Raft log and SQLite) is on a small tmpfs, filled up: that node
    /// reports it and takes no more writes, the others carry on: Raft writes still commit and a failover
    /// works. What orchd does (seen here): the full node's next Raft write fails, with SQLite's "database or
    /// disk is full" or, when it was writing a snapshot, "No space left on device"; it logs a critical
    /// "raft service stopped on a fatal error" and exits (fail-stop), so its health endpoint no longer
    /// answers healthy; an election follows if it led.
    @Test(.enabled(if: getuid() == 0, "needs root to mount a tmpfs"))
    func diskFullOnOneNodeIsReportedAndTheOthersCarryOn() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:3", alias: "chaos-disk", semiSync: true)
        defer { sandbox.down() }
        let base = ProcessInfo.processInfo.environment["ORCHD_TEST_DIR"] ?? NSTemporaryDirectory()
        let mount = (base as NSString).appendingPathComponent("chaos-disk-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        let mounted = LeaderIsolation.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount])
        try #require(mounted.status == 0, "mount a tmpfs: \(mounted.output)")
        defer { _ = LeaderIsolation.run(["umount", "-l", mount]); rmdir(mount) }
        let full = 2
        let group = try OrchdProcessGroup(name: "chaos-disk", nodeOverrides: [
            full: ["RaftDataDir": "\(mount)/raft", "SQLite3DataFile": "\(mount)/orchestrator.sqlite3"],
        ])
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 3, alias: sandbox.alias, instances: 3)
        let (sampler, loop) = try await sandbox.startWrites(servers: 3)
        #expect(await eventuallyAsync { loop.acknowledged.count >= 10 }, "the insert loop writes to the master")

        let fill = LeaderIsolation.run(["dd", "if=/dev/zero", "of=\(mount)/fill", "bs=1M"])
        #expect(fill.output.contains("No space left"), "the tmpfs is full: \(fill.output.suffix(200))")
        // Writes through Raft: the node with the full disk cannot persist them.
        // (When the full node led, its failure answers the first write and an election follows: retry.)
        var answer = ""
        for n in 2...3 {
            #expect(group.eventually(seconds: 30) {
                let downtime = try group.cli(["-c", "begin-downtime", "-i", "127.0.0.1:\(sandbox.port(n))", "-o", "chaos", "-r", "disk", "-u", "1m"])
                answer = downtime.err
                return downtime.status == 0
            }, "a Raft write commits without the full node: \(answer)")
            _ = try group.cli(["-c", "end-downtime", "-i", "127.0.0.1:\(sandbox.port(n))"])
        }
        #expect(group.eventually(seconds: 30) {
            let log = group.log(full)
            return log.contains("No space left") || log.contains("disk is full") || log.contains("ENOSPC")
        }, "the full node logs it: \(group.log(full).suffix(600))")
        var health = ""
        #expect(group.eventually(seconds: 30) {
            let r = try group.cli(["-c", "api", "-P", "health"], apis: group.api(full))
            health = r.out + r.err
            return !health.contains("Application node is healthy")
        }, "the full node's health says so: \(health.prefix(400))")

        let killedAt = sampler.millis()
        try await sandbox.kill(1)
        let rto = await sampler.waitForOtherMaster(than: sandbox.port(1), after: killedAt, seconds: 60)
        #expect(rto != nil, "a replica is promoted")
        var checker = ChaosChecker(group: group)
        checker.runningNodes = (0..<OrchdProcessGroup.size).filter { $0 != full }
        await checker.finish(
            scenario: "disk full on one node",
            clusters: [.init(sandbox: sandbox, sampler: sampler, loop: loop, dead: [1])], rtoMillis: rto)
    }
}
