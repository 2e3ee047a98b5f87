import ArgumentParser
import Foundation
import NIOPosix
import OrchestratorServer
import OrchestratorServerTestKit

extension RaftHarness {
    /// `raft-harness bench`: starts 3 real nodes (fsync on) and prints `BENCH name value unit` lines.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Starts 3 real nodes (fsync on) and prints BENCH lines.",
            discussion: "Node i listens for Raft on base-port+i and for control on base-port+50+i, on 127.0.0.(i+1).")

        @Option(help: ArgumentHelp("Data and node logs.", valueName: "dir"))
        var dir: String

        @Option(help: ArgumentHelp("First Raft port.", valueName: "port"))
        var basePort = 24100

        @Option(help: ArgumentHelp("Sequential proposals from one client.", valueName: "n"))
        var count = 2000

        @Option(help: ArgumentHelp("Concurrent proposers.", valueName: "n"))
        var clients = 64

        @Option(help: ArgumentHelp("Proposals per concurrent proposer.", valueName: "n"))
        var perClient = 100

        @Option(help: ArgumentHelp("Leader kill -9 trials.", valueName: "n"))
        var trials = 20

        @Option(help: ArgumentHelp("Leadership transfers.", valueName: "n"))
        var transfers = 10

        @OptionGroup(title: "Node timing and logging (passed to each node)")
        var timing: NodeTiming

        @OptionGroup(title: "Mutual TLS: with these, a second group of 3 nodes (Raft ports base+10...) repeats the sequential commits over TLS")
        var tls: NodeTLS

        func validate() throws {
            guard (1...(65535 - 62)).contains(basePort) else { throw ValidationError("--base-port must be within 1...65473, got \(basePort)") }
            for (flag, value) in [("--count", count), ("--clients", clients), ("--per-client", perClient)] where value < 1 {
                throw ValidationError("\(flag) must be at least 1, got \(value)")
            }
            for (flag, value) in [("--trials", trials), ("--transfers", transfers)] where value < 0 {
                throw ValidationError("\(flag) must not be negative, got \(value)")
            }
        }

        func run() async throws {
            let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            // Baseline: what one durable write costs on this disk (a commit waits for the leader's and a follower's, in parallel).
            report("raft_fsync_baseline_p50_ms", try fsyncBaseline(dir: dir), "ms")
            let cluster = HarnessCluster(binary: binary, dir: dir, basePort: basePort, nodeFlags: timing.arguments)
            try cluster.startAll()
            defer { cluster.killAll() }
            guard let (leader, _) = await cluster.waitForLeader() else { throw HarnessError("no leader elected within 30 s") }

            // 1. One client, sequential proposals.
            let single = try await sequentialCommits(cluster, leader: leader, tag: "c")
            report("raft_commit_p50_ms", percentile(single, 50), "ms")
            report("raft_commit_p99_ms", percentile(single, 99), "ms")

            // 1b. The same over mutual TLS, on a second group, against the plain figure of this run.
            if !tls.arguments.isEmpty {
                try FileManager.default.createDirectory(atPath: dir + "/tls-group", withIntermediateDirectories: true)
                let secure = HarnessCluster(binary: binary, dir: dir + "/tls-group", basePort: basePort + 10,
                                            nodeFlags: timing.arguments + tls.arguments)
                try secure.startAll()
                defer { secure.killAll() }
                guard let (tlsLeader, _) = await secure.waitForLeader() else { throw HarnessError("no leader elected over TLS within 30 s") }
                let overTLS = try await sequentialCommits(secure, leader: tlsLeader, tag: "t")
                report("raft_commit_tls_p50_ms", percentile(overTLS, 50), "ms")
                report("raft_commit_tls_p99_ms", percentile(overTLS, 99), "ms")
                report("raft_commit_tls_vs_plain_p50_ratio", percentile(overTLS, 50) / max(percentile(single, 50), 0.001), "x")
                secure.killAll()
            }

            // 2. 64 concurrent proposers, one connection each.
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
            for trial in 0..<trials {
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
            var transferTimes: [Double] = []
            for trial in 0..<transfers {
                guard let (l, _) = await cluster.waitForLeader() else { throw HarnessError("no leader before transfer \(trial)") }
                let target = cluster.id((l + 1 + trial % 2) % cluster.size)
                let t0 = ContinuousClock.now
                guard await cluster.request(l, "transfer \(target)") == "ok" else { throw HarnessError("transfer \(trial) failed") }
                transferTimes.append(ms(ContinuousClock.now - t0))
                try? await Task.sleep(for: .milliseconds(200))
            }
            report("raft_transfer_median_ms", percentile(transferTimes, 50), "ms")
        }

        /// 100 warm-up proposals, then `count` sequential ones from one client: each one's latency in ms.
        private func sequentialCommits(_ cluster: HarnessCluster, leader: Int, tag: String) async throws -> [Double] {
            for i in 0..<100 { _ = await cluster.request(leader, "propose warm-\(tag)\(i)") }
            var latencies: [Double] = []
            for i in 0..<count {
                let t0 = ContinuousClock.now
                guard await cluster.request(leader, "propose \(tag)\(i)") == "ok" else { throw HarnessError("proposal \(tag)\(i) failed") }
                latencies.append(ms(ContinuousClock.now - t0))
            }
            return latencies
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
}

func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
func secs(_ d: Duration) -> Double { ms(d) / 1000 }

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let rank = Int((p / 100 * Double(sorted.count - 1)).rounded())
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
