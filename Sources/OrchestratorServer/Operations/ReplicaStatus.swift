import OrchestratorCore

/// The fields of `SHOW SLAVE STATUS` / `SHOW REPLICA STATUS` the operations need, read with either
/// column spelling (`Master_*`/`Slave_*` or MySQL 8.0.22+'s `Source_*`/`Replica_*`).
public struct ReplicaStatus: Sendable, Equatable {
    public var masterHost: String
    public var masterPort: Int
    public var masterUser: String
    /// `Yes`, `No` or `Connecting`.
    public var ioThread: String
    /// `Yes` or `No`.
    public var sqlThread: String
    public var lastIOErrno: Int
    public var lastIOError: String
    public var lastSQLErrno: Int
    public var lastSQLError: String
    /// Where the IO thread has read to in the master's binary logs.
    public var readCoordinates: BinlogCoordinates
    /// Where the SQL thread has applied to, in the master's binary logs.
    public var execCoordinates: BinlogCoordinates
    /// `Slave_SQL_Running_State`, e.g. "Slave has read all relay log; waiting for more updates".
    public var sqlRunningState: String
    /// MariaDB `Using_Gtid` (`No`, `Slave_Pos`, `Current_Pos`); MySQL: `Auto_Position` 1 -> `Auto_Position`.
    public var gtidMode: String
    /// MariaDB `Gtid_IO_Pos`, MySQL `Retrieved_Gtid_Set`.
    public var retrievedGTIDs: String
    /// MySQL `Master_UUID` / `Source_UUID` ("" on MariaDB).
    public var masterUUID: String
    public var secondsBehindMaster: Int?
    /// `SQL_Delay` (configured delay, seconds).
    public var sqlDelay: Int

    public var ioRunning: Bool { ioThread.lowercased() == "yes" }
    public var sqlRunning: Bool { sqlThread.lowercased() == "yes" }
    /// Either thread exists (an IO thread that is `Connecting` counts).
    public var threadsActive: Bool { sqlRunning || (!ioThread.isEmpty && ioThread.lowercased() != "no") }
    /// Both threads running.
    public var isReplicating: Bool { ioRunning && sqlRunning }
    /// Replication is positioned by GTID (MariaDB slave_pos/current_pos, MySQL auto-position).
    public var usesGTID: Bool { !gtidMode.isEmpty && gtidMode.lowercased() != "no" }
    /// The master as an instance key.
    public var masterKey: InstanceKey { InstanceKey(hostname: masterHost, port: masterPort) }

    /// The SQL thread has applied everything the IO thread read.
    public var sqlThreadCaughtUp: Bool {
        (!readCoordinates.isEmpty && readCoordinates.logFile == execCoordinates.logFile
            && readCoordinates.logPos == execCoordinates.logPos)
            || sqlRunningState.lowercased().contains("read all relay log")
    }

    /// Nil when the server is not a replica (empty result).
    public init?(_ result: MySQLResultSet) {
        guard let row = result.first else { return nil }
        func text(_ names: String...) -> String { names.lazy.compactMap { row[$0] }.first ?? "" }
        func number(_ names: String...) -> Int? { names.lazy.compactMap { row.int($0) }.first.map { Int($0) } }
        masterHost = text("Master_Host", "Source_Host")
        masterPort = number("Master_Port", "Source_Port") ?? 0
        masterUser = text("Master_User", "Source_User")
        ioThread = text("Slave_IO_Running", "Replica_IO_Running")
        sqlThread = text("Slave_SQL_Running", "Replica_SQL_Running")
        lastIOErrno = number("Last_IO_Errno") ?? 0
        lastIOError = text("Last_IO_Error")
        lastSQLErrno = number("Last_SQL_Errno") ?? 0
        lastSQLError = text("Last_SQL_Error")
        readCoordinates = BinlogCoordinates(
            logFile: text("Master_Log_File", "Source_Log_File"),
            logPos: Int64(number("Read_Master_Log_Pos", "Read_Source_Log_Pos") ?? 0))
        execCoordinates = BinlogCoordinates(
            logFile: text("Relay_Master_Log_File", "Relay_Source_Log_File"),
            logPos: Int64(number("Exec_Master_Log_Pos", "Exec_Source_Log_Pos") ?? 0))
        sqlRunningState = text("Slave_SQL_Running_State", "Replica_SQL_Running_State")
        if row.has("Using_Gtid") {
            gtidMode = text("Using_Gtid")
        } else {
            gtidMode = number("Auto_Position") == 1 ? "Auto_Position" : "No"
        }
        retrievedGTIDs = text("Gtid_IO_Pos", "Retrieved_Gtid_Set")
        masterUUID = text("Master_UUID", "Source_UUID")
        secondsBehindMaster = number("Seconds_Behind_Master", "Seconds_Behind_Source")
        sqlDelay = number("SQL_Delay") ?? 0
    }

    /// One line for errors and logs: `master 127.0.0.1:3306, IO Connecting (2003: ...), SQL Yes`.
    public var summary: String {
        var io = "IO \(ioThread)"
        if lastIOErrno != 0 { io += " (\(lastIOErrno): \(lastIOError))" }
        var sql = "SQL \(sqlThread)"
        if lastSQLErrno != 0 { sql += " (\(lastSQLErrno): \(lastSQLError))" }
        return "master \(masterHost):\(masterPort), \(io), \(sql)"
    }
}
