import Foundation
import GRDB
import OrchestratorCore

/// Instances in the backend database's `database_instance` table: upsert, read by key, by cluster
/// or all, and forget. All values are bound as statement arguments.
public struct InstanceStore: Sendable {
    public let database: BackendDatabase

    public init(database: BackendDatabase) {
        self.database = database
    }

    // MARK: - Write

    /// Inserts or replaces the rows of these instances, in one transaction.
    public func upsert(_ records: [InstanceRecord]) async throws {
        guard !records.isEmpty else { return }
        let arguments = try records.map { try InstanceRow($0).arguments }
        try await database.writer.write { db in
            for row in arguments {
                try db.execute(sql: InstanceRow.upsertSQL, arguments: row)
            }
        }
    }

    /// Inserts or replaces one instance's row.
    public func upsert(_ record: InstanceRecord) async throws { try await upsert([record]) }

    /// Removes an instance; returns whether it was known.
    @discardableResult
    public func forget(_ key: InstanceKey) async throws -> Bool {
        try await database.writer.write { db in
            try db.execute(
                sql: "DELETE FROM database_instance WHERE hostname = ? AND port = ?",
                arguments: [key.hostname, key.port])
            return db.changesCount > 0
        }
    }

    /// Removes instances not seen since `cutoff` (never-seen ones by their first check) and returns
    /// their keys.
    public func forgetUnseen(before cutoff: Timestamp) async throws -> [InstanceKey] {
        try await database.writer.write { db in
            let condition = "COALESCE(last_seen, first_checked, '') < ?"
            let rows = try Row.fetchAll(
                db, sql: "SELECT hostname, port FROM database_instance WHERE \(condition)",
                arguments: [cutoff.sqlDateTime])
            try db.execute(sql: "DELETE FROM database_instance WHERE \(condition)", arguments: [cutoff.sqlDateTime])
            return rows.map { InstanceKey(hostname: $0["hostname"], port: $0["port"]) }
        }
    }

    // MARK: - Read

    /// The record of one instance, nil when unknown.
    public func record(_ key: InstanceKey) async throws -> InstanceRecord? {
        try await database.writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(InstanceRow.readColumns) FROM database_instance WHERE hostname = ? AND port = ?",
                arguments: [key.hostname, key.port]
            ).map(InstanceRow.record)
        }
    }

    /// Every instance of a cluster (by cluster name), ordered by key.
    public func records(cluster clusterName: String) async throws -> [InstanceRecord] {
        try await database.writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(InstanceRow.readColumns) FROM database_instance WHERE cluster_name = ? "
                    + "ORDER BY hostname, port",
                arguments: [clusterName]
            ).map(InstanceRow.record)
        }
    }

    /// Every known instance, ordered by key.
    public func allRecords() async throws -> [InstanceRecord] {
        try await database.writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(InstanceRow.readColumns) FROM database_instance ORDER BY hostname, port"
            ).map(InstanceRow.record)
        }
    }

    /// Distinct cluster names, sorted.
    public func clusterNames() async throws -> [String] {
        try await database.writer.read { db in
            try String.fetchAll(
                db, sql: "SELECT DISTINCT cluster_name FROM database_instance WHERE cluster_name <> '' ORDER BY 1")
        }
    }
}

// MARK: - Row mapping

/// Column values of one `database_instance` row, derived from a record.
struct InstanceRow {
    static let readColumns =
        "instance_json, cluster_alias, cluster_domain, first_checked, last_checked, last_attempted_check"

    /// (column, value) pairs, in table order after the key.
    let values: [(String, (any DatabaseValueConvertible)?)]

