import Foundation
import OrchestratorServer
import OrchestratorServerTestKit

/// Three (or more) `raft-harness node` processes on 127.0.0.1, 127.0.0.2, ... for the bench.
/// Node i listens for Raft on basePort+i and for control on basePort+50+i.
final class HarnessCluster: @unchecked Sendable {
    let binary: String
    let dir: String
    let basePort: Int
    let size: Int
    let nodeFlags: [String]
    private(set) var processes: [Int: Process] = [:]
    private var clients: [Int: RaftControlClient] = [:]

    init(binary: String, dir: String, basePort: Int, size: Int = 3, nodeFlags: [String]) {
        self.binary = binary
        self.dir = dir
        self.basePort = basePort
        self.size = size
        self.nodeFlags = nodeFlags
    }

    func id(_ i: Int) -> String { "127.0.0.\(i + 1):\(basePort + i)" }
    var ids: [String] { (0..<size).map(id) }
    func index(of id: String) -> Int? { ids.firstIndex(of: id) }

    func start(_ i: Int) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = [
            "node", "--id", id(i), "--peers", ids.joined(separator: ","), "--data-dir", "\(dir)/node\(i)",
            "--control", "127.0.0.\(i + 1):\(basePort + 50 + i)",
        ] + nodeFlags
        if !FileManager.default.fileExists(atPath: "\(dir)/node\(i).log") {
            _ = FileManager.default.createFile(atPath: "\(dir)/node\(i).log", contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(dir)/node\(i).log"))
        log.seekToEndOfFile()
        p.standardError = log
        p.standardOutput = log
        try p.run()
        processes[i] = p
        clients[i] = nil
    }

    func startAll() throws { for i in 0..<size { try start(i) } }

    /// kill -9.
    func kill(_ i: Int) {
        guard let p = processes.removeValue(forKey: i) else { return }
        Foundation.kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        clients[i] = nil
    }

    func killAll() { for i in Array(processes.keys) { kill(i) } }

    /// Sends a control request; `nil` when the node does not answer (down, starting).
    func request(_ i: Int, _ line: String) async -> String? {
        do {
            let c: RaftControlClient
            if let existing = clients[i] {
                c = existing
            } else {
                c = try await RaftControlClient.connect(host: "127.0.0.\(i + 1)", port: basePort + 50 + i)
                clients[i] = c
            }
            return try await c.request(line)
        } catch {
            clients[i] = nil
            return nil
        }
    }

    func status(_ i: Int) async -> [String: String]? {
        guard let line = await request(i, "status") else { return nil }
        return RaftControl.parseStatus(line)
    }

    /// The node that is leader, as seen by itself; polls until `timeout`.
    func waitForLeader(among nodes: [Int]? = nil, newerThan term: UInt64 = 0, timeout: Duration = .seconds(30)) async -> (Int, UInt64)? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for i in nodes ?? Array(0..<size) {
                if let s = await status(i), s["role"] == "leader", let t = UInt64(s["term"] ?? ""), t > term {
                    return (i, t)
                }
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return nil
    }

    /// Waits until every running node applied at least `index`.
    func waitForApplied(_ index: UInt64, timeout: Duration = .seconds(60)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var all = true
            for i in processes.keys {
                guard let s = await status(i), let a = UInt64(s["applied"] ?? ""), a >= index else { all = false; break }
            }
            if all { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}
