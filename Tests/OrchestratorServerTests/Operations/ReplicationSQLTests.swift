import OrchestratorCore
@testable import OrchestratorServer
import Testing

/// The statements of every operation for each flavour and version: MySQL cannot run here, so its SQL is
/// checked as text; MariaDB's is also exercised against real servers in the integration tests.
@Suite struct ReplicationSQLTests {
    static let credentials = ReplicationCredentials(user: "repl", password: "s3cret'pw")

    @Test("versions parse into flavour and spelling")
    func dialects() {
        let maria = ReplicationDialect(version: "10.11.19-MariaDB-0+deb12u1-log")
        #expect(maria.isMariaDB && maria.major == 10 && maria.minor == 11 && maria.patch == 19)
        #expect(ReplicationDialect(version: "5.5.5-10.6.12-MariaDB").major == 10)
        #expect(ReplicationDialect(version: "8.0.36", versionComment: "MySQL Community Server - GPL").isMySQL)
        #expect(!ReplicationDialect(version: "8.0.21").usesReplicaKeyword)
        #expect(ReplicationDialect(version: "8.0.22").usesReplicaKeyword)
        #expect(!ReplicationDialect(version: "8.0.22").usesSourceKeyword)
        #expect(ReplicationDialect(version: "8.0.23-log").usesSourceKeyword)
        #expect(!ReplicationDialect(version: "10.11.6-MariaDB").usesReplicaKeyword)
        #expect(ReplicationDialect(version: "5.7.44-log").hasSuperReadOnly)
        #expect(!maria.hasSuperReadOnly)
    }

    @Test("thread control spellings", arguments: [
        (ReplicationDialect.mariadb10_11, "STOP SLAVE", "START SLAVE", "RESET SLAVE ALL", "SHOW SLAVE STATUS"),
        (ReplicationDialect.mysql5_7, "STOP SLAVE", "START SLAVE", "RESET SLAVE ALL", "SHOW SLAVE STATUS"),
        (ReplicationDialect.mysql8_0_21, "STOP SLAVE", "START SLAVE", "RESET SLAVE ALL", "SHOW SLAVE STATUS"),
        (ReplicationDialect.mysql8_0, "STOP REPLICA", "START REPLICA", "RESET REPLICA ALL", "SHOW REPLICA STATUS"),
        (ReplicationDialect.mysql8_4, "STOP REPLICA", "START REPLICA", "RESET REPLICA ALL", "SHOW REPLICA STATUS"),
    ])
    func threads(dialect: ReplicationDialect, stop: String, start: String, reset: String, status: String) {
        let sql = ReplicationSQL(dialect)
        #expect(sql.stopReplication().display == stop)
        #expect(sql.stopIOThread().display == stop + " IO_THREAD")
        #expect(sql.startReplication().display == start)
        #expect(sql.resetReplica(all: true).display == reset)
        #expect(sql.resetReplica(all: false).display == String(reset.dropLast(4)))
        #expect(sql.replicaStatus().display == status)
    }

    @Test("CHANGE MASTER on MariaDB: escaped literals, integer port, GTID modes, masked password")
    func changeMasterMariaDB() throws {
        let sql = ReplicationSQL(.mariadb10_11)
        let s = try sql.changeMaster(
            host: "db-2.example", port: 3307, credentials: Self.credentials, positioning: .mariadbSlavePos,
            connectRetrySeconds: 1)
        #expect(s.kind == "CHANGE MASTER TO")
        #expect(s.display == "CHANGE MASTER TO MASTER_HOST='db-2.example', MASTER_PORT=3307, MASTER_USER='repl', "
            + "MASTER_PASSWORD='****', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1")
        #expect(!s.display.contains("s3cret"))
        // What the server gets (rendered with the same escaping): the password, escaped.
        let sent = try MySQLStatementRenderer.render(s.template, s.values, escape: SQLEscaping.literalBody)
        #expect(sent.contains("MASTER_PASSWORD='s3cret\\'pw'"))

