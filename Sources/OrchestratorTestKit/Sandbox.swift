import Dispatch
import Foundation

/// A MariaDB replication sandbox for tests, driven through `Scripts/sandbox`.
///
/// Each sandbox gets a free block of ports in 23000-23999 and a directory under `$ORCHD_TEST_DIR`
/// (or the system temp dir) named `sandbox-*`, which `Scripts/test` tears down on exit even when a
/// test crashed. Call ``down()`` (e.g. with `defer`) to stop it earlier.
public final class MariaDBSandbox: Sendable {
    /// The sandbox's topology user (the script's default).
    public static let topologyUser = "orc_topology"
    public static let topologyPassword = "orc_topology_pw"
    /// The query that reads the alias the sandbox stores in `meta.cluster` (for `DetectClusterAliasQuery`).
    public static let clusterAliasQuery = "SELECT cluster_name FROM meta.cluster WHERE anchor = 1"
    /// The query that reads the domain stored next to it (for `DetectClusterDomainQuery`).
    public static let clusterDomainQuery = "SELECT cluster_domain FROM meta.cluster WHERE anchor = 1"

    public let directory: String
    public let basePort: Int
    public let count: Int
    public let alias: String
    /// True when made with `--tls`: TCP clients must use TLS (see ``tlsDirectory``).
    public let tls: Bool

    private init(directory: String, basePort: Int, count: Int, alias: String, tls: Bool) {
        self.directory = directory
        self.basePort = basePort
        self.count = count
        self.alias = alias
        self.tls = tls
    }

    /// Where a `--tls` sandbox keeps its throwaway CA and certificates: `ca.pem`, `server-cert.pem`,
    /// `server-key.pem`, `client-cert.pem`, `client-key.pem`.
    public var tlsDirectory: String { directory + "/tls" }

    /// True when `ORCHD_SKIP_INTEGRATION=1`: integration tests should not run.
    public static var integrationSkipped: Bool {
        ProcessInfo.processInfo.environment["ORCHD_SKIP_INTEGRATION"] == "1"
    }

    /// Starts a sandbox (`tree`, `star:N`, `chain:N`) and waits until every replica replicates. With
    /// `tls`, every server requires TLS (`require_secure_transport=ON`) and replication uses it too.
    /// With `fleetSized`, every mariadbd gets `Scripts/fleet-mariadbd.cnf` (smaller caches and fewer
    /// threads: for tests that run many sandboxes at once).
    public static func up(
        topology: String = "tree",
        alias: String? = nil,
        semiSync: Bool = false,
        tls: Bool = false,
        fleetSized: Bool = false
    ) async throws -> MariaDBSandbox {
        let count = try instanceCount(topology)
        var lastError: (any Error)?
        // A port block may be taken by something else on the machine (ports in the ephemeral range are
        // also those of outgoing connections): try the next one.
        for _ in 0..<8 {
            let basePort = PortBlocks.next(size: count)
            let directory = testDirectory + "/sandbox-\(basePort)"
            let name = alias ?? "sandbox-\(basePort)"
            var arguments = ["--dir", directory, "--base-port", String(basePort), "--topology", topology, "--alias", name]
            if semiSync { arguments.append("--semi-sync") }
            if tls { arguments.append("--tls") }
            if fleetSized { arguments += ["--extra-cnf", fleetConfigurationPath] }
            do {
                _ = try await runScript(arguments + ["up"])
                return MariaDBSandbox(directory: directory, basePort: basePort, count: count, alias: name, tls: tls)
            } catch let error as SandboxError
                where error.output.contains("is in use") || error.output.contains("Address already in use")
            {
                // Taken between the script's check and mariadbd's bind (e.g. by an outgoing connection's
                // ephemeral port): stop what did start and take the next block.
                lastError = error
                _ = try? await runScript(["--dir", directory, "down"])
                continue
            }
        }
        throw lastError ?? SandboxError(command: "up", status: -1, output: "no free port block")
    }

    /// TCP port of instance `n` (1-based).
    public func port(_ n: Int) -> Int { basePort + n - 1 }

