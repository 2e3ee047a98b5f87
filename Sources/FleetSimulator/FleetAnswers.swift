/// One simulated server's answers to the statements orchd's prober sends, with the columns (names,
/// types, lengths, flags) MariaDB 10.11 returns for them. Anything else is refused with an ERR packet,
/// so a new prober query shows up as a failing probe instead of a made-up answer.
struct FleetAnswers {
    typealias Column = MySQLWire.Column
    let model: FleetModel
    let server: FleetModel.Server
    let servers: [Int: FleetModel.Server]
    let now: Double

    static let binlogFile = "binlog.000001"
    static let version = "10.11.19-MariaDB-log"

    func answer(_ sql: String) -> FleetModel.Reply {
        let text = sql.trimmingCharacters()
        let upper = text.uppercased()
        if upper.hasPrefix("SHOW GLOBAL VARIABLES") || upper.hasPrefix("SHOW VARIABLES") {
            return .resultSet(nameValue(variables(), filter: Self.quotedNames(text), table: "SESSION_VARIABLES"))
        }
        if upper.hasPrefix("SHOW GLOBAL STATUS") || upper.hasPrefix("SHOW STATUS") {
            return .resultSet(nameValue(status(), filter: Self.quotedNames(text), table: "SESSION_STATUS"))
        }
        if upper == "SHOW MASTER STATUS" || upper == "SHOW BINLOG STATUS" { return .resultSet(masterStatus()) }
        if upper == "SHOW BINARY LOGS" || upper == "SHOW MASTER LOGS" { return .resultSet(binaryLogs()) }
        if upper.hasPrefix("SELECT BINLOG_GTID_POS(") {
            // The column is named after the expression as written; the first binary log starts empty.
            let expression = String(text.dropFirst("SELECT ".count))
            return .resultSet(.init(columns: [Column(name: expression, type: .longBlob, flags: [], length: 50_331_648,
                                                     charset: 33, decimals: 39)], rows: [[""]]))
        }
        if upper == "SHOW SLAVE STATUS" || upper == "SHOW REPLICA STATUS" { return .resultSet(replicaStatus()) }
        if upper == "SHOW SLAVE HOSTS" || upper == "SHOW REPLICA HOSTS" { return .resultSet(replicaHosts()) }
        if upper.contains("FROM INFORMATION_SCHEMA.PROCESSLIST") && upper.contains("REPLICA_HOSTNAME") {
            return .resultSet(processlistReplicas())
        }
        // Scripts/sandbox's meta.cluster table (DetectClusterAliasQuery / DetectClusterDomainQuery).
        for (column, value) in [("cluster_name", model.alias(ofCluster: server.cluster)), ("cluster_domain", "fleet")]
        where upper.hasPrefix("SELECT \(column.uppercased()) FROM META.CLUSTER") {
            let c = Column(name: column, type: .varString, flags: .notNull, length: 384, charset: 33, decimals: 0,
                           schema: "meta", table: "cluster", orgTable: "cluster", orgName: column)
            return .resultSet(.init(columns: [c], rows: [[value]]))
        }
        if upper.hasPrefix("SELECT @@"), let reply = selectVariable(text) { return reply }
        if upper == "SELECT 1" {
            return .resultSet(.init(columns: [Column(name: "1", type: .long, flags: [.notNull, .binary, .num], length: 1,
                                                     charset: 63, decimals: 0)], rows: [["1"]]))
        }
        if upper.hasPrefix("SET ") || upper.hasPrefix("USE ") { return .ok }
        if upper.hasPrefix("DO SLEEP("), upper.hasSuffix(")"),
           let seconds = Double(upper.dropFirst("DO SLEEP(".count).dropLast()), seconds >= 0, seconds < 3600 {
            // The leader's MasterWatch holds one such query open per master.
            return .okAfter(seconds: seconds)
        }
        return .error(code: 1064, sqlState: "42000", message: "orchd-fleet-sim does not simulate this statement")
    }

    // MARK: - Variables and status

    private var isReplica: Bool { server.masterPort != nil }
    private var master: FleetModel.Server? { server.masterPort.flatMap { servers[$0] } }

    func variables() -> [String: String] {
        let gtid = model.gtid(server, in: servers, now: now)
        return [
            "binlog_format": "ROW", "binlog_row_image": "FULL", "gtid_binlog_pos": gtid, "gtid_current_pos": gtid,
            "gtid_domain_id": "0", "gtid_slave_pos": isReplica ? gtid : "", "gtid_strict_mode": "ON", "log_bin": "ON",
            "log_slave_updates": "ON", "read_only": server.readOnly ? "ON" : "OFF", "report_host": model.options.host,
            "report_port": String(server.port), "rpl_semi_sync_master_enabled": "OFF",
            "rpl_semi_sync_master_timeout": "10000", "rpl_semi_sync_slave_enabled": "OFF",
            "server_id": String(server.serverID), "version": Self.version, "version_comment": "orchd-fleet-sim",
            "hostname": "fleet-sim", "port": String(server.port),
        ]
    }

