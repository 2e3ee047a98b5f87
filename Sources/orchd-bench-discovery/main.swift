// Discovers a running sandbox topology N times, each time with a fresh SQLite store and fresh
// connections, and prints BENCH lines. Run through Scripts/bench-discovery.
import Foundation
import OrchestratorCore
import OrchestratorServer

struct Options {
    var seedPort = 0
    var expected = 4
    var runs = 20
    var user = "orc_topology"
    var password = ProcessInfo.processInfo.environment["ORCHD_SANDBOX_TOPOLOGY_PASSWORD"] ?? "orc_topology_pw"
    var workDir = NSTemporaryDirectory()
}

func parse() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst().makeIterator()
    while let arg = args.next() {
        switch arg {
        case "--seed-port": o.seedPort = Int(args.next() ?? "") ?? 0
        case "--expect": o.expected = Int(args.next() ?? "") ?? 4
        case "--runs": o.runs = Int(args.next() ?? "") ?? 20
        case "--user": o.user = args.next() ?? o.user
        case "--work-dir": o.workDir = args.next() ?? o.workDir
        default:
            FileHandle.standardError.write(Data("orchd-bench-discovery: unknown option \(arg)\n".utf8))
            exit(2)
        }
    }
    guard o.seedPort > 0 else {
        FileHandle.standardError.write(Data("usage: orchd-bench-discovery --seed-port P [--expect N] [--runs N]\n".utf8))
        exit(2)
    }
    return o
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

let options = parse()
var settings = DiscoverySettings(mysql: MySQLClientConfig(user: options.user, password: options.password))
settings.detectClusterAliasQuery = "SELECT cluster_name FROM meta.cluster WHERE anchor = 1"
let seed = InstanceKey(hostname: "127.0.0.1", port: options.seedPort)

var fullTopology: [Double] = []
var probes: [Double] = []
var warmPolls: [Double] = []
var warmProbes: [Double] = []
let clock = ContinuousClock()

for run in 1...options.runs {
    let path = options.workDir + "/bench-discovery-\(run).sqlite"
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    let store = InstanceStore(database: try BackendDatabase(path: path))
    let pool = MySQLConnectionPool(config: settings.mysql)
    let discovery = Discovery(settings: settings, prober: MySQLTopologyProber(pool: pool, settings: settings), store: store)

    let start = clock.now
    _ = try await discovery.discover(seed)
    fullTopology.append(milliseconds(clock.now - start))

    let instances = await discovery.instances()
    guard instances.count == options.expected, instances.allSatisfy(\.isLastCheckValid) else {
        FileHandle.standardError.write(Data("run \(run): found \(instances.count) valid instances, expected \(options.expected)\n".utf8))
        exit(1)
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

print("runs \(options.runs), topology of \(options.expected), seed 127.0.0.1:\(options.seedPort) (deepest replica)")
print("BENCH poll_full_topology_warm_median_ms \(format(median(warmPolls))) ms")
print("BENCH probe_warm_median_ms \(format(median(warmProbes))) ms")
print("BENCH discovery_full_topology_median_ms \(format(median(fullTopology))) ms")
print("BENCH discovery_full_topology_p99_ms \(format(percentile(fullTopology, 99))) ms")
print("BENCH probe_median_ms \(format(median(probes))) ms")
print("BENCH probe_p99_ms \(format(percentile(probes, 99))) ms")