        let current = try sql.changeMaster(host: "h", port: 1, credentials: nil, positioning: .mariadbCurrentPos)
        #expect(current.display == "CHANGE MASTER TO MASTER_HOST='h', MASTER_PORT=1, MASTER_USE_GTID=current_pos")
        #expect(try sql.changeMaster(host: "h", port: 1, credentials: nil, positioning: .gtid).display.hasSuffix("MASTER_USE_GTID=slave_pos"))
        let coords = try sql.changeMaster(host: "h", port: 1, credentials: nil, positioning: .coordinates(file: "binlog.000003", position: 1234))
        #expect(coords.display.hasSuffix("MASTER_LOG_FILE='binlog.000003', MASTER_LOG_POS=1234, MASTER_USE_GTID=no"))
        #expect(throws: ReplicationSQLError.self) {
            try sql.changeMaster(host: "h", port: 1, credentials: nil, positioning: .mysqlAutoPosition)
        }
    }

    @Test("CHANGE MASTER on MySQL 5.7 / 8.0 / 8.4")
    func changeMasterMySQL() throws {
        let old = try ReplicationSQL(.mysql5_7).changeMaster(host: "h", port: 3306, credentials: Self.credentials, positioning: .gtid)
        #expect(old.display == "CHANGE MASTER TO MASTER_HOST='h', MASTER_PORT=3306, MASTER_USER='repl', MASTER_PASSWORD='****', MASTER_AUTO_POSITION=1")
        for dialect in [ReplicationDialect.mysql8_0, .mysql8_4] {
            let new = try ReplicationSQL(dialect).changeMaster(
                host: "h", port: 3306, credentials: Self.credentials, positioning: .mysqlAutoPosition)
            #expect(new.kind == "CHANGE REPLICATION SOURCE TO")
            #expect(new.display == "CHANGE REPLICATION SOURCE TO SOURCE_HOST='h', SOURCE_PORT=3306, SOURCE_USER='repl', "
                + "SOURCE_PASSWORD='****', SOURCE_AUTO_POSITION=1")
            let coords = try ReplicationSQL(dialect).changeMaster(
                host: "h", port: 3306, credentials: nil, positioning: .coordinates(file: "b.000001", position: 4))
            #expect(coords.display.hasSuffix("SOURCE_LOG_FILE='b.000001', SOURCE_LOG_POS=4, SOURCE_AUTO_POSITION=0"))
            #expect(try ReplicationSQL(dialect).changeMasterDelay(seconds: 30).display == "CHANGE REPLICATION SOURCE TO SOURCE_DELAY=30")
        }
        #expect(throws: ReplicationSQLError.self) {
            try ReplicationSQL(.mysql8_0).changeMaster(host: "h", port: 1, credentials: nil, positioning: .mariadbSlavePos)
        }
    }

    @Test("hostile values: hostnames with quotes or spaces are refused, users are escaped", arguments: [
        "evil'host", "a b", "x;DROP DATABASE meta", "", "h\u{0}", "host\"", "h`", "h\\",
    ])
    func hostileHostnames(host: String) {
        #expect(throws: ReplicationSQLError.self) {
            try ReplicationSQL(.mariadb10_11).changeMaster(host: host, port: 3306, credentials: nil, positioning: .gtid)
        }
    }

    @Test("escaping of users and positions; ports and delays out of range are refused")
    func escaping() throws {
        let sql = ReplicationSQL(.mariadb10_11)
        let s = try sql.changeMaster(
            host: "::1", port: 3306, credentials: ReplicationCredentials(user: "o'brien\\", password: "x"),
            positioning: .keep)
        #expect(s.display == "CHANGE MASTER TO MASTER_HOST='::1', MASTER_PORT=3306, MASTER_USER='o\\'brien\\\\', MASTER_PASSWORD='****'")
        #expect(try sql.waitForGTID("0-1-5' OR 1=1 --", timeoutSeconds: 2).display
            == "SELECT MASTER_GTID_WAIT('0-1-5\\' OR 1=1 --', 2.0) AS result")
        #expect(throws: ReplicationSQLError.self) { try sql.changeMaster(host: "h", port: 0, credentials: nil, positioning: .gtid) }
        #expect(throws: ReplicationSQLError.self) { try sql.changeMaster(host: "h", port: 70000, credentials: nil, positioning: .gtid) }
        #expect(throws: ReplicationSQLError.self) { try sql.changeMasterDelay(seconds: -1) }
        #expect(throws: ReplicationSQLError.self) {
            try sql.changeMaster(host: "h", port: 1, credentials: ReplicationCredentials(user: "", password: ""), positioning: .gtid)
        }
        #expect(SQLEscaping.literal("a\u{0}\n\r\u{1A}\"") == "'a\\0\\n\\r\\Z\\\"'")
        // The detached-host prefix is accepted only where asked for.
        #expect(throws: ReplicationSQLError.self) { try ReplicationSQL.validateHostname("//h") }
        #expect(try sql.changeMasterHost("//h", keepingCoordinates: ("binlog.000002", 345)).display
            == "CHANGE MASTER TO MASTER_HOST='//h', MASTER_LOG_FILE='binlog.000002', MASTER_LOG_POS=345")
    }

    @Test("read_only and super_read_only in the order the server needs")
    func readOnly() {
        #expect(ReplicationSQL(.mariadb10_11).setReadOnly(true, superReadOnly: true).map(\.display) == ["SET GLOBAL read_only = 1"])
        #expect(ReplicationSQL(.mariadb10_11).setReadOnly(false, superReadOnly: true).map(\.display) == ["SET GLOBAL read_only = 0"])
        #expect(ReplicationSQL(.mysql8_0).setReadOnly(true, superReadOnly: true).map(\.display)
            == ["SET GLOBAL read_only = 1", "SET GLOBAL super_read_only = 1"])
        #expect(ReplicationSQL(.mysql8_0).setReadOnly(true, superReadOnly: false).map(\.display) == ["SET GLOBAL read_only = 1"])
        // Making writable always clears super_read_only first, or read_only=0 would not make it writable.
        #expect(ReplicationSQL(.mysql5_7).setReadOnly(false, superReadOnly: false).map(\.display)
            == ["SET GLOBAL super_read_only = 0", "SET GLOBAL read_only = 0"])
    }

    @Test("GTID waits, state, empty transactions, reset master")
    func gtid() throws {
        #expect(try ReplicationSQL(.mysql8_0).waitForGTID("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5", timeoutSeconds: 1.5).display
            == "SELECT WAIT_FOR_EXECUTED_GTID_SET('3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5', 1.5) AS result")
        #expect(ReplicationSQL(.mariadb10_11).gtidStateQuery().template.contains("gtid_current_pos"))
        #expect(ReplicationSQL(.mysql5_7).gtidStateQuery().template.contains("gtid_executed"))
        let inject = try ReplicationSQL(.mysql8_0).injectEmptyTransaction("uuid-1:7")
        #expect(inject.map(\.display) == ["SET GTID_NEXT = 'uuid-1:7'", "BEGIN", "COMMIT", "SET GTID_NEXT = 'AUTOMATIC'"])
        do {
            _ = try ReplicationSQL(.mariadb10_11).injectEmptyTransaction("0-1-5")
            Issue.record("MariaDB has no GTID_NEXT")
        } catch {
            #expect(error.description.contains("skip-query"))
        }
        #expect(try ReplicationSQL(.mysql8_0).resetMaster(gtidPurged: "u:1-3").map(\.display)
            == ["RESET MASTER", "SET GLOBAL gtid_purged = 'u:1-3'"])
        #expect(try ReplicationSQL(.mysql8_4).resetMaster(gtidPurged: "u:1-3").first?.display == "RESET BINARY LOGS AND GTIDS")
        #expect(throws: ReplicationSQLError.self) { try ReplicationSQL(.mariadb10_11).resetMaster(gtidPurged: "") }
        #expect(try ReplicationSQL(.mariadb10_11).startReplication(untilGTID: "0-1-9").display == "START SLAVE UNTIL master_gtid_pos = '0-1-9'")
        #expect(try ReplicationSQL(.mysql8_0).startReplication(untilGTID: "u:1-9").display == "START REPLICA UNTIL SQL_AFTER_GTIDS = 'u:1-9'")
    }

    @Test("binlogs, semi-sync and skip spellings")
    func binlogsAndSemiSync() throws {
        let maria = ReplicationSQL(.mariadb10_11)
        #expect(maria.flushBinaryLogs().display == "FLUSH BINARY LOGS")
        #expect(try maria.purgeBinaryLogs(to: "binlog.000002").display == "PURGE BINARY LOGS TO 'binlog.000002'")
        #expect(try maria.setSemiSync(.master, enabled: true).display == "SET GLOBAL rpl_semi_sync_master_enabled = 1")
        #expect(try maria.setSemiSync(.replica, enabled: false).display == "SET GLOBAL rpl_semi_sync_slave_enabled = 0")
        #expect(try ReplicationSQL(.mysql8_0).setSemiSync(.master, enabled: true).display == "SET GLOBAL rpl_semi_sync_source_enabled = 1")
        #expect(try ReplicationSQL(.mysql8_0).setSemiSync(.replica, enabled: true).display == "SET GLOBAL rpl_semi_sync_replica_enabled = 1")
        #expect(try ReplicationSQL(.mysql5_7).setSemiSync(.replica, enabled: true).display == "SET GLOBAL rpl_semi_sync_slave_enabled = 1")
        // A MySQL 8.0.26+ server that still runs the old plugin has the old names.
        #expect(try ReplicationSQL(.mysql8_0).setSemiSync(
            .master, enabled: true, serverVariables: ["rpl_semi_sync_master_enabled"]).display
            == "SET GLOBAL rpl_semi_sync_master_enabled = 1")
        #expect(throws: ReplicationSQLError.self) { try ReplicationSQL(.mysql8_0).setSemiSync(.replica, enabled: true, serverVariables: []) }
        #expect(ReplicationSQL(.mariadb10_11).semiSyncVariablesQuery().display == "SHOW GLOBAL VARIABLES LIKE 'rpl\\_semi\\_sync\\_%\\_enabled'")
        #expect(maria.skipOneEventGroup().display == "SET GLOBAL sql_slave_skip_counter = 1")
        #expect(ReplicationSQL(.mysql8_0).skipOneEventGroup().display == "SET GLOBAL sql_replica_skip_counter = 1")
        #expect(ReplicationSQL(.mysql8_4).masterStatus().display == "SHOW BINARY LOG STATUS")
        #expect(maria.masterStatus().display == "SHOW MASTER STATUS")
    }
}