    func status() -> [String: String] {
        [
            "Rpl_semi_sync_master_clients": "0", "Rpl_semi_sync_master_status": "OFF",
            "Rpl_semi_sync_slave_status": "OFF", "Uptime": String(model.uptimeSeconds),
        ]
    }

    /// The names in a `... IN ('a', 'b')` list (the prober binds them as quoted literals).
    static func quotedNames(_ sql: String) -> Set<String>? {
        guard let offset = sql.offset(after: " IN ") ?? sql.offset(after: " IN(") else { return nil }
        var names: Set<String> = []
        var current: String?
        for ch in String(decoding: sql.utf8.dropFirst(offset), as: UTF8.self) {
            if ch == "'" {
                if let c = current { names.insert(c.lowercased()); current = nil } else { current = "" }
            } else if current != nil {
                current!.append(ch)
            }
        }
        return names
    }

    /// `Variable_name`/`Value` rows in name order, as MariaDB lists them.
    private func nameValue(_ values: [String: String], filter: Set<String>?, table: String) -> MySQLWire.ResultSet {
        let columns = [
            Column(name: "Variable_name", type: .varString, flags: [.notNull, .noDefaultValue], length: 192, charset: 33,
                   decimals: 0, schema: "information_schema", table: table, orgTable: table, orgName: "VARIABLE_NAME"),
            Column(name: "Value", type: .varString, flags: [.notNull, .noDefaultValue], length: 12_288, charset: 33,
                   decimals: 0, schema: "information_schema", table: table, orgTable: table, orgName: "VARIABLE_VALUE"),
        ]
        let rows = values.keys.sorted { $0.lowercased() < $1.lowercased() }
            .filter { filter?.contains($0.lowercased()) ?? true }
            .map { [$0, values[$0]] as [String?] }
        return .init(columns: columns, rows: rows)
    }

    private func selectVariable(_ text: String) -> FleetModel.Reply? {
        var expression = String(text.dropFirst("SELECT ".count))
        if let end = expression.offset(after: " LIMIT ") {
            expression = String(decoding: expression.utf8.prefix(end - " LIMIT ".utf8.count), as: UTF8.self)
        }
        var name = expression.dropFirst(2).lowercased()
        for prefix in ["global.", "session."] where name.hasPrefix(prefix) { name = String(name.dropFirst(prefix.count)) }
        guard let value = variables()[name] else { return nil }
        return .resultSet(.init(columns: [Column.text(expression, 192, nullable: true)], rows: [[value]]))
    }

    // MARK: - Binary logs

    private var binlogPosition: Int64 { 256 + model.sequence(server, in: servers, now: now) * 330 }

    func masterStatus() -> MySQLWire.ResultSet {
        .init(columns: [Column.text("File", 1536), Column.uint("Position", 20, long: true),
                        Column.text("Binlog_Do_DB", 765), Column.text("Binlog_Ignore_DB", 765)],
              rows: [[Self.binlogFile, String(binlogPosition), "", ""]])
    }

    func binaryLogs() -> MySQLWire.ResultSet {
        .init(columns: [Column.text("Log_name", 765), Column.uint("File_size", 20, long: true)],
              rows: [[Self.binlogFile, String(binlogPosition)]])
    }

    // MARK: - Replication

    static let replicaStatusColumns: [Column] = [
        .text("Slave_IO_State", 90), .text("Master_Host", 2298), .text("Master_User", 1155), .uint("Master_Port", 7),
        .uint("Connect_Retry", 10), .text("Master_Log_File", 1536), .uint("Read_Master_Log_Pos", 10, long: true),
        .text("Relay_Log_File", 1536), .uint("Relay_Log_Pos", 10, long: true), .text("Relay_Master_Log_File", 1536),
        .text("Slave_IO_Running", 9), .text("Slave_SQL_Running", 9), .text("Replicate_Do_DB", 60),
        .text("Replicate_Ignore_DB", 60), .text("Replicate_Do_Table", 60), .text("Replicate_Ignore_Table", 69),
        .text("Replicate_Wild_Do_Table", 72), .text("Replicate_Wild_Ignore_Table", 84), .uint("Last_Errno", 4),
        .text("Last_Error", 60), .uint("Skip_Counter", 10), .uint("Exec_Master_Log_Pos", 10, long: true),
        .uint("Relay_Log_Space", 10, long: true), .text("Until_Condition", 18), .text("Until_Log_File", 1536),
        .uint("Until_Log_Pos", 10, long: true), .text("Master_SSL_Allowed", 21), .text("Master_SSL_CA_File", 1536),
        .text("Master_SSL_CA_Path", 1536), .text("Master_SSL_Cert", 1536), .text("Master_SSL_Cipher", 1536),
        .text("Master_SSL_Key", 1536), .uint("Seconds_Behind_Master", 10, long: true),
        .text("Master_SSL_Verify_Server_Cert", 9), .uint("Last_IO_Errno", 4), .text("Last_IO_Error", 60),
        .uint("Last_SQL_Errno", 4), .text("Last_SQL_Error", 60), .text("Replicate_Ignore_Server_Ids", 1536),
        .uint("Master_Server_Id", 8), .text("Master_SSL_Crl", 1536), .text("Master_SSL_Crlpath", 1536),
        .text("Using_Gtid", 33), .text("Gtid_IO_Pos", 90), .text("Replicate_Do_Domain_Ids", 1536),
        .text("Replicate_Ignore_Domain_Ids", 1536), .text("Parallel_Mode", 36), .uint("SQL_Delay", 10),
        .uint("SQL_Remaining_Delay", 8), .text("Slave_SQL_Running_State", 60), .uint("Slave_DDL_Groups", 20, long: true),
        .uint("Slave_Non_Transactional_Groups", 20, long: true), .uint("Slave_Transactional_Groups", 20, long: true),
        .text("Replicate_Rewrite_DB", 69),
    ]

