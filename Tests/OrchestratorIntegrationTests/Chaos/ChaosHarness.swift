import Foundation
import Testing
import OrchestratorTestKit

/// Faults for real processes, reused by the chaos scenarios: kill -9 of an orchd node, SIGSTOP /
/// SIGCONT, and partitions of one node's sockets (nftables + cgroups, as `LeaderIsolation`).
extension OrchdProcessGroup {
    /// The index of the node that leads now.
    func leaderIndex() -> Int? { leader().flatMap(index(ofRaftID:)) }

    /// Freezes node `i` (SIGSTOP): it keeps its sockets and its belief that it leads.
    func freeze(_ i: Int) { signal(i, SIGSTOP) }

    /// Resumes a frozen node (SIGCONT).
    func thaw(_ i: Int) { signal(i, SIGCONT) }
}

extension LeaderIsolation {
    /// Drops every packet node `cgroup`'s processes send to any of `ports` on 127.0.0.1 (a one-way
    /// cut from that node to those servers: e.g. an orchd follower that cannot reach the master).
    func cut(cgroup: String, fromPorts ports: [Int]) throws {
        let relative = String(cgroup.dropFirst("/sys/fs/cgroup/".count))
        let level = Self.cgroup2Mount.map { cgroup.dropFirst($0.count + 1).split(separator: "/").count } ?? 1
        try apply("""
            table inet \(table) {
                chain out {
                    type filter hook output priority 0; policy accept;
                    socket cgroupv2 level \(level) "\(relative)" tcp dport { \(ports.map(String.init).joined(separator: ", ")) } drop
                }
            }
            """)
    }
}

/// One invariant's outcome.
struct InvariantResult: Sendable, CustomStringConvertible {
    var name: String
    var held: Bool
    var detail: String
    init(name: String, held: Bool, _ detail: String) {
        self.name = name
        self.held = held
        self.detail = detail
    }
    var description: String { "[\(held ? "held" : "BROKEN")] \(name): \(detail)" }
}

/// The invariants every chaos scenario ends with, checked by one checker:
/// - at most one writable master per cluster at any sampled instant (``WritableSampler``, every 10 ms);
/// - every recovery that started is resolved on every running node within `bound` seconds;
/// - every running node's recovery audit agrees (same recoveries, same outcomes);
/// - no acknowledged write lost (``InsertLoop``'s acknowledgements against the final master);
/// - the topology orchd reports matches MySQL (the master, and each replica's source).
/// Each result is also an expectation, and the scenario's line goes to `ORCHD_GAMEDAY_REPORT` when set
/// (`Scripts/game-day` reads it).
struct ChaosChecker {
    let group: OrchdProcessGroup
    /// Nodes running (not killed) at the end.
    var runningNodes: [Int] = Array(0..<OrchdProcessGroup.size)
    /// Seconds allowed for the cluster to settle (recoveries resolved, audits agreeing, topology truthful).
    var bound: Double = 60

    struct Cluster {
        var sandbox: MariaDBSandbox
        var sampler: WritableSampler
        var loop: InsertLoop?
        var table = "app.writes"
        /// Instances (1-based) deliberately left dead, not expected in the topology.
        var dead: Set<Int> = []
    }

