// Discovers a running sandbox topology N times, each time with a fresh SQLite store and fresh
// connections, and prints BENCH lines. Run through Scripts/bench-discovery.
import ArgumentParser
import Foundation
import OrchestratorCore
import OrchestratorServer

@main
struct BenchDiscovery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orchd-bench-discovery",
        abstract: "Discovers a running sandbox topology repeatedly and prints BENCH lines.",
        discussion: "The topology user's password comes from ORCHD_SANDBOX_TOPOLOGY_PASSWORD (default orc_topology_pw).")

    @Option(help: ArgumentHelp("Port of the instance on 127.0.0.1 to discover from.", valueName: "port"))
    var seedPort: Int

    @Option(name: .customLong("expect"), help: ArgumentHelp("Instances the topology must have.", valueName: "n"))
    var expected = 4

    @Option(help: ArgumentHelp("Discoveries, each with a fresh store and fresh connections.", valueName: "n"))
    var runs = 20

    @Option(help: ArgumentHelp("MySQL topology user.", valueName: "name"))
    var user = "orc_topology"

    @Option(help: ArgumentHelp("Directory for the SQLite stores (default: the temporary directory).", valueName: "dir"))
    var workDir = NSTemporaryDirectory()

    var password: String { ProcessInfo.processInfo.environment["ORCHD_SANDBOX_TOPOLOGY_PASSWORD"] ?? "orc_topology_pw" }

    func validate() throws {
        guard (1...65535).contains(seedPort) else { throw ValidationError("--seed-port must be a port (1...65535), got \(seedPort)") }
        guard expected >= 1 else { throw ValidationError("--expect must be at least 1, got \(expected)") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1, got \(runs)") }
    }

    func run() async throws {
        var settings = DiscoverySettings(mysql: MySQLClientConfig(user: user, password: password))
        settings.detectClusterAliasQuery = "SELECT cluster_name FROM meta.cluster WHERE anchor = 1"
        let seed = InstanceKey(hostname: "127.0.0.1", port: seedPort)

        var fullTopology: [Double] = []
        var probes: [Double] = []
        var warmPolls: [Double] = []
        var warmProbes: [Double] = []
        let clock = ContinuousClock()

        for run in 1...runs {
            let path = workDir + "/bench-discovery-\(run).sqlite"
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let store = InstanceStore(database: try BackendDatabase(path: path))
            let pool = MySQLConnectionPool(config: settings.mysql)
            let discovery = Discovery(settings: settings, prober: MySQLTopologyProber(pool: pool, settings: settings), store: store)

            let start = clock.now
            _ = try await discovery.discover(seed)
            fullTopology.append(milliseconds(clock.now - start))

            let instances = await discovery.instances()
            guard instances.count == expected, instances.allSatisfy(\.isLastCheckValid) else {
                FileHandle.standardError.write(Data("run \(run): found \(instances.count) valid instances, expected \(expected)\n".utf8))
                throw ExitCode.failure
            }
            probes += instances.map { Double($0.lastDiscoveryLatencyNanoseconds) / 1e6 }

            // A poll over the known topology with pooled connections (the steady state).
            let pollStart = clock.now
            let results = await discovery.pollOnce()
            warmPolls.append(milliseconds(clock.now - pollStart))
            warmProbes += results.map { Double($0.latencyNanoseconds) / 1e6 }

            await pool.shutdown()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }

        print("runs \(runs), topology of \(expected), seed 127.0.0.1:\(seedPort) (deepest replica)")
        print("BENCH poll_full_topology_warm_median_ms \(format(median(warmPolls))) ms")
        print("BENCH probe_warm_median_ms \(format(median(warmProbes))) ms")
        print("BENCH discovery_full_topology_median_ms \(format(median(fullTopology))) ms")
        print("BENCH discovery_full_topology_p99_ms \(format(percentile(fullTopology, 99))) ms")
        print("BENCH probe_median_ms \(format(median(probes))) ms")
        print("BENCH probe_p99_ms \(format(percentile(probes, 99))) ms")
    }
}

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[min(max(rank, 1), sorted.count) - 1]
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func format(_ v: Double) -> String { String(format: "%.2f", v) }
