import Foundation
import OrchestratorTestKit

/// An application writing through the sandbox's non-SUPER user (`orc_app`), so `read_only` stops it:
/// one `mariadb` client per INSERT (autocommit) on a background thread, a fresh id per attempt, sent
/// to the host that last accepted a write, else to the next one. An id counts as acknowledged only
/// when the client reported success (the COMMIT succeeded).
final class InsertLoop: @unchecked Sendable {
    struct Ack: Sendable { var id: Int; var port: Int }
    static let user = "orc_app"
    static let password = "orc_app_pw"

    let ports: [Int]
    let table: String
    private let lock = NSLock()
    private var acks: [Ack] = []
    private var stopRequested = false
    private let finished = DispatchSemaphore(value: 0)

    /// Pause after each acknowledged write (several loops at once: keep the machine for the code under test).
    let pause: UInt32

    /// Starts writing to `table` (a table with an `id` primary key) on `ports`, first to `ports[0]`,
    /// pausing `pauseMicroseconds` after each acknowledged write.
    init(ports: [Int], table: String = "app.writes", pauseMicroseconds: UInt32 = 0) {
        self.ports = ports
        self.table = table
        self.pause = pauseMicroseconds
        Thread.detachNewThread { [self] in
            run()
            finished.signal()
        }
    }

    deinit { stop() }

    var acknowledged: [Ack] { lock.withLock { acks } }

    /// Stops the loop and waits for the write in flight.
    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopRequested = true }
            return !stopRequested
        }
        if first { finished.wait() }
    }

    private func run() {
        var target = 0, nextID = 0
        let deadline = Date().addingTimeInterval(180)
        while !lock.withLock({ stopRequested }), Date() < deadline {
            nextID += 1
            let port = ports[target]
            if insert(nextID, port: port) {
                lock.withLock { acks.append(Ack(id: nextID, port: port)) }
                if pause > 0 { usleep(pause) }
            } else {
                target = (target + 1) % ports.count
                usleep(5_000)
            }
        }
    }

    private func insert(_ id: Int, port: Int) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["mariadb", "--no-defaults", "-h127.0.0.1", "-P\(port)", "-u\(Self.user)", "--connect-timeout=2",
                       "-e", "INSERT INTO \(table) (id) VALUES (\(id))"]
        var env = ProcessInfo.processInfo.environment
        env["MYSQL_PWD"] = Self.password
        p.environment = env
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}

extension MariaDBSandbox {
    /// Instance `n`'s replication source port and whether both threads run (nil port: not a replica).
    func replicationSource(_ n: Int) async -> (port: Int?, running: Bool) {
        // Vertical output keeps the field names (the `sql` helper's -N drops them).
        let result = LeaderIsolation.run(["mariadb", "--no-defaults", "-uroot", "-S", "\(directory)/node\(n)/mariadbd.sock",
                                          "--connect-timeout=2", "-e", "SHOW SLAVE STATUS\\G"])
        guard result.status == 0 else { return (nil, false) }
        let text = result.output
        func field(_ name: String) -> String? {
            text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(name + ":") }
                .map { $0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces) }
        }
        return (field("Master_Port").flatMap(Int.init), field("Slave_IO_Running") == "Yes" && field("Slave_SQL_Running") == "Yes")
    }

    /// `SELECT @@read_only` on instance `n`.
    func readOnly(_ n: Int) async -> String? {
        try? await sql(n, "SELECT @@read_only").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The ids in `table` on instance `n`.
    func ids(_ n: Int, table: String = "app.writes") async throws -> Set<Int> {
        Set(try await sql(n, "SELECT id FROM \(table)").split(separator: "\n").compactMap { Int($0) })
    }
}
