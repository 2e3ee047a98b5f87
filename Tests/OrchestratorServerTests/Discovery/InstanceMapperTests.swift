import OrchestratorCore
@testable import OrchestratorServer
import Testing

/// Mapping server answers onto `Instance`, for both flavours and both spellings.
struct InstanceMapperTests {
    private func row(_ pairs: KeyValuePairs<String, String?>) -> MySQLRow {
        MySQLResultSet(columns: pairs.map(\.key), rows: [pairs.map(\.value)]).rows[0]
    }

    @Test("MariaDB variables and status")
    func mariaDBVariables() {
        var instance = Instance(key: InstanceKey(hostname: "db1", port: 3306))
        InstanceMapper.apply(
            variables: [
                "server_id": "7", "version": "10.11.19-MariaDB-0+deb12u1-log", "version_comment": "Debian 12",
                "read_only": "ON", "log_bin": "ON", "log_slave_updates": "ON", "binlog_format": "ROW",
                "gtid_current_pos": "0-1-42", "gtid_slave_pos": "0-1-42", "gtid_binlog_pos": "0-1-40",
                "gtid_domain_id": "0", "rpl_semi_sync_master_enabled": "ON", "rpl_semi_sync_slave_enabled": "OFF",
                "rpl_semi_sync_master_timeout": "10000",
            ],
            status: ["uptime": "99", "rpl_semi_sync_master_status": "ON", "rpl_semi_sync_master_clients": "2"],
            to: &instance)
        #expect(instance.serverID == 7)
        #expect(instance.flavorName == "MariaDB")
        #expect(instance.isMariaDB)
        #expect(instance.readOnly && instance.logBinEnabled && instance.logReplicationUpdatesEnabled)
        #expect(instance.gtidCurrentPos == "0-1-42" && instance.gtidBinlogPos == "0-1-40")
        #expect(instance.executedGtidSet == "")
        #expect(instance.uptime == 99)
        #expect(instance.semiSyncAvailable && instance.semiSyncMasterEnabled && !instance.semiSyncReplicaEnabled)
        #expect(instance.semiSyncMasterStatus && instance.semiSyncMasterClients == 2)
        #expect(instance.semiSyncMasterTimeout == 10000)
        #expect(!instance.semiSyncMasterPluginNewVersion)
    }

