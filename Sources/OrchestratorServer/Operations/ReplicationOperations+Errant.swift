import OrchestratorCore

/// Which binary logs of an instance hold errant transactions (`locate-gtid-errant`).
public struct ErrantLocation: Sendable, Equatable {
    /// Binary log files holding at least one errant event, in server order.
    public var files: [String]
    /// Errant events found, as `file:position gtid`.
    public var events: [String]
}

extension ReplicationOperations {
    // MARK: - Locating errant transactions

    /// Scans every binary log of `key` (`SHOW BINARY LOGS`, then `SHOW BINLOG EVENTS IN` each, reading
    /// only the Gtid events' Info) for the GTIDs `isErrant` accepts. Reads only; the scan is bounded by
    /// `maxEventsPerFile` events per file.
    public func locateErrantTransactions(
        _ key: InstanceKey, maxEventsPerFile: Int = 1_000_000,
        isErrant: @escaping @Sendable (ErrantGTID.BinlogEventGTID) -> Bool
    ) async throws -> ErrantLocation {
        try await perform("locate-gtid-errant", key, logged: false) { context in
            let logs = try await context.read(ReplicationStatement(kind: "SHOW BINARY LOGS", "SHOW BINARY LOGS"))
            var location = ErrantLocation(files: [], events: [])
            for row in logs.rows {
                guard let file = row["Log_name"], !file.isEmpty else { continue }
                let events = try await context.read(ReplicationStatement(
                    kind: "SHOW BINLOG EVENTS", "SHOW BINLOG EVENTS IN ? LIMIT ?", [.string(file), .int(Int64(maxEventsPerFile))]))
                var found = false
                for event in events.rows where event["Event_type"] == "Gtid" {
                    guard let gtid = ErrantGTID.binlogEventGTID(info: event["Info"] ?? ""), isErrant(gtid) else { continue }
                    found = true
                    let text: String
                    switch gtid {
                    case .mariadb(let g): text = g.description
                    case .mysql(let s): text = s.description
                    }
                    location.events.append("\(file):\(event["Pos"] ?? "?") \(text)")
                }
                if found { location.files.append(file) }
            }
            return location
        }
    }

    // MARK: - Injecting on the master

    /// MySQL: commits one empty transaction per GTID on `master` (upstream's `gtid-errant-inject-empty`).
    @discardableResult
    public func injectEmptyTransactions(_ master: InstanceKey, gtids: [String]) async throws -> OperationResult {
        try await perform("gtid-errant-inject-empty", master) { context in
            guard context.dialect.isMySQL else {
                throw context.fail(.unsupported, "\(context.dialect) has no GTID_NEXT; use injectMariaDBErrantGTIDs")
            }
            for gtid in gtids { try await Self.injectEmpty(gtid, context: context) }
            context.note = "\(gtids.count) empty transactions"
            return context.result()
        }
    }

    /// MariaDB's equivalent of injecting empty transactions: for each errant `d-s-n` (see
    /// `ErrantGTID.mariadbInjections`), the master binlogs the no-op `FLUSH HOSTS` as GTID `d-s-n` by
    /// setting the session's `gtid_domain_id`, `server_id` and `gtid_seq_no` first (an empty
    /// `BEGIN; COMMIT` is not binlogged by MariaDB). The master's `@@gtid_binlog_state` is re-read
    /// here, so an entry the master has meanwhile passed is refused before anything is written. A last
    /// no-op per domain under the master's own id keeps its `gtid_current_pos` right. The session
    /// variables are put back on success and failure.
    @discardableResult
    public func injectMariaDBErrantGTIDs(_ master: InstanceKey, errant: MariaDBGTIDList) async throws -> OperationResult {
        try await perform("gtid-errant-inject-empty", master) { context in
            guard context.dialect.isMariaDB else {
                throw context.fail(.unsupported, "\(context.dialect) is not MariaDB; use injectEmptyTransactions")
            }
            let row = try await context.read(ReplicationStatement(
                kind: "SELECT @@gtid_binlog_state",
                "SELECT @@global.gtid_binlog_state AS state, @@global.server_id AS server_id")).first
            let state: MariaDBGTIDList
            do { state = try MariaDBGTIDList(parsing: row?["state"] ?? "") } catch {
                throw context.fail(.unexpectedState, "cannot parse the master's gtid_binlog_state: \(error)")
            }
            let serverID = UInt32(truncatingIfNeeded: row?.int("server_id") ?? 0)
            let injections: [MariaDBGTID]
            do {
                injections = try ErrantGTID.mariadbInjections(errant, masterBinlogState: state, masterServerID: serverID)
            } catch {
                throw context.fail(.unsupported, "\(error)")
            }
            do {
                for gtid in injections {
                    try await context.change(Self.mariadbInjection(gtid))
                }
                // Then one no-op as the master itself per domain: MariaDB's gtid_current_pos takes a domain
                // from the binlog only when its last GTID carries the server's own id, so without this the
                // master's current_pos would fall back to its (empty or stale) gtid_slave_pos until its next
                // write, and a failover rejoining it by current_pos would start from the wrong place.
                for domain in Set(injections.map(\.domainID)).sorted() {
                    try await context.change(Self.mariadbOwnNoop(domain: domain))
                }
            } catch {
                if !context.isDryRun, let connection = context.connection { _ = try? await connection.query(Self.restoreSession) }
                throw error
            }
            try await context.change(ReplicationStatement(kind: "SET SESSION server_id", Self.restoreSession))
            context.note = "\(injections.count) GTIDs binlogged as no-ops"
            return context.result()
        }
    }