    /// Checks every invariant over `clusters`, records them as expectations and in the game-day report.
    @discardableResult
    func finish(scenario: String, clusters: [Cluster], rtoMillis: Double?, sourceLocation: SourceLocation = #_sourceLocation)
        async -> [InvariantResult] {
        var results: [InvariantResult] = []
        var lostAcked = 0
        for cluster in clusters {
            cluster.loop?.stop()
            await cluster.sampler.stop()
        }
        for cluster in clusters {
            let name = cluster.sandbox.alias
            let violations = cluster.sampler.violations
            let alone = Set(cluster.sampler.samples.flatMap(\.alone))
            results.append(InvariantResult(
                name: "\(name): at most one writable master", held: violations.isEmpty,
                "\(cluster.sampler.samples.count) samples; "
                    + (violations.isEmpty ? "never two" : "two or more at \(violations.prefix(3).map { "\(Int($0.at)) ms: \($0.masters)" })")
                    + (alone.isEmpty ? "" : "; writable alone (nothing attached): \(alone.sorted())")))
            // The final master: the one writable master now, as MySQL says.
            let live = (1...cluster.sandbox.count).filter { !cluster.dead.contains($0) }
            let writable = await cluster.sandbox.writable(live)
            if let loop = cluster.loop {
                let acked = loop.acknowledged
                if writable.count == 1, let ids = try? await cluster.sandbox.ids(writable[0], table: cluster.table) {
                    let missing = acked.filter { !ids.contains($0.id) }
                    lostAcked += missing.count
                    results.append(InvariantResult(
                        name: "\(name): no acknowledged write lost", held: missing.isEmpty,
                        missing.isEmpty ? "all \(acked.count) acknowledged writes are on instance \(writable[0])"
                            : "\(missing.count) of \(acked.count) missing: \(missing.prefix(10).map(\.id))"))
                } else {
                    results.append(InvariantResult(name: "\(name): no acknowledged write lost", held: false,
                                                   "cannot tell: writable instances now \(writable)"))
                }
            }
            results.append(await topologyMatches(cluster, live: live))
        }
        results.append(contentsOf: recoveriesResolvedAndAgreeing())
        for result in results { #expect(result.held, "\(scenario): \(result)", sourceLocation: sourceLocation) }
        ChaosReport.append(scenario: scenario, rtoMillis: rtoMillis, invariants: results, lostAckedWrites: lostAcked)
        return results
    }

    /// orchd's master of the cluster is the writable one, and each live replica's source is the one orchd names.
    private func topologyMatches(_ cluster: Cluster, live: [Int]) async -> InvariantResult {
        let sandbox = cluster.sandbox
        var problems: [String] = []
        let deadline = Date().addingTimeInterval(bound)
        repeat {
            problems = []
            let reported = (try? group.cli(["-c", "which-cluster-master", "-a", sandbox.alias]).out) ?? ""
            let writable = await sandbox.writable(live)
            if writable.count != 1 || reported != "127.0.0.1:\(sandbox.port(writable[0]))" {
                problems.append("orchd says master \(reported.isEmpty ? "none" : reported); MySQL writable: \(writable.map(sandbox.port))")
            }
            for n in live where !writable.contains(n) {
                let mysql = await sandbox.replicationSource(n)
                let orchd = (try? group.cli(["-c", "which-master", "-i", "127.0.0.1:\(sandbox.port(n))"]).out) ?? ""
                let expected = mysql.port.map { "127.0.0.1:\($0)" } ?? ""
                if !mysql.running || orchd != expected {
                    problems.append("instance \(n): MySQL replicates from \(expected.isEmpty ? "nothing" : expected) "
                        + "(\(mysql.running ? "running" : "not running")), orchd says \(orchd.isEmpty ? "nothing" : orchd)")
                }
            }
            if problems.isEmpty { break }
            usleep(500_000)
        } while Date() < deadline
        return InvariantResult(name: "\(sandbox.alias): orchd's topology matches MySQL", held: problems.isEmpty,
                               problems.isEmpty ? "master and \(live.count - 1) replicas agree" : problems.joined(separator: "; "))
    }

    /// Every running node: no recovery still active, and the same recoveries with the same outcomes.
    private func recoveriesResolvedAndAgreeing() -> [InvariantResult] {
        var views: [Int: [String]] = [:]
        var active: [String] = []
        let settled = group.eventually(seconds: bound) {
            views = [:]
            active = []
            for i in runningNodes {
                let out = try group.cli(["-c", "api", "-P", "audit-recovery"], apis: group.api(i)).out
                guard let all = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] else { return false }
                views[i] = all.map { "\($0["UID"] as? String ?? "?") active=\($0["IsActive"] as? Bool ?? false) ok=\($0["IsSuccessful"] as? Bool ?? false)" }.sorted()
                active += all.filter { $0["IsActive"] as? Bool == true }.map { "node \(i): \($0["UID"] as? String ?? "?")" }
            }
            return active.isEmpty && Set(views.values.map { $0.joined(separator: ",") }).count == 1
        }
        let agree = Set(views.values.map { $0.joined(separator: ",") }).count == 1
        return [
            InvariantResult(name: "every recovery resolved on every node within \(Int(bound)) s", held: settled || active.isEmpty,
                            active.isEmpty ? "\(views.values.first?.count ?? 0) recoveries, none active" : "still active: \(active)"),
            InvariantResult(name: "every node's audit agrees", held: agree && views.count == runningNodes.count,
                            agree ? "\(views.count) nodes: \(views.values.first ?? [])" : "\(views.sorted { $0.key < $1.key })"),
        ]
    }
}

/// The game-day report: one JSON line per scenario in `ORCHD_GAMEDAY_REPORT` (when set).
enum ChaosReport {
    static func append(scenario: String, rtoMillis: Double?, invariants: [InvariantResult], lostAckedWrites: Int) {
        guard let path = ProcessInfo.processInfo.environment["ORCHD_GAMEDAY_REPORT"], !path.isEmpty else { return }
        var line: [String: Any] = [
            "scenario": scenario,
            "invariants": invariants.map { ["name": $0.name, "held": $0.held, "detail": $0.detail] },
            "broken": invariants.filter { !$0.held }.count,
            "lostAckedWrites": lostAckedWrites,
        ]
        if let rtoMillis { line["rtoMillis"] = Int(rtoMillis.rounded()) }
        guard let data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) else { return }
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        handle.seekToEndOfFile()
        handle.write(data + Data("\n".utf8))
        try? handle.close()
    }
}

extension MariaDBSandbox {
    /// What a scenario watches on this cluster's first `servers` instances: `app.writes` created on the
    /// master, a sampler of which servers are writable, and a loop of acknowledged inserts, both running.
    func startWrites(servers: Int) async throws -> (WritableSampler, InsertLoop) {
        _ = try await sql(1, "CREATE TABLE app.writes (id BIGINT PRIMARY KEY)")
        let ports = (1...servers).map(port)
        return (WritableSampler(ports: ports), InsertLoop(ports: ports))
    }

    /// The instances among `instances` that answer `read_only = 0`.
    func writable(_ instances: [Int]) async -> [Int] {
        var writable: [Int] = []
        for n in instances {
            if await readOnly(n) == "0" { writable.append(n) }
        }
        return writable
    }
}