    /// Runs SQL as root on instance `n`; returns the tab-separated output (no header).
    @discardableResult
    public func sql(_ n: Int, _ statement: String) async throws -> String {
        try await Self.runScript(["--dir", directory, "sql", String(n), statement, "-N"])
    }

    /// `kill -9` of instance `n`.
    public func kill(_ n: Int) async throws { _ = try await Self.runScript(["--dir", directory, "kill", String(n)]) }
    /// Clean shutdown of instance `n`.
    public func stop(_ n: Int) async throws { _ = try await Self.runScript(["--dir", directory, "stop", String(n)]) }
    /// Restarts instance `n` with its data.
    public func start(_ n: Int) async throws { _ = try await Self.runScript(["--dir", directory, "start", String(n)]) }

    /// Kills every instance and removes the directory. Safe to call twice.
    public func down() {
        _ = try? Self.runScriptBlocking(["--dir", directory, "down"])
    }

    // MARK: - Script

    /// `Scripts/sandbox` of this checkout.
    public static var scriptPath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts/sandbox").path
    }

    /// `Scripts/fleet-mariadbd.cnf` of this checkout.
    public static var fleetConfigurationPath: String {
        URL(fileURLWithPath: scriptPath).deletingLastPathComponent().appendingPathComponent("fleet-mariadbd.cnf").path
    }

    static var testDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["ORCHD_TEST_DIR"], !dir.isEmpty { return dir }
        return (env["TMPDIR"] ?? "/tmp") + "/orchd-test-\(getpid())"
    }

    static func instanceCount(_ topology: String) throws -> Int {
        if topology == "tree" { return 4 }
        let parts = topology.split(separator: ":")
        guard parts.count == 2, ["star", "chain"].contains(parts[0]), let n = Int(parts[1]), n >= 1 else {
            throw SandboxError(command: "up", status: 2, output: "unknown topology \(topology)")
        }
        return n
    }

    /// Runs the script on a thread of its own (it blocks for seconds): neither Swift's cooperative pool
    /// nor Dispatch's global queue, whose few threads timers of the code under test depend on.
    static func runScript(_ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try runScriptBlocking(arguments) })
            }.start()
        }
    }

    static func runScriptBlocking(_ arguments: [String]) throws -> String {
        // Output goes to a file, not a pipe: waiting for a pipe's end-of-file would also wait for any
        // process that inherited it (e.g. a server started by another concurrent script).
        let outputPath = NSTemporaryDirectory() + "orchd-sandbox-\(UUID().uuidString).out"
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
              let output = FileHandle(forWritingAtPath: outputPath) else {
            throw SandboxError(command: arguments.joined(separator: " "), status: -1, output: "cannot create \(outputPath)")
        }
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [scriptPath] + arguments
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? output.close()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw SandboxError(command: arguments.joined(separator: " "), status: process.terminationStatus, output: text)
        }
        return text
    }
}

/// `Scripts/sandbox` failed; `output` holds what it printed.
public struct SandboxError: Error, CustomStringConvertible {
    public var command: String
    public var status: Int32
    public var output: String

    public var description: String { "Scripts/sandbox \(command) exited \(status): \(output)" }
}

/// Hands out port blocks in 23000-23999 to the sandboxes of this test process (10 ports each: 100
/// sandboxes before the range is reused).
/// `ORCHD_TEST_SANDBOX_PORTS=FIRST-LAST` moves the range, so two test runs on one machine can coexist.
enum PortBlocks {
    private static let lock = NSLock()
    private static let range: (first: Int, end: Int) = {
        let parts = (ProcessInfo.processInfo.environment["ORCHD_TEST_SANDBOX_PORTS"] ?? "").split(separator: "-").compactMap { Int($0) }
        if parts.count == 2, parts[0] > 1024, parts[1] > parts[0] + 20, parts[1] < 65000 { return (parts[0], parts[1] + 1) }
        return (23000, 24000)
    }()
    nonisolated(unsafe) private static var next = range.first

    static func next(size: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        let block = max(10, size)
        if next + block > range.end { next = range.first }
        let port = next
        next += block
        return port
    }
}