    static let restoreSession = "SET SESSION gtid_domain_id = @@global.gtid_domain_id, server_id = @@global.server_id"

    /// The statements binlogging `FLUSH HOSTS` as `gtid`. Each variable is set by its own statement:
    /// MariaDB validates `gtid_seq_no` against the domain and server id in effect before the statement.
    static func mariadbInjection(_ gtid: MariaDBGTID) -> [ReplicationStatement] {
        [
            ReplicationStatement(kind: "SET SESSION gtid_domain_id", "SET SESSION gtid_domain_id = ?", [.int(Int64(gtid.domainID))]),
            ReplicationStatement(kind: "SET SESSION server_id", "SET SESSION server_id = ?", [.int(Int64(gtid.serverID))]),
            ReplicationStatement(kind: "SET SESSION gtid_seq_no", "SET SESSION gtid_seq_no = ?", [.int(Int64(gtid.sequence))]),
            ReplicationStatement(kind: "FLUSH HOSTS", "FLUSH HOSTS"),
        ]
    }

    /// `FLUSH HOSTS` binlogged in `domain` under the master's own server id and the next sequence.
    static func mariadbOwnNoop(domain: UInt32) -> [ReplicationStatement] {
        [
            ReplicationStatement(kind: "SET SESSION gtid_domain_id", "SET SESSION gtid_domain_id = ?", [.int(Int64(domain))]),
            ReplicationStatement(kind: "SET SESSION server_id", "SET SESSION server_id = @@global.server_id"),
            ReplicationStatement(kind: "FLUSH HOSTS", "FLUSH HOSTS"),
        ]
    }

    // MARK: - RESET MASTER on the replica (MySQL)

    /// MySQL `gtid-errant-reset-master` on a replica: stop replication, `RESET MASTER`, set
    /// `gtid_purged` to what it executed minus `errant`, start replication again if it ran. The
    /// replica's binary logs are gone afterwards, so callers refuse this on an instance with replicas.
    /// MariaDB: refused (`.unsupported`), naming the alternatives.
    @discardableResult
    public func resetMasterRemovingErrant(_ key: InstanceKey, errant: MySQLGTIDSet) async throws -> OperationResult {
        try await perform("gtid-errant-reset-master", key) { context in
            guard context.dialect.isMySQL else {
                throw context.fail(.unsupported, Self.mariadbResetMasterRefusal(context.dialect))
            }
            let sql = context.sql
            let status = try await Self.requireReplica(context)
            let wasRunning = status.threadsActive
            if wasRunning { try await context.change(sql.stopReplication()) }
            let executedText = try await context.read(sql.gtidStateQuery()).first?["executed"] ?? ""
            let purged: MySQLGTIDSet
            do {
                purged = try ErrantGTID.mysqlPurgedAfterReset(executed: try MySQLGTIDSet(parsing: executedText), errant: errant)
            } catch let refusal as ErrantGTID.RepairRefusal {
                throw context.fail(.unexpectedState, refusal.description)
            } catch {
                throw context.fail(.unexpectedState, "cannot parse gtid_executed '\(executedText)': \(error)")
            }
            try await context.change(try sql.resetMaster(gtidPurged: purged.description))
            if wasRunning { try await context.change(sql.startReplication()) }
            return context.result()
        }
    }

    static func mariadbResetMasterRefusal(_ dialect: ReplicationDialect) -> String {
        ErrantGTIDPlanner.mariadbResetMasterRefusal(server: "\(dialect)")
    }
}
