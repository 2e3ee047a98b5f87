import Foundation
import Testing
import OrchestratorTestKit
import Synchronization

/// Port blocks for groups running at the same time (suites run in parallel).
private let nextPortBlock = Mutex(0)

/// Three real `orchd` processes on 127.0.0.1-3 (API ports 25001+, Raft 25011+, a block of 20 ports per
/// group) with their
/// own SQLite backends, configured like production nodes, plus the real `orchestrator-client`.
final class OrchdProcessGroup: @unchecked Sendable {
    static let size = 3
    let orchd: String
    let client: String
    let dir: String
    let portBase: Int
    private var processes: [Int: Process] = [:]
    /// Configuration keys that replace or add to the defaults below (e.g. recovery filters).
    let overrides: [String: Any]
    /// Keys that differ per node (e.g. each node its own store), applied after `overrides`.
    let nodeOverrides: [Int: [String: Any]]
    /// With a cgroup v2 directory, node `i` runs in its own child cgroup `<dir>-<i>` (so nftables can
    /// match its sockets); the directories are removed by `killAll`.
    let cgroupBase: String?
    /// With TLS, the API is HTTPS (`UseSSL`; `.mutual` adds `UseMutualTLS`), with certificates from
    /// `certificates`, and `clientEnvironment` trusts the group's CA (and presents the client certificate).
    let tls: TLS?
    let certificates: GroupCertificates?

    enum TLS { case oneWay, mutual }

