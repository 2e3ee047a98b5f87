import Foundation
import OrchestratorCore
import Testing

/// The command lines of the built executables (orchd, raft-harness, raft-sim, orchd-bench-discovery),
/// run as processes: what a script or an operator types, and what they get back. No MariaDB needed.
@Suite("Command lines of the executables")
struct CommandLineTests {
    /// ArgumentParser's exit status for a bad command line (EX_USAGE).
    static let usageError: Int32 = 64

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a built executable of this package to completion.
    func run(_ name: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Outcome {
        let binary = try #require(OrchdProcessGroup.executable(name), "\(name) is not built: run `swift build` first")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read before waiting, so a full pipe cannot block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
    }

    // MARK: - orchd

    @Test func orchdPrintsItsVersion() throws {
        let r = try run("orchd", ["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == OrchestratorVersion.current)
    }

    @Test func orchdHelpListsItsFlags() throws {
        let r = try run("orchd", ["--help"])
        #expect(r.status == 0)
        for flag in ["--config <file>", "-c", "--debug", "--version", "--help"] {
            #expect(r.stdout.contains(flag), "orchd --help does not mention \(flag):\n\(r.stdout)")
        }
        #expect(try run("orchd", ["-h"]).stdout == r.stdout)
    }

    @Test func checkConfigPrintsTheKeyTableAndRefusesWhatOrchdCannotDo() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples")
        var environment = ProcessInfo.processInfo.environment
        environment["ORCHD_TOPOLOGY_PASSWORD"] = "topo-secret-1"
        environment["ORCHD_REPLICATION_PASSWORD"] = "repl-secret-2"
        let good = try run("orchd", ["--check-config", examples.appendingPathComponent("orchd-node1.conf.json").path],
                           environment: environment)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("orchd can start with this configuration"))
        #expect(good.stdout.contains("* MySQLTopologyPassword") && good.stdout.contains("********"))
        #expect(!good.stdout.contains("topo-secret-1") && !good.stdout.contains("repl-secret-2"))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("orchd-check-\(getpid()).json")
        try Data(#"{"URLPrefix": "/orc", "GraphiteAddr": "g:2003", "HTTPAuthPassword": "hunter2"}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let bad = try run("orchd", ["--check-config", file.path])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("! URLPrefix") && bad.stdout.contains("refused"))
        #expect(bad.stdout.contains("* GraphiteAddr") && bad.stdout.contains("accepted"))
        #expect(bad.stdout.contains("orchd refuses to start: URLPrefix"))
        #expect(!bad.stdout.contains("hunter2"))
        // Started for real with that file, orchd stops at once with the key, the file and the fix.
        let refused = try run("orchd", ["--config", file.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("key \"URLPrefix\" is not supported: orchd serves its API and web UI at the root path"))
    }

    @Test(arguments: [["--bogus"], ["--config"], ["--debug", "extra"], ["--debug=yes"]])
    func orchdRejectsABadCommandLine(_ arguments: [String]) throws {
        let r = try run("orchd", arguments)
        #expect(r.status == Self.usageError, "orchd \(arguments): \(r.stderr)")
        #expect(r.stderr.contains("Usage: orchd"), "no usage for orchd \(arguments): \(r.stderr)")
    }

    /// Every spelling orchd took before keeps meaning "read this configuration file": each fails on
    /// a file that does not exist, naming it.
    @Test(arguments: [["--config", "FILE"], ["--config=FILE"], ["-config", "FILE"], ["-c", "FILE"], ["--debug", "-c", "FILE"]])
    func orchdReadsTheConfigurationFileItIsGiven(_ spelling: [String]) throws {
        let missing = "/nonexistent-\(UUID().uuidString)/orchestrator.conf.json"
        let r = try run("orchd", spelling.map { $0.replacingOccurrences(of: "FILE", with: missing) })
        #expect(r.status == 1)
        #expect(r.stderr.contains("orchd: ") && r.stderr.contains(missing), "\(spelling): \(r.stderr)")
    }

    @Test("TLS to MySQL with a CA file that cannot be read stops orchd at start-up naming the key and the file")
    func orchdRefusesAnUnreadableMySQLCAFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("orchd-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("no-such-ca.pem").path
        let file = dir.appendingPathComponent("orchestrator.conf.json")
        let json = #"{"BackendDB": "sqlite", "SQLite3DataFile": "\#(dir.path)/orchd.sqlite3", "ListenAddress": "127.0.0.1:0", "#
            + #""MySQLTopologyUseMutualTLS": true, "MySQLTopologySSLCAFile": "\#(missing)"}"#
        try Data(json.utf8).write(to: file)
        let r = try run("orchd", ["--config", file.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("MySQLTopologySSLCAFile \"\(missing)\" cannot be read"), "\(r.stderr)")
    }

    // MARK: - raft-harness

    @Test func raftHarnessHelpListsItsModes() throws {
        let r = try run("raft-harness", ["--help"])
        #expect(r.status == 0)
        for mode in ["node", "bench", "ctl"] { #expect(r.stdout.contains("  \(mode) "), "no \(mode) in:\n\(r.stdout)") }
        let node = try run("raft-harness", ["node", "--help"])
        for flag in ["--id", "--peers", "--data-dir", "--control", "--bind", "--tick-ms", "--election-ticks",
                     "--heartbeat-ticks", "--snapshot-every", "--log-level"] {
            #expect(node.stdout.contains(flag), "raft-harness node --help does not mention \(flag)")
        }
        let bench = try run("raft-harness", ["bench", "--help"])
        for flag in ["--dir", "--base-port", "--count", "--clients", "--per-client", "--trials", "--transfers", "--tick-ms", "--log-level"] {
            #expect(bench.stdout.contains(flag), "raft-harness bench --help does not mention \(flag)")
        }
    }

    @Test func raftHarnessWithoutAModeShowsTheUsage() throws {
        let r = try run("raft-harness", [])
        #expect(r.status == 2)
        #expect(r.stdout.contains("USAGE: raft-harness"))
    }

    static let node = ["node", "--id", "127.0.0.1:1", "--peers", "127.0.0.1:1", "--data-dir", "/nonexistent", "--control", "127.0.0.1:2"]

    @Test(arguments: [
        (node + ["--tick-ms", "fast"], "--tick-ms"),
        (node + ["--snapshot-every", "-5"], "--snapshot-every"),
        (node + ["--heartbeat-ticks", "9"], "--heartbeat-ticks"),
        (node + ["--log-level", "loud"], "--log-level"),
        (node + ["--bogus", "1"], "--bogus"),
        (["node", "--id", "127.0.0.1:1", "--peers", "127.0.0.1:1", "--data-dir", "/nonexistent"], "--control"),
        (["node", "--id", "127.0.0.1:x", "--peers", "127.0.0.1:1", "--data-dir", "/nonexistent", "--control", "127.0.0.1:2"], "--id"),
        (["bench", "--dir", "/nonexistent", "--count", "many"], "--count"),
        (["bench", "--dir", "/nonexistent", "--trials", "-1"], "--trials"),
        (["ctl", "--control", "127.0.0.1:2"], "COMMAND"),
        (["ctl", "--control", "nowhere:port", "status"], "--control"),
        (["serve"], "serve"),
    ])
    func raftHarnessRejectsBadFlags(_ arguments: [String], _ named: String) throws {
        let r = try run("raft-harness", arguments)
        #expect(r.status == Self.usageError, "raft-harness \(arguments): \(r.stderr)")
        #expect(r.stderr.contains(named) && r.stderr.contains("Usage: raft-harness"), "raft-harness \(arguments): \(r.stderr)")
    }

    // MARK: - raft-sim

    @Test(arguments: [(["--seeds", "many"], "--seeds"), (["--workers", "0"], "--workers"), (["--nodes"], "--nodes"),
                      (["--bogus"], "--bogus")])
    func raftSimRejectsBadFlags(_ arguments: [String], _ named: String) throws {
        let r = try run("raft-sim", arguments)
        #expect(r.status == Self.usageError, "raft-sim \(arguments): \(r.stderr)")
        #expect(r.stderr.contains(named) && r.stderr.contains("Usage: raft-sim"), "raft-sim \(arguments): \(r.stderr)")
    }

    @Test func raftSimRunsTheSeedsItIsGiven() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["SEED"] = nil
        let r = try run("raft-sim", ["--seeds", "2", "--first", "7", "--events", "200", "--workers", "1", "--nodes", "3"],
                        environment: environment)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("raft-sim: 2 runs x 200 events, seeds 7..<9, 1 workers: OK"), "\(r.stdout)")

        environment["SEED"] = "seven"
        let bad = try run("raft-sim", ["--seeds", "2"], environment: environment)
        #expect(bad.status == Self.usageError)
        #expect(bad.stderr.contains("SEED=seven"))
    }

    // MARK: - orchd-bench-discovery

    /// It used to take a bad `--runs` for the default (20) and go on.
    @Test(arguments: [
        (["--seed-port", "3306", "--runs", "ten"], "--runs"),
        (["--seed-port", "3306", "--runs", "0"], "--runs"),
        (["--seed-port", "3306", "--expect", "four"], "--expect"),
        (["--seed-port", "port"], "--seed-port"),
        (["--runs", "5"], "--seed-port"),
        (["--seed-port", "3306", "--bogus"], "--bogus"),
    ])
    func benchDiscoveryRejectsBadFlags(_ arguments: [String], _ named: String) throws {
        let r = try run("orchd-bench-discovery", arguments)
        #expect(r.status == Self.usageError, "orchd-bench-discovery \(arguments): \(r.stderr)")
        #expect(r.stderr.contains(named) && r.stderr.contains("Usage: orchd-bench-discovery"), "\(arguments): \(r.stderr)")
    }
}