    func replicaStatus() -> MySQLWire.ResultSet {
        guard let master else { return .init(columns: Self.replicaStatusColumns, rows: []) }
        let masterDown = master.health == .down
        let io = server.ioRunning && !masterDown
        let sql = server.sqlRunning
        let sequence = model.sequence(server, in: servers, now: now)
        let position = String(256 + sequence * 330)
        let ioState = !server.ioRunning ? "" : masterDown ? "Reconnecting after a failed master event read"
            : "Waiting for master to send event"
        let ioError = server.ioRunning && masterDown
            ? "error reconnecting to master '\(model.options.user)@\(model.options.host):\(master.port)' - retry-time: 1  "
                + "maximum-retries: 100000  message: Can't connect to server on '\(model.options.host)' (111 \"Connection refused\")"
            : ""
        let values: [String: String?] = [
            "Slave_IO_State": ioState, "Master_Host": model.options.host, "Master_User": model.options.user,
            "Master_Port": String(master.port), "Connect_Retry": "1", "Master_Log_File": Self.binlogFile,
            "Read_Master_Log_Pos": position, "Relay_Log_File": "relay.000002", "Relay_Log_Pos": position,
            "Relay_Master_Log_File": Self.binlogFile,
            "Slave_IO_Running": io ? "Yes" : (server.ioRunning ? "Connecting" : "No"),
            "Slave_SQL_Running": sql ? "Yes" : "No", "Last_Errno": "0", "Last_Error": "", "Skip_Counter": "0",
            "Exec_Master_Log_Pos": position, "Relay_Log_Space": position, "Until_Condition": "None",
            "Until_Log_File": "", "Until_Log_Pos": "0", "Master_SSL_Allowed": "No",
            "Seconds_Behind_Master": io && sql ? String(server.lagSeconds) : nil,
            "Master_SSL_Verify_Server_Cert": "No", "Last_IO_Errno": ioError.isEmpty ? "0" : "2003",
            "Last_IO_Error": ioError, "Last_SQL_Errno": "0", "Last_SQL_Error": "",
            "Master_Server_Id": String(master.serverID), "Using_Gtid": "Slave_Pos",
            "Gtid_IO_Pos": model.gtid(server, in: servers, now: now), "Parallel_Mode": "optimistic", "SQL_Delay": "0",
            "SQL_Remaining_Delay": nil,
            "Slave_SQL_Running_State": sql ? "Slave has read all relay log; waiting for more updates" : "",
            "Slave_DDL_Groups": "0", "Slave_Non_Transactional_Groups": "0",
            "Slave_Transactional_Groups": String(sequence),
        ]
        let row = Self.replicaStatusColumns.map { column -> String? in
            if let value = values[column.name] { return value }
            return ""
        }
        return .init(columns: Self.replicaStatusColumns, rows: [row])
    }

    private var replicas: [FleetModel.Server] {
        // Only this server's cluster can replicate from it (the ports of cluster c are consecutive).
        let first = model.options.basePort + server.cluster * model.options.clusterSize
        return (first..<first + model.options.clusterSize).reversed().compactMap { servers[$0] }
            .filter { $0.masterPort == server.port && $0.health != .down && $0.ioRunning }
    }

    func replicaHosts() -> MySQLWire.ResultSet {
        .init(columns: [.uint("Server_id", 10), .text("Host", 60), .uint("Port", 7), .uint("Master_id", 10)],
              rows: replicas.map { [String($0.serverID), model.options.host, String($0.port), String(server.serverID)] })
    }

    func processlistReplicas() -> MySQLWire.ResultSet {
        .init(columns: [Column.text("replica_hostname", 192, nullable: true)],
              rows: replicas.map { _ in [model.options.host] })
    }
}

extension String {
    /// The UTF-8 offset just past the first case-insensitive (ASCII) occurrence of `needle`.
    func offset(after needle: String) -> Int? {
        let hay = Array(utf8).map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }
        let pin = Array(needle.uppercased().utf8)
        guard !pin.isEmpty, hay.count >= pin.count else { return nil }
        for i in 0...(hay.count - pin.count) where hay[i..<i + pin.count].elementsEqual(pin) { return i + pin.count }
        return nil
    }

    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\n" || c == "\t" || c == "\r" || c == ";" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\n" || c == "\t" || c == "\r" || c == ";" { s = s.dropLast() }
        return String(s)
    }
}
