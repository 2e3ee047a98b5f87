import Foundation
import OrchestratorTestKit

/// A TCP proxy whose link the test controls (`Scripts/faulty-link`, its own process): every chunk of
/// bytes, in either direction, is delivered `delayMillis` after it was read (order kept), and with
/// probability `lossRate` a chunk is held a further `retransmitMillis` (what a lost segment costs TCP:
/// the stream stalls until it is sent again). `cut` closes every connection and refuses new ones until
/// cleared. Conditions change while connections are open. (A proxy inside the test process stalled
/// Raft traffic in ways socat did not; a process of its own behaves as a network hop.)
final class FaultyLink: @unchecked Sendable {
    struct Conditions: Sendable, Equatable {
        var delayMillis: Int = 0
        var lossRate: Double = 0
        var retransmitMillis: Int = 250
        var cut = false
    }

    struct LinkError: Error, CustomStringConvertible { let description: String }

    private let control: String
    private let process: Process
    private let lock = NSLock()
    private var conditions = Conditions()

    static var scriptPath: String {
        URL(fileURLWithPath: MariaDBSandbox.scriptPath).deletingLastPathComponent().appendingPathComponent("faulty-link").path
    }

    /// Starts the proxy on `listen:port` to `target:targetPort` and waits until it listens.
    init(listen: String, port: Int, target: String, targetPort: Int, directory: String) throws {
        control = "\(directory)/faulty-link-\(port)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: control + ".stats")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.scriptPath, "\(listen):\(port)", "\(target):\(targetPort)", control]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try write(Conditions())
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: control + ".stats") {
            guard Date() < deadline, process.isRunning else {
                kill(process.processIdentifier, SIGKILL)
                throw LinkError(description: "Scripts/faulty-link did not start on \(listen):\(port)")
            }
            usleep(20_000)
        }
    }

    deinit { stop() }

    private func write(_ c: Conditions) throws {
        let line = "\(c.delayMillis) \(c.lossRate) \(c.retransmitMillis) \(c.cut ? 1 : 0)\n"
        try line.write(toFile: control, atomically: true, encoding: .utf8)
    }

    /// Changes the link's conditions (the proxy reads them within 50 ms).
    func set(_ change: (inout Conditions) -> Void) {
        lock.lock()
        change(&conditions)
        let c = conditions
        lock.unlock()
        try? write(c)
        usleep(120_000)
    }

    /// Chunks relayed, chunks held as lost, connections accepted (as of the last 200 ms): the faults
    /// must have happened.
    var stats: (chunks: Int, held: Int, connections: Int) {
        let fields = ((try? String(contentsOfFile: control + ".stats", encoding: .utf8)) ?? "")
            .split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard fields.count == 3 else { return (0, 0, 0) }
        return (fields[0], fields[1], fields[2])
    }

    func stop() {
        // SIGKILL: a child of the test process may inherit SIGTERM blocked.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