    init(_ record: InstanceRecord) throws {
        let i = record.instance
        let json = String(decoding: try JSONEncoder().encode(i), as: UTF8.self)
        values = [
            ("hostname", i.key.hostname), ("port", i.key.port),
            ("server_id", i.serverID), ("server_uuid", i.serverUUID), ("version", i.version),
            ("flavor", i.flavorName), ("read_only", i.readOnly), ("log_bin", i.logBinEnabled),
            ("log_replica_updates", i.logReplicationUpdatesEnabled), ("binlog_format", i.binlogFormat),
            ("master_host", i.masterKey?.hostname ?? ""), ("master_port", i.masterKey?.port ?? 0),
            ("cluster_name", i.clusterName), ("cluster_alias", record.clusterAlias),
            ("cluster_domain", record.clusterDomain), ("suggested_cluster_alias", i.suggestedClusterAlias),
            ("instance_alias", i.instanceAlias), ("data_center", i.dataCenter), ("region", i.region),
            ("replication_depth", i.replicationDepth), ("is_co_master", i.isCoMaster),
            ("io_thread_state", i.replicationIOThreadState.rawValue),
            ("sql_thread_state", i.replicationSQLThreadState.rawValue),
            ("seconds_behind_master", i.secondsBehindMaster), ("sql_delay", i.sqlDelay),
            ("last_io_error", i.lastIOError), ("last_sql_error", i.lastSQLError),
            ("using_mariadb_gtid", i.usingMariaDBGTID), ("using_oracle_gtid", i.usingOracleGTID),
            ("executed_gtid_set", i.executedGtidSet.isEmpty ? i.gtidCurrentPos : i.executedGtidSet),
            ("gtid_current_pos", i.gtidCurrentPos), ("gtid_slave_pos", i.gtidSlavePos),
            ("binlog_file", i.selfBinlogCoordinates.logFile), ("binlog_pos", i.selfBinlogCoordinates.logPos),
            ("exec_master_log_file", i.execBinlogCoordinates.logFile),
            ("exec_master_log_pos", i.execBinlogCoordinates.logPos),
            ("semi_sync_master_enabled", i.semiSyncMasterEnabled),
            ("semi_sync_replica_enabled", i.semiSyncReplicaEnabled),
            ("semi_sync_master_status", i.semiSyncMasterStatus),
            ("semi_sync_master_clients", i.semiSyncMasterClients),
            ("first_checked", record.firstChecked?.sqlDateTime),
            ("last_checked", record.lastChecked?.sqlDateTime),
            ("last_attempted_check", record.lastAttemptedCheck?.sqlDateTime),
            ("last_seen", i.lastSeenTimestamp?.sqlDateTime),
            ("is_last_check_valid", i.isLastCheckValid), ("last_error", i.lastError),
            ("last_probe_latency_us", i.lastDiscoveryLatencyNanoseconds / 1000),
            ("instance_json", json),
        ]
    }

    var arguments: StatementArguments { StatementArguments(values.map { $0.1 }) }

    static let columnNames: [String] = {
        // Built from a blank record so the SQL text and the argument order cannot diverge.
        (try? InstanceRow(InstanceRecord(instance: Instance(key: .empty))))?.values.map { $0.0 } ?? []
    }()

    static let upsertSQL: String = {
        let names = columnNames
        let updates = names.filter { $0 != "hostname" && $0 != "port" }.map { "\($0) = excluded.\($0)" }
        return "INSERT INTO database_instance (\(names.joined(separator: ", "))) VALUES ("
            + Array(repeating: "?", count: names.count).joined(separator: ", ")
            + ") ON CONFLICT (hostname, port) DO UPDATE SET " + updates.joined(separator: ", ")
    }()

    static func record(_ row: Row) throws -> InstanceRecord {
        let json: String = row["instance_json"]
        let instance = try JSONDecoder().decode(Instance.self, from: Data(json.utf8))
        func time(_ column: String) -> Timestamp? {
            (row[column] as String?).flatMap(Timestamp.init(parsing:))
        }
        return InstanceRecord(
            instance: instance,
            clusterAlias: row["cluster_alias"],
            clusterDomain: row["cluster_domain"],
            firstChecked: time("first_checked"),
            lastChecked: time("last_checked"),
            lastAttemptedCheck: time("last_attempted_check"))
    }
}
