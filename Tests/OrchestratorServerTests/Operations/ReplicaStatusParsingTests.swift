import Foundation
import OrchestratorCore
@testable import OrchestratorServer
import Testing

/// Status parsing with both column spellings, the errors' wording, and the step log.
@Suite struct ReplicaStatusParsingTests {
    @Test("SHOW SLAVE STATUS (MariaDB) and SHOW REPLICA STATUS (MySQL 8.0.22+) read the same")
    func bothSpellings() throws {
        let maria = MySQLResultSet(
            columns: ["Master_Host", "Master_Port", "Slave_IO_Running", "Slave_SQL_Running", "Master_Log_File",
                      "Read_Master_Log_Pos", "Relay_Master_Log_File", "Exec_Master_Log_Pos", "Using_Gtid",
                      "Gtid_IO_Pos", "Last_IO_Errno", "Last_IO_Error", "SQL_Delay", "Slave_SQL_Running_State"],
            rows: [["127.0.0.1", "3307", "Connecting", "Yes", "binlog.000002", "900", "binlog.000002", "800",
                    "Slave_Pos", "0-1-5", "2003", "Can't connect", "0", "Reading event from the relay log"]])
        let m = try #require(ReplicaStatus(maria))
        #expect(m.masterKey == InstanceKey(hostname: "127.0.0.1", port: 3307))
        #expect(!m.ioRunning && m.sqlRunning && !m.isReplicating && m.threadsActive)
        #expect(m.usesGTID)
        #expect(!m.sqlThreadCaughtUp)
        #expect(m.summary == "master 127.0.0.1:3307, IO Connecting (2003: Can't connect), SQL Yes")

        let mysql = MySQLResultSet(
            columns: ["Source_Host", "Source_Port", "Replica_IO_Running", "Replica_SQL_Running", "Source_Log_File",
                      "Read_Source_Log_Pos", "Relay_Source_Log_File", "Exec_Source_Log_Pos", "Auto_Position",
                      "Source_UUID", "Replica_SQL_Running_State"],
            rows: [["db1", "3306", "Yes", "Yes", "b.000001", "500", "b.000001", "500", "1", "u-1",
                    "Replica has read all relay log; waiting for more updates"]])
        let s = try #require(ReplicaStatus(mysql))
        #expect(s.isReplicating && s.usesGTID && s.sqlThreadCaughtUp && s.masterUUID == "u-1")
        #expect(ReplicaStatus(MySQLResultSet(columns: ["Master_Host"], rows: [])) == nil)
    }

    @Test("errors name instance, operation, statement kind and code, never the password")
    func errorWording() {
        let error = ReplicationOperationError.wrap(
            MySQLError(code: 1198, message: "This operation cannot be performed as you have a running slave", endpoint: "x"),
            instance: InstanceKey(hostname: "db-3", port: 3306), operation: "change-master", statementKind: "CHANGE MASTER TO")
        #expect(error.description == "db-3:3306: change-master failed at CHANGE MASTER TO: MySQL error 1198: "
            + "This operation cannot be performed as you have a running slave")
        #expect(error.reason == .mysql && error.code == 1198)
        let refused = ReplicationOperationError.wrap(
            ReplicationSQLError.invalidValue("bad"), instance: InstanceKey(hostname: "h", port: 1), operation: "repoint",
            statementKind: nil)
        #expect(refused.reason == .invalidValue)
    }

    @Test("the next GTID after the master's last executed one (MySQL skip-query)")
    func nextGTID() throws {
        let context = OperationContext(instance: InstanceKey(hostname: "h", port: 1), operation: "skip-query", mode: .execute, pollInterval: 10)
        let uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
        #expect(try ReplicationOperations.nextGTID(
            executed: "\(uuid):1-5:7-9,4e11fa47-71ca-11e1-9e33-c80aa9429562:1-100", masterUUID: uuid.uppercased(), context: context)
            == "\(uuid.uppercased()):10")
        #expect(try ReplicationOperations.nextGTID(executed: "", masterUUID: uuid, context: context) == "\(uuid):1")
        #expect(throws: ReplicationOperationError.self) {
            try ReplicationOperations.nextGTID(executed: "", masterUUID: "", context: context)
        }
    }

    @Test("the step log keeps order, outcome and masked SQL")
    func log() throws {
        let log = OperationLog()
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        log.append(OperationLogEntry(
            name: "stop-replica", instance: InstanceKey(hostname: "h", port: 2), statements: ["STOP SLAVE"], startedAt: t,
            endedAt: t.addingTimeInterval(0.012), dryRun: false, error: nil, note: nil))
        log.append(OperationLogEntry(
            name: "change-master", instance: InstanceKey(hostname: "h", port: 2), statements: [], startedAt: t,
            endedAt: t, dryRun: false, error: "h:2: change-master failed", note: nil))
        #expect(log.lines == ["ok 12ms stop-replica h:2: STOP SLAVE", "error 0ms change-master h:2 -- h:2: change-master failed"])
        let data = try JSONEncoder().encode(log.entries)
        #expect(try JSONDecoder().decode([OperationLogEntry].self, from: data) == log.entries)
    }

    @Test("options from the configuration follow UseSuperReadOnly; no replication user configured keeps replicas' own")
    func optionsFromConfiguration() {
        var c = OrchestratorConfiguration()
        let defaults = ReplicationOperations.Options(configuration: c)
        #expect(defaults.credentials == nil && !defaults.useSuperReadOnly && defaults.connectRetrySeconds == 1)
        c.set("UseSuperReadOnly", .bool(true))
        #expect(ReplicationOperations.Options(configuration: c).useSuperReadOnly)
    }
}
