import Foundation
import OrchestratorServer
import OrchestratorServerTestKit

/// Three `raft-harness node` processes on 127.0.0.1-3 for the real-process tests.
/// Raft ports base+1...base+3, control ports base+51...base+53. The base is `$ORCHD_TEST_RAFT_PORTS`, else
/// `$ORCHD_TEST_ORCHD_PORTS` + 500 (so a test run given its own orchd ports also gets its own Raft ports;
/// orchd groups take blocks of 20 from their base), else 24000.
final class RaftProcessCluster: @unchecked Sendable {
    static let size = 3
    static let portBase: Int = {
        let env = ProcessInfo.processInfo.environment
        if let base = Int(env["ORCHD_TEST_RAFT_PORTS"] ?? "") { return base }
        if let orchd = Int(env["ORCHD_TEST_ORCHD_PORTS"] ?? "") { return orchd + 500 }
        return 24000
    }()
    let binary: String
    let dir: String
    let extraFlags: [String]
    private var processes: [Int: Process] = [:]
    private var clients: [Int: RaftControlClient] = [:]

    /// The harness binary: `$ORCHD_RAFT_HARNESS`, or next to the test bundle in the build directory.
    static func findHarness() -> String? {
        if let env = ProcessInfo.processInfo.environment["ORCHD_RAFT_HARNESS"] { return env }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var candidates: [URL] = []
        var d = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(d.appendingPathComponent("raft-harness"))
            d = d.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/.build/debug/raft-harness"))
        return candidates.map(\.path).first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    init(name: String, extraFlags: [String] = []) throws {
        guard let binary = Self.findHarness() else {
            throw ClusterError("raft-harness not found: run `swift build --product raft-harness` or set ORCHD_RAFT_HARNESS")
        }
        self.binary = binary
        let base = ProcessInfo.processInfo.environment["ORCHD_TEST_DIR"] ?? NSTemporaryDirectory()
        dir = (base as NSString).appendingPathComponent("raft-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        self.extraFlags = extraFlags
    }

    deinit { killAll() }

    func id(_ i: Int) -> String { "127.0.0.\(i + 1):\(Self.portBase + 1 + i)" }
    func controlPort(_ i: Int) -> Int { Self.portBase + 51 + i }
    var ids: [String] { (0..<Self.size).map(id) }
    func index(of id: String) -> Int? { ids.firstIndex(of: id) }

    func start(_ i: Int) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = [
            "node", "--id", id(i), "--peers", ids.joined(separator: ","), "--data-dir", "\(dir)/node\(i)",
            "--control", "127.0.0.\(i + 1):\(controlPort(i))",
        ] + extraFlags
        let logPath = "\(dir)/node\(i).log"
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        p.standardOutput = log
        p.standardError = log
        try p.run()
        processes[i] = p
        clients[i] = nil
    }

    func startAll() throws { for i in 0..<Self.size { try start(i) } }

    func signal(_ i: Int, _ sig: Int32) {
        if let p = processes[i] { kill(p.processIdentifier, sig) }
    }

    /// kill -9 and reap.
    func kill9(_ i: Int) {
        guard let p = processes.removeValue(forKey: i) else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        clients[i] = nil
    }

    func killAll() { for i in Array(processes.keys) { kill9(i) } }

    /// One control request; `nil` if the node does not answer within `timeout`.
    func request(_ i: Int, _ line: String, timeout: Duration = .seconds(10)) async -> String? {
        do {
            let c: RaftControlClient
            if let existing = clients[i] {
                c = existing
            } else {
                c = try await RaftControlClient.connect(host: "127.0.0.\(i + 1)", port: controlPort(i))
                clients[i] = c
            }
            return try await withThrowingTaskGroup(of: String?.self) { g in
                g.addTask { try await c.request(line) }
                g.addTask { try await Task.sleep(for: timeout); return nil }
                let first = try await g.next() ?? nil
                g.cancelAll()
                if first == nil { await c.close() }
                return first
            }
        } catch {
            clients[i] = nil
            return nil
        }
    }

    func status(_ i: Int) async -> [String: String]? {
        guard let line = await request(i, "status", timeout: .seconds(2)) else { return nil }
        return RaftControl.parseStatus(line)
    }

    /// Polls `condition` until it holds; gives up after `seconds` AND `polls` attempts (a hang guard,
    /// not a speed check; the poll count keeps it fair when other suites starve this one of CPU).
    func eventually(seconds: Double = 30, polls: Int = 300, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var attempts = 0
        while Date() < deadline || attempts < polls {
            if await condition() { return true }
            attempts += 1
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    /// Proposes `command` on whichever node leads now. Retries only answers that prove the proposal
    /// was not applied (not the leader, or dropped by a new leader), so nothing is applied twice;
    /// on a loaded machine an election can happen between finding the leader and proposing.
    func proposeOnLeader(_ command: String, attempts: Int = 20) async -> String? {
        var last: String?
        for _ in 0..<attempts {
            if let (leader, _) = await waitForLeader() {
                last = await request(leader, "propose \(command)")
                guard let answer = last, answer.hasPrefix("err notLeader") || answer.hasPrefix("err dropped") else { return last }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    /// The node among `nodes` that reports itself leader in a term above `term`.
    func waitForLeader(among nodes: [Int] = Array(0..<size), above term: UInt64 = 0) async -> (index: Int, term: UInt64)? {
        var found: (Int, UInt64)?
        _ = await eventually {
            for i in nodes {
                if let s = await status(i), s["role"] == "leader", let t = UInt64(s["term"] ?? ""), t > term {
                    found = (i, t)
                    return true
                }
            }
            return false
        }
        return found
    }

    /// True once every node in `nodes` applied exactly `commands` commands with the same digest.
    func converged(_ nodes: [Int] = Array(0..<size), commands: Int) async -> Bool {
        await eventually {
            var digests: Set<String> = []
            for i in nodes {
                guard let s = await status(i), s["commands"] == "\(commands)", let d = s["digest"] else { return false }
                digests.insert(d)
            }
            return digests.count == 1
        }
    }

    /// Waits until every node in `nodes` applied the same commands (same digest), at least
    /// `minimum` of them; returns that count, or nil.
    func convergedCount(_ nodes: [Int] = Array(0..<size), minimum: Int) async -> Int? {
        var count: Int?
        _ = await eventually {
            var seen: Set<String> = []
            var n = 0
            for i in nodes {
                guard let s = await status(i), let c = Int(s["commands"] ?? ""), c >= minimum, let d = s["digest"] else { return false }
                seen.insert("\(c)/\(d)")
                n = c
            }
            count = n
            return seen.count == 1
        }
        return count
    }

    /// The last lines of a node's log, for failure messages.
    func logTail(_ i: Int) -> String {
        let text = (try? String(contentsOfFile: "\(dir)/node\(i).log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(15).joined(separator: "\n")
    }
}

struct ClusterError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
