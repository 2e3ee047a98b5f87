import OrchestratorCore

/// Maps what a server answers (variables, status, master and replica status rows) onto `Instance`.
/// Handles both flavours and both spellings (Slave_/Master_ and Replica_/Source_).
enum InstanceMapper {
    // MARK: - Variables and status

    static func apply(variables v: NameValues<ServerVariable>, status s: NameValues<ServerStatus>, to instance: inout Instance) {
        instance.serverID = Int64(v[.serverID] ?? "") ?? 0
        instance.serverUUID = v[.serverUUID] ?? ""
        instance.version = v[.version] ?? ""
        instance.versionComment = v[.versionComment] ?? ""
        instance.flavorName = ServerFlavor.name(version: instance.version, versionComment: instance.versionComment)
        instance.readOnly = flag(v[.readOnly])
        instance.logBinEnabled = flag(v[.logBin])
        instance.logReplicationUpdatesEnabled = flag(v[.logReplicaUpdates] ?? v[.logSlaveUpdates])
        instance.binlogFormat = v[.binlogFormat] ?? ""
        instance.binlogRowImage = v[.binlogRowImage] ?? ""
        instance.uptime = Int64(s[.uptime] ?? "") ?? 0

        // GTID: MySQL's gtid_mode / gtid_executed, MariaDB's domain positions.
        instance.gtidMode = v[.gtidMode] ?? ""
        instance.supportsOracleGTID = instance.gtidMode.uppercased() == "ON"
        instance.executedGtidSet = compactGTID(v[.gtidExecuted] ?? "")
        instance.gtidPurged = compactGTID(v[.gtidPurged] ?? "")
        instance.gtidCurrentPos = v[.gtidCurrentPos] ?? ""
        instance.gtidSlavePos = v[.gtidSlavePos] ?? ""
        instance.gtidBinlogPos = v[.gtidBinlogPos] ?? ""
        instance.gtidDomainID = Int64(v[.gtidDomainID] ?? "") ?? 0

        // Semi-sync: MariaDB (built in) and MySQL's plugin, old and new (8.0.26+) names.
        let masterEnabled = v[.semiSyncSourceEnabled] ?? v[.semiSyncMasterEnabled]
        let replicaEnabled = v[.semiSyncReplicaEnabled] ?? v[.semiSyncSlaveEnabled]
        instance.semiSyncAvailable = masterEnabled != nil || replicaEnabled != nil
        instance.semiSyncMasterPluginNewVersion = v[.semiSyncSourceEnabled] != nil
        instance.semiSyncReplicaPluginNewVersion = v[.semiSyncReplicaEnabled] != nil
        instance.semiSyncMasterEnabled = flag(masterEnabled)
        instance.semiSyncReplicaEnabled = flag(replicaEnabled)
        instance.semiSyncMasterTimeout =
            Int64(v[.semiSyncSourceTimeout] ?? v[.semiSyncMasterTimeout] ?? "") ?? 0
        instance.semiSyncMasterWaitForReplicaCount = Int64(
            v[.semiSyncSourceWaitForReplicaCount] ?? v[.semiSyncMasterWaitForSlaveCount]
                ?? (instance.semiSyncAvailable ? "1" : "0")) ?? 0
        instance.semiSyncMasterStatus = flag(s[.semiSyncSourceStatus] ?? s[.semiSyncMasterStatus])
        instance.semiSyncMasterClients =
            Int64(s[.semiSyncSourceClients] ?? s[.semiSyncMasterClients] ?? "") ?? 0
        instance.semiSyncReplicaStatus = flag(s[.semiSyncReplicaStatus] ?? s[.semiSyncSlaveStatus])
    }

    // MARK: - SHOW MASTER STATUS

    static func apply(masterStatus row: MySQLRow, to instance: inout Instance) {
        instance.selfBinlogCoordinates = BinlogCoordinates(
            logFile: row["File"] ?? "", logPos: row.int("Position") ?? 0, type: .binary)
        if instance.executedGtidSet.isEmpty, let executed = row["Executed_Gtid_Set"] {
            instance.executedGtidSet = compactGTID(executed)
        }
    }

    // MARK: - SHOW SLAVE STATUS / SHOW REPLICA STATUS

    static func apply(replicaStatus row: MySQLRow, to instance: inout Instance) {
        func col(_ names: String...) -> String? {
            for name in names where row.has(name) { return row[name] }
            return nil
        }
        let masterHost = col("Master_Host", "Source_Host") ?? ""
        let masterPort = Int(col("Master_Port", "Source_Port") ?? "") ?? 0
        instance.isDetachedMaster = masterHost.hasPrefix("//")
        instance.masterKey = masterHost.isEmpty ? nil : InstanceKey(hostname: masterHost, port: masterPort)
        instance.masterUUID = col("Master_UUID", "Source_UUID") ?? ""

        let io = col("Slave_IO_Running", "Replica_IO_Running")
        let sql = col("Slave_SQL_Running", "Replica_SQL_Running")
        instance.replicationIOThreadState = ReplicationThreadState(statusText: io)
        instance.replicationSQLThreadState = ReplicationThreadState(statusText: sql)
        instance.replicationIOThreadRunning = instance.replicationIOThreadState.isRunning
        instance.replicationSQLThreadRunning = instance.replicationSQLThreadState.isRunning

        instance.readBinlogCoordinates = BinlogCoordinates(
            logFile: col("Master_Log_File", "Source_Log_File") ?? "",
            logPos: Int64(col("Read_Master_Log_Pos", "Read_Source_Log_Pos") ?? "") ?? 0)
        instance.execBinlogCoordinates = BinlogCoordinates(
            logFile: col("Relay_Master_Log_File", "Relay_Source_Log_File") ?? "",
            logPos: Int64(col("Exec_Master_Log_Pos", "Exec_Source_Log_Pos") ?? "") ?? 0)
        instance.relaylogCoordinates = BinlogCoordinates(
            logFile: row["Relay_Log_File"] ?? "", logPos: row.int("Relay_Log_Pos") ?? 0, type: .relay)

        instance.lastIOError = row["Last_IO_Error"] ?? ""
        instance.lastSQLError = row["Last_SQL_Error"] ?? ""
        instance.secondsBehindMaster = col("Seconds_Behind_Master", "Seconds_Behind_Source").flatMap { Int64($0) }
        instance.sqlDelay = row.int("SQL_Delay") ?? 0
        instance.replicationLagSeconds = instance.secondsBehindMaster

        let usingGtid = (row["Using_Gtid"] ?? "").lowercased()
        instance.usingMariaDBGTID = usingGtid == "slave_pos" || usingGtid == "current_pos"
        instance.usingOracleGTID = row["Auto_Position"] == "1"
        if let executed = row["Executed_Gtid_Set"], instance.executedGtidSet.isEmpty {
            instance.executedGtidSet = compactGTID(executed)
        }

        instance.hasReplicationFilters = [
            "Replicate_Do_DB", "Replicate_Ignore_DB", "Replicate_Do_Table", "Replicate_Ignore_Table",
            "Replicate_Wild_Do_Table", "Replicate_Wild_Ignore_Table",
        ].contains { !(row[$0] ?? "").isEmpty }
    }

    // MARK: - Helpers

    static func flag(_ text: String?) -> Bool { text.flatMap(MySQLRow.parseBool) ?? false }

    /// MySQL prints long GTID sets over several lines; upstream keeps them on one.
    static func compactGTID(_ text: String) -> String {
        String(text.filter { $0 != "\n" && $0 != "\r" })
    }
}
