import Foundation

/// The drill's own write probe: one row every ~20 ms into `meta.orchd_drill` on whichever of the drill's
/// servers is writable, through orchd's MySQL user. orchd's user usually has SUPER / READ_ONLY ADMIN
/// and would write through `read_only`, so each write carries the guard itself (`WHERE
/// @@global.read_only = 0`, evaluated inside the statement, which `SET GLOBAL read_only = 1` waits
/// for): the probe writes like an application whose writes `read_only` stops. Rows are logged as
/// row events (`SET SESSION binlog_format = 'ROW'`) so a replica applies them without re-evaluating
/// the guard. A write counts as acknowledged only when the server reported the row inserted.
actor DrillWriteProbe {
    struct Ack: Sendable {
        var seq: Int64
        var server: InstanceKey
        /// Milliseconds since the probe's origin.
        var at: Double
    }

    static let table = "meta.orchd_drill"
    let drillID: String
    let config: MySQLClientConfig
    let origin: ContinuousClock.Instant
    /// Where writes may go, in the order they are tried (the master first, then the switch targets).
    private let candidates: [InstanceKey]
    private var connections: [InstanceKey: MySQLConnection] = [:]
    private(set) var acks: [Ack] = []
    private(set) var attempts = 0
    private var seq: Int64 = 0
    private var current = 0

    init(drillID: String, config: MySQLClientConfig, candidates: [InstanceKey], origin: ContinuousClock.Instant) {
        self.drillID = drillID
        var config = config
        config.connectTimeoutSeconds = min(config.connectTimeoutSeconds, 2)
        config.readTimeoutSeconds = 3
        config.writeTimeoutSeconds = 3
        self.config = config
        self.candidates = candidates
        self.origin = origin
    }

    func millis(_ instant: ContinuousClock.Instant = .now) -> Double {
        let d = instant - origin
        return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    /// Creates the table if needed and writes the first row on `master`. Returns why the probe cannot
    /// run (nil when it can).
    func prepare(master: InstanceKey) async -> String? {
        let user = config.user
        let connection: MySQLConnection
        do {
            connection = try await connect(master)
        } catch {
            return "cannot connect to \(master): \(error)"
        }
        do {
            let exists = try await connection.query(
                "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'meta' AND TABLE_NAME = 'orchd_drill'")
            if exists.first?.int("n") ?? 0 == 0 {
                let schema = try await connection.query(
                    "SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'meta'")
                if schema.first?.int("n") ?? 0 == 0 { try await connection.exec("CREATE DATABASE IF NOT EXISTS meta") }
                try await connection.exec("""
                    CREATE TABLE IF NOT EXISTS meta.orchd_drill (drill VARCHAR(64) NOT NULL, seq BIGINT NOT NULL, \
                    server VARCHAR(255) NOT NULL, written_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \
                    PRIMARY KEY (drill, seq)) ENGINE=InnoDB
                    """)
            }
        } catch let error as MySQLError where error.isPrivilegeError {
            return "the MySQL user \(user) may not create \(Self.table) on \(master) (\(error.message)); "
                + "grant it CREATE, INSERT and SELECT on \(Self.table) to enable the probe"
        } catch {
            return "cannot create \(Self.table) on \(master): \(error)"
        }
        do {
            guard try await write(on: master) else { return "\(master) did not accept the first probe write (read-only?)" }
        } catch let error as MySQLError where error.isPrivilegeError {
            return "the MySQL user \(user) may not write \(Self.table) on \(master) (\(error.message)); "
                + "grant it INSERT and SELECT on \(Self.table) to enable the probe"
        } catch {
            return "the first probe write on \(master) failed: \(error)"
        }
        return nil
    }

    /// Writes until cancelled: one row per tick on the server that took the last one, else the next
    /// candidate that takes it.
    func run() async {
        while !Task.isCancelled {
            for offset in 0..<candidates.count {
                let index = (current + offset) % candidates.count
                if (try? await write(on: candidates[index])) == true {
                    current = index
                    break
                }
            }
            do { try await Task.sleep(for: .milliseconds(20)) } catch { return }
        }
    }

    /// One guarded insert; true when the row was acknowledged. A broken connection is dropped (the next
    /// write reconnects).
    private func write(on key: InstanceKey) async throws -> Bool {
        seq += 1
        attempts += 1
        let mine = seq
        do {
            let connection = try await connect(key)
            let inserted = try await connection.exec(
                "INSERT INTO meta.orchd_drill (drill, seq, server) SELECT ?, ?, ? FROM DUAL WHERE @@global.read_only = 0",
                .string(drillID), .int(mine), .string(key.description))
            if inserted == 1 { acks.append(Ack(seq: mine, server: key, at: millis())) }
            return inserted == 1
        } catch let error as MySQLError {
            if !error.connectionReusable, let connection = connections.removeValue(forKey: key) { await connection.close() }
            throw error
        }
    }

    private func connect(_ key: InstanceKey) async throws -> MySQLConnection {
        if let connection = connections[key] { return connection }
        let connection = try await MySQLConnection.connect(to: MySQLEndpoint(host: key.hostname, port: key.port), config: config)
        do {
            try await connection.exec("SET SESSION binlog_format = 'ROW'")
        } catch let error as MySQLError {
            // Without the privilege the global format must already log rows (MIXED logs this guarded
            // statement as rows too: it reads a system variable).
            let format = try await connection.query("SELECT @@global.binlog_format AS f").first?["f"] ?? ""
            if format.uppercased() == "STATEMENT" {
                await connection.close()
                throw MySQLError(code: 0, message: "binlog_format is STATEMENT and SET SESSION binlog_format was refused "
                    + "(\(error.message)); the guarded probe rows would not replicate faithfully", endpoint: key.description)
            }
        }
        connections[key] = connection
        return connection
    }

    /// The highest probe sequence `key` holds for this drill (-1 for none).
    func maxSeq(on key: InstanceKey) async throws -> Int64 {
        let connection = try await connect(key)
        return try await connection.query("SELECT COALESCE(MAX(seq), -1) AS m FROM meta.orchd_drill WHERE drill = ?",
                                          .string(drillID)).first?.int("m") ?? -1
    }

    /// The probe rows `key` holds for this drill.
    func sequences(on key: InstanceKey) async throws -> Set<Int64> {
        let connection = try await connect(key)
        let rows = try await connection.query("SELECT seq FROM meta.orchd_drill WHERE drill = ?", .string(drillID)).rows
        return Set(rows.compactMap { $0.int("seq") })
    }

    var lastAckedSeq: Int64 { acks.last?.seq ?? -1 }

    func closeAll() async {
        for connection in connections.values { await connection.close() }
        connections = [:]
    }
}