    @Test("variable values are kept by slot: names match in any case, names not asked for are ignored")
    func nameSlots() {
        let status: NameValues<ServerStatus> = ["UPTIME": "5", "Rpl_semi_sync_master_status": "ON", "Innodb_x": "1"]
        #expect(status[.uptime] == "5")
        #expect(status[.semiSyncMasterStatus] == "ON")
        #expect(status[.semiSyncSlaveStatus] == nil)
        #expect(InstanceReader.variableNames.count == ServerVariable.allCases.count)
        #expect(Set(InstanceReader.variableNames).count == InstanceReader.variableNames.count)
        for variable in ServerVariable.allCases { #expect(ServerVariable.slot(of: variable.name) == variable.rawValue) }
        for item in ServerStatus.allCases { #expect(ServerStatus.slot(of: item.name.lowercased()) == item.rawValue) }
    }

    @Test("MySQL 8 variables: gtid_executed compacted, new semi-sync names")
    func mysqlVariables() {
        var instance = Instance(key: InstanceKey(hostname: "db1", port: 3306))
        InstanceMapper.apply(
            variables: [
                "version": "8.0.36", "version_comment": "MySQL Community Server - GPL", "server_uuid": "u-1",
                "gtid_mode": "ON", "gtid_executed": "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,\n4e11fa47-71ca-11e1-9e33-c80aa9429562:1-3",
                "log_replica_updates": "ON", "rpl_semi_sync_source_enabled": "ON",
                "rpl_semi_sync_source_wait_for_replica_count": "2",
            ],
            status: ["rpl_semi_sync_source_clients": "1"], to: &instance)
        #expect(instance.flavorName == "MySQL")
        #expect(instance.supportsOracleGTID)
        #expect(!instance.executedGtidSet.contains("\n"))
        #expect(instance.logReplicationUpdatesEnabled)
        #expect(instance.semiSyncMasterPluginNewVersion && instance.semiSyncMasterEnabled)
        #expect(instance.semiSyncMasterWaitForReplicaCount == 2 && instance.semiSyncMasterClients == 1)
    }

    @Test("SHOW SLAVE STATUS (MariaDB): master, threads, coordinates, GTID, lag, errors")
    func slaveStatus() {
        var instance = Instance(key: InstanceKey(hostname: "db2", port: 3306))
        InstanceMapper.apply(replicaStatus: row([
            "Master_Host": "db1", "Master_Port": "3306", "Slave_IO_Running": "Connecting", "Slave_SQL_Running": "Yes",
            "Master_Log_File": "binlog.000002", "Read_Master_Log_Pos": "500", "Relay_Master_Log_File": "binlog.000002",
            "Exec_Master_Log_Pos": "400", "Relay_Log_File": "relay.000003", "Relay_Log_Pos": "77",
            "Last_IO_Errno": "2003", "Last_IO_Error": "error reconnecting to master", "Last_SQL_Errno": "0",
            "Last_SQL_Error": "", "Seconds_Behind_Master": nil, "SQL_Delay": "30", "Using_Gtid": "Slave_Pos",
            "Replicate_Do_DB": "",
        ]), to: &instance)
        #expect(instance.masterKey == InstanceKey(hostname: "db1", port: 3306))
        #expect(instance.replicationIOThreadState == .other && !instance.replicationIOThreadRunning)
        #expect(instance.replicationSQLThreadState == .running && instance.replicationSQLThreadRunning)
        #expect(instance.readBinlogCoordinates == BinlogCoordinates(logFile: "binlog.000002", logPos: 500))
        #expect(instance.execBinlogCoordinates == BinlogCoordinates(logFile: "binlog.000002", logPos: 400))
        #expect(instance.relaylogCoordinates == BinlogCoordinates(logFile: "relay.000003", logPos: 77, type: .relay))
        #expect(instance.lastIOError == "error reconnecting to master" && instance.lastSQLError == "")
        #expect(instance.secondsBehindMaster == nil)
        #expect(instance.sqlDelay == 30)
        #expect(instance.usingMariaDBGTID && !instance.usingOracleGTID)
        #expect(!instance.hasReplicationFilters)
        #expect(instance.isReplica)
    }

    @Test("SHOW REPLICA STATUS (MySQL 8.0.22+): Source_/Replica_ spellings and auto-position")
    func replicaStatus() {
        var instance = Instance(key: InstanceKey(hostname: "db2", port: 3306))
        InstanceMapper.apply(replicaStatus: row([
            "Source_Host": "db1", "Source_Port": "3307", "Replica_IO_Running": "No", "Replica_SQL_Running": "No",
            "Source_Log_File": "b.1", "Read_Source_Log_Pos": "9", "Seconds_Behind_Source": "3", "Auto_Position": "1",
            "Replicate_Wild_Ignore_Table": "mysql.%",
        ]), to: &instance)
        #expect(instance.masterKey == InstanceKey(hostname: "db1", port: 3307))
        #expect(instance.replicationThreadsStopped)
        #expect(instance.secondsBehindMaster == 3 && instance.replicationLagSeconds == 3)
        #expect(instance.usingOracleGTID)
        #expect(instance.hasReplicationFilters)
    }

    @Test("flavour decides the statements: MariaDB keeps SLAVE, MySQL renamed in 8.0.22 and 8.2")
    func flavors() {
        let maria = ServerFlavor(version: "10.11.19-MariaDB-log")
        #expect(maria.replicaStatusQuery == "SHOW SLAVE STATUS" && maria.replicaHostsQuery == "SHOW SLAVE HOSTS")
        #expect(maria.masterStatusQuery == "SHOW MASTER STATUS")
        let old = ServerFlavor(version: "8.0.21")
        #expect(old.replicaStatusQuery == "SHOW SLAVE STATUS")
        let new = ServerFlavor(version: "8.0.22")
        #expect(new.replicaStatusQuery == "SHOW REPLICA STATUS" && new.replicaHostsQuery == "SHOW REPLICAS")
        #expect(new.masterStatusQuery == "SHOW MASTER STATUS")
        #expect(ServerFlavor(version: "8.4.3").masterStatusQuery == "SHOW BINARY LOG STATUS")
        #expect(ServerFlavor.name(version: "8.0.36-28", versionComment: "Percona Server (GPL)") == "Percona")
    }

    @Test("hostname patterns take the first capture group")
    func hostnamePatterns() throws {
        #expect(try HostnamePattern.firstCapture("db-([a-z]+)-[0-9]+", in: "db-ams-3") == "ams")
        #expect(try HostnamePattern.firstCapture("db-([a-z]+)-[0-9]+", in: "other") == nil)
        #expect(throws: (any Error).self) { try HostnamePattern.firstCapture("(", in: "x") }
    }
}
