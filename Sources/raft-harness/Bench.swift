import Foundation
import NIOPosix
import OrchestratorServer
import OrchestratorServerTestKit

/// `raft-harness bench`: starts 3 real nodes (fsync on) and prints `BENCH name value unit` lines.
struct Bench {
    let flags: Flags

    func run() async throws {
        let dir = try flags.string("dir")
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        var nodeFlags: [String] = []
        for f in ["tick-ms", "election-ticks", "heartbeat-ticks", "snapshot-every", "log-level"] {
            if let v = try? flags.string(f) { nodeFlags += ["--\(f)", v] }
        }
        // Baseline: what one durable write costs on this disk (a commit waits for the leader's and a follower's, in parallel).
        report("raft_fsync_baseline_p50_ms", try fsyncBaseline(dir: dir), "ms")
        let cluster = HarnessCluster(binary: binary, dir: dir, basePort: try flags.int("base-port", 24100), nodeFlags: nodeFlags)
        try cluster.startAll()
        defer { cluster.killAll() }
        guard let (leader, _) = await cluster.waitForLeader() else { throw HarnessError("no leader elected within 30 s") }

        // 1. One client, sequential proposals.
        let count = try flags.int("count", 2000)
        for i in 0..<100 { _ = await cluster.request(leader, "propose warm\(i)") }
        var single: [Double] = []
        for i in 0..<count {
            let t0 = ContinuousClock.now
            guard await cluster.request(leader, "propose c\(i)") == "ok" else { throw HarnessError("proposal failed") }
            single.append(ms(ContinuousClock.now - t0))
        }
        report("raft_commit_p50_ms", percentile(single, 50), "ms")
        report("raft_commit_p99_ms", percentile(single, 99), "ms")

        // 2. 64 concurrent proposers, one connection each.
        let clients = try flags.int("clients", 64), perClient = try flags.int("per-client", 100)
        let host = "127.0.0.\(leader + 1)", port = cluster.basePort + 50 + leader
        var conns: [RaftControlClient] = []
        for _ in 0..<clients { conns.append(try await RaftControlClient.connect(host: host, port: port)) }
        let start = ContinuousClock.now
        let concurrent: [Double] = try await withThrowingTaskGroup(of: [Double].self) { group in
            for (c, conn) in conns.enumerated() {
                group.addTask {
                    var lat: [Double] = []
                    for i in 0..<perClient {
                        let t0 = ContinuousClock.now
                        guard try await conn.request("propose k\(c)-\(i)") == "ok" else { throw HarnessError("proposal failed") }
                        lat.append(ms(ContinuousClock.now - t0))
                    }
                    return lat
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let elapsed = ContinuousClock.now - start
        for c in conns { await c.close() }
        report("raft_commit64_p50_ms", percentile(concurrent, 50), "ms")
        report("raft_commit64_p99_ms", percentile(concurrent, 99), "ms")
        report("raft_throughput_ops", Double(concurrent.count) / secs(elapsed), "ops/s")

        // 3. Leader kill -9 -> new leader, repeated.
        var failovers: [Double] = []
        for trial in 0..<(try flags.int("trials", 20)) {
            guard let (old, term) = await cluster.waitForLeader() else { throw HarnessError("no leader before trial \(trial)") }
            _ = await cluster.request(old, "propose before-kill-\(trial)")
            let others = (0..<cluster.size).filter { $0 != old }
            let t0 = ContinuousClock.now
            cluster.kill(old)
            guard let (_, _) = await cluster.waitForLeader(among: others, newerThan: term) else { throw HarnessError("no new leader in trial \(trial)") }
            failovers.append(ms(ContinuousClock.now - t0))
            try cluster.start(old)
            // Let the restarted node rejoin and catch up before the next trial.
            guard let (l, _) = await cluster.waitForLeader(), let s = await cluster.status(l), let commit = UInt64(s["commit"] ?? ""),
                  await cluster.waitForApplied(commit) else { throw HarnessError("cluster did not recover after trial \(trial)") }
            _ = l
        }
        FileHandleStderr.write("failover samples (ms): \(failovers.map { Int($0) })\n")
        report("raft_failover_median_ms", percentile(failovers, 50), "ms")
        report("raft_failover_p99_ms", percentile(failovers, 99), "ms")
        report("raft_failover_max_ms", failovers.max() ?? 0, "ms")

        // 4. Leadership transfer to a named follower.
        var transfers: [Double] = []
        for trial in 0..<(try flags.int("transfers", 10)) {
            guard let (l, _) = await cluster.waitForLeader() else { throw HarnessError("no leader before transfer \(trial)") }
            let target = cluster.id((l + 1 + trial % 2) % cluster.size)
            let t0 = ContinuousClock.now
            guard await cluster.request(l, "transfer \(target)") == "ok" else { throw HarnessError("transfer \(trial) failed") }
            transfers.append(ms(ContinuousClock.now - t0))
            try? await Task.sleep(for: .milliseconds(200))
        }
        report("raft_transfer_median_ms", percentile(transfers, 50), "ms")
    }

    private func fsyncBaseline(dir: String) throws -> Double {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/fsync-baseline"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw HarnessError("cannot create \(path)") }
        defer { close(fd); unlink(path) }
        var samples: [Double] = []
        // Rewrites one 4 KiB block, as SQLite's WAL does in steady state (no file growth).
        let block = [UInt8](repeating: 1, count: 4096)
        for _ in 0..<100 {
            // Random arrival times, like proposals: back-to-back syncs here lock onto the
            // storage's completion rhythm and read longer than a commit ever waits.
            usleep(UInt32.random(in: 0..<5000))
            let t0 = ContinuousClock.now
            _ = block.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            fdatasync(fd) // what SQLite uses on Linux for its WAL
            samples.append(ms(ContinuousClock.now - t0))
        }
        return percentile(samples, 50)
    }

    private func report(_ name: String, _ value: Double, _ unit: String) {
        print("BENCH \(name) \(String(format: "%.2f", value)) \(unit)")
        fflush(nil)
    }
}

func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
func secs(_ d: Duration) -> Double { ms(d) / 1000 }

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let rank = Int((p / 100 * Double(sorted.count - 1)).rounded())
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
