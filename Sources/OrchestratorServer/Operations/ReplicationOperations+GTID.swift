import Foundation
import OrchestratorCore

/// How a wait for a GTID position ended.
public enum GTIDWaitOutcome: String, Sendable, Equatable {
    case reached
    case timedOut
    /// A dry run does not wait.
    case notRunDryRun
}

/// A server's GTID state. MariaDB fills the `gtid*Pos` fields, MySQL `executed` and `purged`.
public struct GTIDState: Sendable, Equatable {
    public var dialect: ReplicationDialect
    public var currentPos: String = ""
    public var binlogPos: String = ""
    public var slavePos: String = ""
    public var executed: String = ""
    public var purged: String = ""

    /// What this server has applied or written: MariaDB `gtid_current_pos`, MySQL `gtid_executed`.
    /// This is the position to wait for on a replica that must catch up with this server.
    public var position: String { dialect.isMariaDB ? currentPos : executed }
}

extension ReplicationOperations {
    // MARK: - GTID waits

    /// Waits until `key` has applied `position` (MariaDB `MASTER_GTID_WAIT` over `gtid_slave_pos`, so
    /// call it on a replica; MySQL `WAIT_FOR_EXECUTED_GTID_SET`), at most `timeoutSeconds`.
    /// The wait runs in slices shorter than the pool's read timeout, so long waits do not break the
    /// connection.
    public func waitForGTID(_ key: InstanceKey, position: String, timeoutSeconds: Double) async throws -> GTIDWaitOutcome {
        let slice = Double(max(1, pool.config.readTimeoutSeconds - 2))
        return try await perform("wait-for-gtid", key) { context in
            let sql = context.sql
            // The statement as shown covers the whole wait.
            context.shown.append(try sql.waitForGTID(position, timeoutSeconds: timeoutSeconds).display)
            guard !context.isDryRun else { return .notRunDryRun }
            let deadline = Date().addingTimeInterval(timeoutSeconds)
            while true {
                let remaining = max(0, deadline.timeIntervalSinceNow)
                let statement = try sql.waitForGTID(position, timeoutSeconds: (min(remaining, slice) * 1000).rounded() / 1000)
                let row = try await context.wait(statement, record: false)?.first
                guard let answer = row?.int("result") else {
                    throw context.fail(.unexpectedState, "\(statement.kind) returned NULL (malformed position?)")
                }
                if answer == 0 {
                    context.note = "reached"
                    return .reached
                }
                if remaining <= slice { break }
            }
            context.note = "timed out after \(timeoutSeconds)s"
            return .timedOut
        }
    }

    /// The GTID state of `key`.
    public func gtidState(_ key: InstanceKey) async throws -> GTIDState {
        try await perform("gtid-state", key, logged: false) { context in
            let row = try await context.read(context.sql.gtidStateQuery()).first
            var state = GTIDState(dialect: context.dialect)
            state.currentPos = row?["current_pos"] ?? ""
            state.binlogPos = row?["binlog_pos"] ?? ""
            state.slavePos = row?["slave_pos"] ?? ""
            state.executed = row?["executed"] ?? ""
            state.purged = row?["purged"] ?? ""
            return state
        }
    }

    /// MariaDB `gtid_current_pos`, MySQL `gtid_executed`.
    public func currentGTIDPosition(_ key: InstanceKey) async throws -> String {
        try await gtidState(key).position
    }

    /// `SHOW MASTER STATUS` (`SHOW BINARY LOG STATUS` on MySQL 8.2+): the current binary log file and
    /// position; nil when binary logging is off.
    public func masterStatus(_ key: InstanceKey) async throws -> BinlogCoordinates? {
        try await perform("master-status", key, logged: false) { context in
            guard let row = try await context.read(context.sql.masterStatus()).first,
                  let file = row["File"], !file.isEmpty else { return nil }
            return BinlogCoordinates(logFile: file, logPos: row.int("Position") ?? 0)
        }
    }

    // MARK: - Errant GTIDs

    /// MySQL: commits an empty transaction as `gtid` (upstream's `gtid-errant-inject-empty` for one GTID).
    /// MariaDB: throws `.unsupported` explaining the alternatives.
    @discardableResult
    public func injectEmptyTransaction(_ key: InstanceKey, gtid: String) async throws -> OperationResult {
        try await perform("inject-empty-transaction", key) { context in
            try await Self.injectEmpty(gtid, context: context)
            return context.result()
        }
    }

    /// MySQL: `RESET MASTER` and `gtid_purged = ...` (upstream's `gtid-errant-reset-master`, with the
    /// purged set computed by the caller). MariaDB: `.unsupported`.
    @discardableResult
    public func resetMaster(_ key: InstanceKey, gtidPurged: String) async throws -> OperationResult {
        try await perform("reset-master", key) { context in
            try await context.change(try context.sql.resetMaster(gtidPurged: gtidPurged))
            return context.result()
        }
    }

    /// The empty transaction on the operation's one connection (GTID_NEXT is a session variable); on
    /// failure the session is put back to automatic GTIDs before the connection returns to the pool.
    static func injectEmpty(_ gtid: String, context: OperationContext) async throws {
        let statements = try context.sql.injectEmptyTransaction(gtid)
        do {
            try await context.change(statements)
        } catch {
            if !context.isDryRun, let connection = context.connection {
                _ = try? await connection.query("ROLLBACK")
                _ = try? await connection.query("SET GTID_NEXT = 'AUTOMATIC'")
            }
            throw error
        }
    }
}