    /// A built executable of this package: next to the test bundle, or in ./.build/debug.
    static func executable(_ name: String) -> String? {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var candidates: [String] = []
        var d = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(d.appendingPathComponent(name).path)
            d = d.deletingLastPathComponent()
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/.build/debug/" + name)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// With `faultyRaftLinks`, every node's Raft traffic to a node goes through that node's
    /// ``FaultyLink`` (peers dial its RaftAdvertise, the proxy; it forwards to the RaftBind).
    init(name: String, overrides: [String: Any] = [:], nodeOverrides: [Int: [String: Any]] = [:],
         cgroupBase: String? = nil, tls: TLS? = nil, faultyRaftLinks: Bool = false) throws {
        self.nodeOverrides = nodeOverrides
        self.cgroupBase = cgroupBase
        self.tls = tls
        guard let orchd = Self.executable("orchd"), let client = Self.executable("orchestrator-client") else {
            throw GroupError("orchd / orchestrator-client not built: run `swift build` first")
        }
        self.orchd = orchd
        self.client = client
        // ORCHD_TEST_ORCHD_PORTS moves the first block (default 25000), so two test runs can coexist.
        let first = Int(ProcessInfo.processInfo.environment["ORCHD_TEST_ORCHD_PORTS"] ?? "") ?? 25000
        portBase = first + 20 * nextPortBlock.withLock { block in
            defer { block += 1 }
            return block
        }
        let base = ProcessInfo.processInfo.environment["ORCHD_TEST_DIR"] ?? NSTemporaryDirectory()
        dir = (base as NSString).appendingPathComponent("orchd-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if faultyRaftLinks {
            for i in 0..<Self.size {
                raftLinks.append(try FaultyLink(listen: "127.0.0.\(i + 1)", port: portBase + 14 + i,
                                                target: "127.0.0.\(i + 1)", targetPort: portBase + 11 + i, directory: dir))
            }
        }
        var overrides = overrides
        var environment: [String: String] = [:]
        if let tls {
            let certificates = try GroupCertificates.make(in: dir + "/tls")
            self.certificates = certificates
            overrides = [
                "UseSSL": true, "SSLCertFile": certificates.nodeCertificate, "SSLPrivateKeyFile": certificates.nodeKey,
                "SSLCAFile": certificates.caFile, "UseMutualTLS": tls == .mutual,
            ].merging(overrides) { _, given in given }
            environment["ORCHESTRATOR_CA_FILE"] = certificates.caFile
            if tls == .mutual {
                environment["ORCHESTRATOR_CLIENT_CERT"] = certificates.clientCertificate
                environment["ORCHESTRATOR_CLIENT_KEY"] = certificates.clientKey
            }
        } else {
            certificates = nil
        }
        self.overrides = overrides
        clientEnvironment = environment
        for i in 0..<Self.size { try writeConfig(i) }
    }

    deinit { killAll() }

    /// Node `i`'s Raft id (its RaftAdvertise): with faulty links, the address of its link's proxy.
    func raftID(_ i: Int) -> String { "127.0.0.\(i + 1):\(portBase + (raftLinks.isEmpty ? 11 : 14) + i)" }
    /// Where node `i`'s Raft listens (RaftBind).
    func raftBind(_ i: Int) -> String { "127.0.0.\(i + 1):\(portBase + 11 + i)" }
    func api(_ i: Int) -> String { "\(tls == nil ? "http" : "https")://127.0.0.\(i + 1):\(portBase + 1 + i)" }
    var allAPIs: String { (0..<Self.size).map(api).joined(separator: " ") }
    /// Lines the recovery hooks of every node appended.
    var hookLog: [String] {
        ((try? String(contentsOfFile: "\(dir)/hooks.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func database(_ i: Int) -> String { "\(dir)/node\(i)/orchestrator.sqlite3" }
    func index(ofRaftID id: String) -> Int? { (0..<Self.size).first { raftID($0) == id } }

    /// Rewrites node `i`'s configuration file with `extra` over the group's overrides (a later
    /// reload-configuration or SIGHUP reads it).
    func rewriteConfig(_ i: Int, extra: [String: Any]) throws { try writeConfig(i, extra: extra) }

    /// Sends `sig` to node `i`'s process.
    func signal(_ i: Int, _ sig: Int32) {
        if let p = processes[i] { kill(p.processIdentifier, sig) }
    }

    func log(_ i: Int) -> String {
        (try? String(contentsOfFile: "\(dir)/node\(i)/orchd.log", encoding: .utf8)) ?? ""
    }

    private func writeConfig(_ i: Int, extra: [String: Any] = [:]) throws {
        try FileManager.default.createDirectory(atPath: "\(dir)/node\(i)", withIntermediateDirectories: true)
        let config: [String: Any] = [
            "ListenAddress": "127.0.0.\(i + 1):\(portBase + 1 + i)",
            "HTTPAdvertise": api(i),
            "MySQLTopologyUser": MariaDBSandbox.topologyUser,
            "MySQLTopologyPassword": "${ORCHD_TEST_TOPOLOGY_PASSWORD}",
            "MySQLConnectTimeoutSeconds": 1,
            "BackendDB": "sqlite",
            "SQLite3DataFile": database(i),
            "RaftEnabled": true,
            "RaftDataDir": "\(dir)/node\(i)/raft",
            "RaftBind": raftBind(i),
            "RaftAdvertise": raftID(i),
            "RaftNodes": (0..<Self.size).map(raftID),
            "RaftSnapshotThreshold": 5,
            "InstancePollSeconds": 1,
            "DiscoverByShowSlaveHosts": true,
            "DetectClusterAliasQuery": MariaDBSandbox.clusterAliasQuery,
            "RecoverMasterClusterFilters": ["*"],
            "RecoverIntermediateMasterClusterFilters": ["*"],
            "RecoveryPeriodBlockSeconds": 3600,
            "MySQLReplicationUser": "orc_repl",
            "MySQLReplicationPassword": "orc_repl_pw",
            "OnFailureDetectionProcesses": ["echo detected {failureType} {failedHost}:{failedPort} >> \(dir)/hooks.log"],
            "PostMasterFailoverProcesses": [
                "echo promoted {failedHost}:{failedPort} {successorHost}:{successorPort} $ORC_FAILURE_CLUSTER_ALIAS >> \(dir)/hooks.log",
            ],
        ]
        let merged = config.merging(overrides) { _, new in new }.merging(nodeOverrides[i] ?? [:]) { _, new in new }
            .merging(extra) { _, new in new }
        let data = try JSONSerialization.data(withJSONObject: merged, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: "\(dir)/node\(i)/orchestrator.conf.json"))
    }

    func start(_ i: Int) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: orchd)
        p.arguments = ["--config", "\(dir)/node\(i)/orchestrator.conf.json"]
        if let cgroup = cgroup(i) {
            // Join the cgroup before exec, so every socket orchd opens belongs to it.
            try FileManager.default.createDirectory(atPath: cgroup, withIntermediateDirectories: true)
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", cgroup, orchd] + (p.arguments ?? [])
        }
        var env = ProcessInfo.processInfo.environment
        env["ORCHD_TEST_TOPOLOGY_PASSWORD"] = MariaDBSandbox.topologyPassword
        p.environment = env
        if let extra = nodeEnvironment[i], !extra.isEmpty {
            // Through env(1), so only orchd gets them (e.g. LD_PRELOAD, not the cgroup shell). Under
            // LD_PRELOAD=libfaketime 0.9.10 a Swift program sees no arguments at all, so orchd finds its
            // configuration as upstream's search does: ./orchestrator.conf.json in its working directory.
            var command = [p.executableURL?.path ?? orchd] + (p.arguments ?? [])
            if command.suffix(2) == ["--config", "\(dir)/node\(i)/orchestrator.conf.json"] { command.removeLast(2) }
            p.currentDirectoryURL = URL(fileURLWithPath: "\(dir)/node\(i)")
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = extra.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + command
        }
        let logPath = "\(dir)/node\(i)/orchd.log"
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        p.standardOutput = log
        p.standardError = log
        p.standardInput = FileHandle.nullDevice
        try p.run()
        processes[i] = p
    }

    func startAll() throws { for i in 0..<Self.size { try start(i) } }

    func kill9(_ i: Int) {
        guard let p = processes[i] else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        processes[i] = nil
    }

    /// The proxies in front of each node's Raft port (empty unless `faultyRaftLinks`).
    private(set) var raftLinks: [FaultyLink] = []

    func killAll() {
        for i in Array(processes.keys) { kill9(i) }
        for link in raftLinks { link.stop() }
        for i in 0..<Self.size { if let cgroup = cgroup(i) { rmdir(cgroup) } }
    }

    /// Node `i`'s cgroup directory, when the group runs its nodes in cgroups.
    func cgroup(_ i: Int) -> String? { cgroupBase.map { "\($0)-\(i)" } }
    /// Node `i`'s process id while it runs.
    func pid(_ i: Int) -> Int32? { processes[i]?.processIdentifier }

    /// Extra environment for node `i`'s process (e.g. libfaketime's), read by `start`.
    var nodeEnvironment: [Int: [String: String]] = [:]

    /// Environment every `cli` call gets (e.g. `ORCHESTRATOR_AUTH_USER`/`PASSWORD`).
    var clientEnvironment: [String: String] = [:]

    /// Runs orchestrator-client with `ORCHESTRATOR_API` = `apis`, `clientEnvironment` and `environment`.
    func cli(_ arguments: [String], apis: String? = nil, environment: [String: String] = [:]) throws
        -> (status: Int32, out: String, err: String) {
        var env = clientEnvironment.merging(environment) { _, new in new }
        env["ORCHESTRATOR_API"] = apis ?? allAPIs
        return try run(client, arguments, environment: env)
    }

    /// Runs sqlite3 on node `i`'s backend.
    func sqlite(_ i: Int, _ sql: String) throws -> String {
        try run("/usr/bin/sqlite3", [database(i), sql], environment: [:]).1
    }

    private func run(_ path: String, _ arguments: [String], environment: [String: String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in ["ORCHESTRATOR_AUTH_USER", "ORCHESTRATOR_AUTH_PASSWORD", "ORCHESTRATOR_AUTH_USER_HEADER",
                    "ORCHESTRATOR_CA_FILE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "ORCHESTRATOR_CLIENT_CERT",
                    "ORCHESTRATOR_CLIENT_KEY"] {
            env[key] = nil
        }
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let outPath = "\(dir)/cmd-\(UUID().uuidString).out"
        let errPath = outPath + ".err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (p.terminationStatus, out.trimmingCharacters(in: .whitespacesAndNewlines), err)
    }

    /// The leader's raft id as the CLI reports it, when all answering nodes agree.
    func leader() -> String? {
        guard let r = try? cli(["-c", "raft-leader"]), r.status == 0, !r.out.isEmpty else { return nil }
        return r.out
    }

    /// The API of the node that leads now (nil while none does). Tests that read or act on the leader's
    /// own records ask whoever leads at that moment: on a loaded machine an election can move leadership.
    func leaderAPI() -> String? { leader().flatMap(index(ofRaftID:)).map(api) }

    /// Polls until `condition` holds (a hang guard, not a timing check).
    func eventually(seconds: Double = 30, _ condition: () throws -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return true }
            usleep(100_000)
        }
        return (try? condition()) == true
    }
}

extension OrchdProcessGroup {
    /// Starts every node, waits for a leader, discovers `sandbox` through its instance `through`, and
    /// waits until every node lists the cluster `alias` with `instances` members (each step an expectation).
    func startDiscovering(_ sandbox: MariaDBSandbox, through: Int, alias: String, instances: Int) throws {
        try startAll()
        #expect(eventually { leader() != nil }, "a leader is elected")
        #expect(eventually { try cli(["-c", "discover", "-i", "127.0.0.1:\(sandbox.port(through))"]).status == 0 })
        for i in 0..<Self.size {
            #expect(eventually {
                try cli(["-c", "which-cluster-instances", "-a", alias], apis: api(i)).out.split(separator: "\n").count == instances
            }, "node \(i) sees the sandbox")
        }
    }
}

struct GroupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
