import Foundation
import GRDB
import Synchronization

/// The Raft state machine of an orchd node: applies `IntentCommand`s to the node's own SQLite
/// backend. The applied index and the changed tables are written in one transaction, so a restart
/// neither re-applies nor skips a command.
public final class IntentStateMachine: RaftStateMachine {
    private struct Current {
        var state: IntentState
        var lastApplied: UInt64
    }

    private let database: BackendDatabase
    private let current: Mutex<Current>
    private let listeners = Mutex<[@Sendable (IntentCommand?) -> Void]>([])

    /// Loads the last applied state from `database` (empty on a new database).
    public init(database: BackendDatabase) throws {
        self.database = database
        let loaded = try database.writer.read { db -> Current in
            guard let row = try Row.fetchOne(db, sql: "SELECT last_applied, state_json FROM orchd_state_machine WHERE id = 1")
            else { return Current(state: IntentState(), lastApplied: 0) }
            let json: String = row["state_json"]
            let state = try JSONDecoder().decode(IntentState.self, from: Data(json.utf8))
            return Current(state: state, lastApplied: UInt64(row["last_applied"] as Int64))
        }
        current = Mutex(loaded)
    }

    /// The state as of the last applied command.
    public var state: IntentState { current.withLock { $0.state } }

    public var lastApplied: UInt64 { current.withLock { $0.lastApplied } }

    /// The state and the index it was applied through, read together (equal indexes mean equal states).
    public var stateAndIndex: (state: IntentState, lastApplied: UInt64) {
        current.withLock { ($0.state, $0.lastApplied) }
    }

    /// Calls `listener` after each applied command (nil after a snapshot restore), on the applying
    /// thread: keep it short (hand work to a task).
    public func onApply(_ listener: @escaping @Sendable (IntentCommand?) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    // MARK: - Encoding

    /// The bytes proposed to Raft for `command`.
    public static func encode(_ command: IntentCommand) throws -> [UInt8] {
        Array(try JSONEncoder().encode(command))
    }

    public static func decode(_ bytes: [UInt8]) throws -> IntentCommand {
        try JSONDecoder().decode(IntentCommand.self, from: Data(bytes))
    }

    // MARK: - RaftStateMachine

    public func apply(_ entry: RaftEntry) throws {
        var command: IntentCommand?
        if entry.kind == .normal, !entry.data.isEmpty {
            command = try Self.decode(entry.data)
        }
        let (next, tables) = current.withLock { cur -> (Current, Set<IntentState.Table>) in
            var next = cur
            let tables = command.map { next.state.apply($0) } ?? []
            next.lastApplied = entry.index
            return (next, tables)
        }
        try persist(next, tables: tables)
        current.withLock { $0 = next }
        if let command { notify(command) }
    }

    public func snapshot() throws -> [UInt8] {
        let state = self.state
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(state))
    }

    public func restore(_ snapshot: RaftSnapshot) throws {
        let state = try JSONDecoder().decode(IntentState.self, from: Data(snapshot.data))
        let next = Current(state: state, lastApplied: snapshot.metadata.index)
        try persist(next, tables: Set(IntentState.Table.allCases))
        current.withLock { $0 = next }
        notify(nil)
    }

    private func notify(_ command: IntentCommand?) {
        for listener in listeners.withLock({ $0 }) { listener(command) }
    }

    // MARK: - Persistence

    private func persist(_ value: Current, tables: Set<IntentState.Table>) throws {
        let json = String(decoding: try JSONEncoder().encode(value.state), as: UTF8.self)
        try database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO orchd_state_machine (id, last_applied, state_json) VALUES (1, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET last_applied = excluded.last_applied, state_json = excluded.state_json
                    """,
                arguments: [Int64(value.lastApplied), json])
            for table in tables { try Self.rewrite(table, from: value.state, in: db) }
        }
    }

    /// Replaces the readable table for `table` with the rows of `state` (small tables).
    private static func rewrite(_ table: IntentState.Table, from state: IntentState, in db: Database) throws {
        switch table {
        case .discovered:
            try db.execute(sql: "DELETE FROM discovery_request")
            for key in state.discoveredKeys {
                try db.execute(sql: "INSERT INTO discovery_request (hostname, port) VALUES (?, ?)",
                               arguments: [key.hostname, key.port])
            }
        case .downtime:
            try db.execute(sql: "DELETE FROM database_instance_downtime")
            for d in state.downtimes.values {
                try db.execute(
                    sql: """
                        INSERT INTO database_instance_downtime (hostname, port, owner, reason, begin_timestamp, end_timestamp)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [d.key.hostname, d.key.port, d.owner, d.reason, d.begin.sqlDateTime, d.end.sqlDateTime])
            }
        case .candidate:
            try db.execute(sql: "DELETE FROM candidate_database_instance")
            for c in state.candidates.values {
                try db.execute(
                    sql: """
                        INSERT INTO candidate_database_instance (hostname, port, promotion_rule, last_suggested, until_timestamp)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [c.key.hostname, c.key.port, c.promotionRule.rawValue, c.registeredAt.sqlDateTime, c.until.sqlDateTime])
            }
        case .globalRecovery:
            try db.execute(sql: "DELETE FROM global_recovery_disable")
            if state.globalRecoveriesDisabled {
                try db.execute(sql: "INSERT INTO global_recovery_disable (disable_recovery) VALUES (1)")
            }
        case .clusterAlias:
            try db.execute(sql: "DELETE FROM cluster_alias_override")
            for (cluster, alias) in state.clusterAliasOverrides {
                try db.execute(sql: "INSERT INTO cluster_alias_override (cluster_name, alias) VALUES (?, ?)",
                               arguments: [cluster, alias])
            }
        case .recovery:
            try db.execute(sql: "DELETE FROM topology_recovery")
            let encoder = JSONEncoder()
            for r in state.recoveries {
                let json = String(decoding: try encoder.encode(r), as: UTF8.self)
                try db.execute(
                    sql: """
                        INSERT INTO topology_recovery (uid, cluster_name, cluster_alias, failed_host, failed_port, analysis,
                          successor_host, successor_port, is_active, is_successful, start_timestamp, end_timestamp,
                          acknowledged, acknowledged_by, acknowledged_comment, recovery_json)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [r.uid, r.clusterName, r.clusterAlias, r.failedKey.hostname, r.failedKey.port,
                                r.analysisEntry.analysis.rawValue, r.successorKey?.hostname ?? "", r.successorKey?.port ?? 0,
                                r.isActive, r.isSuccessful, r.recoveryStartTimestamp.sqlDateTime,
                                r.recoveryEndTimestamp?.sqlDateTime, r.acknowledged, r.acknowledgedBy,
                                r.acknowledgedComment, json])
            }
        case .node:
            try db.execute(sql: "DELETE FROM orchd_node")
            for (id, address) in state.nodeHTTPAddresses {
                try db.execute(sql: "INSERT INTO orchd_node (raft_id, http_address) VALUES (?, ?)",
                               arguments: [id, address])
            }
        }
    }
}
