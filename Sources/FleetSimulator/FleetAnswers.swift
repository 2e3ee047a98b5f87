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

    /// A statement as the simulator understands it. A statement's text is classified once (each
    /// connection keeps what it classified: a prober sends the same few statements every probe), and
    /// answered from the model's state each time it comes.
    enum Statement: Sendable {
        /// SHOW [GLOBAL] VARIABLES / STATUS: the names to list, in the order MariaDB lists them.
        case variables([String])
        case status([String])
        case masterStatus
        case binaryLogs
        /// SELECT BINLOG_GTID_POS(...): the column is named after the expression as written.
        case binlogGTIDPosition(expression: String)
        case replicaStatus
        case replicaHosts
        case processlistReplicas
        /// Scripts/sandbox's meta.cluster table (DetectClusterAliasQuery / DetectClusterDomainQuery).
        case metaCluster(column: String)
        case selectVariable(expression: String, name: String)
        case selectOne
        case ok
        /// DO SLEEP(n): the leader's MasterWatch holds one such query open per master.
        case sleep(seconds: Double)
        case unknown
    }

    static func classify(_ sql: String) -> Statement {
        let text = sql.trimmingCharacters()
        let upper = text.uppercased()
        if upper.hasPrefix("SHOW GLOBAL VARIABLES") || upper.hasPrefix("SHOW VARIABLES") {
            return .variables(listed(variableNames, filter: quotedNames(text)))
        }
        if upper.hasPrefix("SHOW GLOBAL STATUS") || upper.hasPrefix("SHOW STATUS") {
            return .status(listed(statusNames, filter: quotedNames(text)))
        }
        if upper == "SHOW MASTER STATUS" || upper == "SHOW BINLOG STATUS" { return .masterStatus }
        if upper == "SHOW BINARY LOGS" || upper == "SHOW MASTER LOGS" { return .binaryLogs }
        if upper.hasPrefix("SELECT BINLOG_GTID_POS(") {
            return .binlogGTIDPosition(expression: String(text.dropFirst("SELECT ".count)))
        }
        if upper == "SHOW SLAVE STATUS" || upper == "SHOW REPLICA STATUS" { return .replicaStatus }
        if upper == "SHOW SLAVE HOSTS" || upper == "SHOW REPLICA HOSTS" { return .replicaHosts }
        if upper.contains("FROM INFORMATION_SCHEMA.PROCESSLIST") && upper.contains("REPLICA_HOSTNAME") {
            return .processlistReplicas
        }
        for column in ["cluster_name", "cluster_domain"] where upper.hasPrefix("SELECT \(column.uppercased()) FROM META.CLUSTER") {
            return .metaCluster(column: column)
        }
        if upper.hasPrefix("SELECT @@") {
            var expression = String(text.dropFirst("SELECT ".count))
            if let end = expression.offset(after: " LIMIT ") {
                expression = String(decoding: expression.utf8.prefix(end - " LIMIT ".utf8.count), as: UTF8.self)
            }
            var name = expression.dropFirst(2).lowercased()
            for prefix in ["global.", "session."] where name.hasPrefix(prefix) { name = String(name.dropFirst(prefix.count)) }
            return variableNames.contains(name) ? .selectVariable(expression: expression, name: name) : .unknown
        }
        if upper == "SELECT 1" { return .selectOne }
        if upper.hasPrefix("SET ") || upper.hasPrefix("USE ") { return .ok }
        if upper.hasPrefix("DO SLEEP("), upper.hasSuffix(")"),
           let seconds = Double(upper.dropFirst("DO SLEEP(".count).dropLast()), seconds >= 0, seconds < 3600 {
            return .sleep(seconds: seconds)
        }
        return .unknown
    }

    func answer(_ sql: String) -> FleetModel.Reply { answer(Self.classify(sql)) }

    func answer(_ statement: Statement) -> FleetModel.Reply {
        switch statement {
        case .variables(let names):
            return .resultSet(.init(block: Self.variablesBlock, rows: names.map { [$0, variable($0)] }))
        case .status(let names):
            return .resultSet(.init(block: Self.statusBlock, rows: names.map { [$0, status($0)] }))
        case .masterStatus: return .resultSet(masterStatus())
        case .binaryLogs: return .resultSet(binaryLogs())
        case .binlogGTIDPosition(let expression):
            // The first binary log starts empty.
            return .resultSet(.init(columns: [Column(name: expression, type: .longBlob, flags: [], length: 50_331_648,
                                                     charset: 33, decimals: 39)], rows: [[""]]))
        case .replicaStatus: return .resultSet(replicaStatus())
        case .replicaHosts: return .resultSet(replicaHosts())
        case .processlistReplicas: return .resultSet(processlistReplicas())
        case .metaCluster(let column):
            let value = column == "cluster_name" ? model.alias(ofCluster: server.cluster) : "fleet"
            return .resultSet(.init(block: column == "cluster_name" ? Self.clusterNameBlock : Self.clusterDomainBlock,
                                    rows: [[value]]))
        case .selectVariable(let expression, let name):
            guard let value = variable(name) else { return Self.unknownStatement }
            return .resultSet(.init(columns: [Column.text(expression, 192, nullable: true)], rows: [[value]]))
        case .selectOne: return .resultSet(.init(block: Self.selectOneBlock, rows: [["1"]]))
        case .ok: return .ok
        case .sleep(let seconds): return .okAfter(seconds: seconds)
        case .unknown: return Self.unknownStatement
        }
    }

    static let unknownStatement = FleetModel.Reply.error(
        code: 1064, sqlState: "42000", message: "orchd-fleet-sim does not simulate this statement")

    static func metaColumn(_ column: String) -> Column {
        Column(name: column, type: .varString, flags: .notNull, length: 384, charset: 33, decimals: 0,
               schema: "meta", table: "cluster", orgTable: "cluster", orgName: column)
    }
    static let clusterNameBlock = MySQLWire.ColumnBlock([metaColumn("cluster_name")])
    static let clusterDomainBlock = MySQLWire.ColumnBlock([metaColumn("cluster_domain")])
    static let selectOneBlock = MySQLWire.ColumnBlock([Column(name: "1", type: .long, flags: [.notNull, .binary, .num],
                                                              length: 1, charset: 63, decimals: 0)])

    // MARK: - Variables and status

    private var isReplica: Bool { server.masterPort != nil }
    private var master: FleetModel.Server? { server.masterPort.flatMap { servers[$0] } }

    /// The variables the simulator has, in the order MariaDB lists them (by name).
    static let variableNames = [
        "binlog_format", "binlog_row_image", "gtid_binlog_pos", "gtid_current_pos", "gtid_domain_id", "gtid_slave_pos",
        "gtid_strict_mode", "hostname", "log_bin", "log_slave_updates", "port", "read_only", "report_host",
        "report_port", "rpl_semi_sync_master_enabled", "rpl_semi_sync_master_timeout", "rpl_semi_sync_slave_enabled",
        "server_id", "version", "version_comment",
    ]

    func variable(_ name: String) -> String? {
        switch name {
        case "binlog_format": return "ROW"
        case "binlog_row_image": return "FULL"
        case "gtid_binlog_pos", "gtid_current_pos": return model.gtid(server, in: servers, now: now)
        case "gtid_domain_id": return "0"
        case "gtid_slave_pos": return isReplica ? model.gtid(server, in: servers, now: now) : ""
        case "gtid_strict_mode", "log_bin", "log_slave_updates": return "ON"
        case "hostname": return "fleet-sim"
        case "port", "report_port": return String(server.port)
        case "read_only": return server.readOnly ? "ON" : "OFF"
        case "report_host": return model.options.host
        case "rpl_semi_sync_master_enabled", "rpl_semi_sync_slave_enabled": return "OFF"
        case "rpl_semi_sync_master_timeout": return "10000"
        case "server_id": return String(server.serverID)
        case "version": return Self.version
        case "version_comment": return "orchd-fleet-sim"
        default: return nil
        }
    }

    /// The status variables the simulator has, in the order MariaDB lists them.
    static let statusNames = [
        "Rpl_semi_sync_master_clients", "Rpl_semi_sync_master_status", "Rpl_semi_sync_slave_status", "Uptime",
    ]

    func status(_ name: String) -> String? {
        switch name {
        case "Rpl_semi_sync_master_clients": return "0"
        case "Rpl_semi_sync_master_status", "Rpl_semi_sync_slave_status": return "OFF"
        case "Uptime": return String(model.uptimeSeconds)
        default: return nil
        }
    }

    /// `names` (in their order) that the `IN (...)` list asks for, compared without case; all without a list.
    static func listed(_ names: [String], filter: Set<String>?) -> [String] {
        names.filter { filter?.contains($0.lowercased()) ?? true }
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

    static func nameValueBlock(table: String) -> MySQLWire.ColumnBlock {
        MySQLWire.ColumnBlock([
            Column(name: "Variable_name", type: .varString, flags: [.notNull, .noDefaultValue], length: 192, charset: 33,
                   decimals: 0, schema: "information_schema", table: table, orgTable: table, orgName: "VARIABLE_NAME"),
            Column(name: "Value", type: .varString, flags: [.notNull, .noDefaultValue], length: 12_288, charset: 33,
                   decimals: 0, schema: "information_schema", table: table, orgTable: table, orgName: "VARIABLE_VALUE"),
        ])
    }
    static let variablesBlock = nameValueBlock(table: "SESSION_VARIABLES")
    static let statusBlock = nameValueBlock(table: "SESSION_STATUS")

    // MARK: - Binary logs

    private var binlogPosition: Int64 { 256 + model.sequence(server, in: servers, now: now) * 330 }

    static let masterStatusBlock = MySQLWire.ColumnBlock([
        Column.text("File", 1536), Column.uint("Position", 20, long: true), Column.text("Binlog_Do_DB", 765),
        Column.text("Binlog_Ignore_DB", 765),
    ])
    static let binaryLogsBlock = MySQLWire.ColumnBlock([Column.text("Log_name", 765), Column.uint("File_size", 20, long: true)])
    static let replicaStatusBlock = MySQLWire.ColumnBlock(replicaStatusColumns)
    static let replicaHostsBlock = MySQLWire.ColumnBlock([
        .uint("Server_id", 10), .text("Host", 60), .uint("Port", 7), .uint("Master_id", 10),
    ])
    static let processlistBlock = MySQLWire.ColumnBlock([Column.text("replica_hostname", 192, nullable: true)])

    func masterStatus() -> MySQLWire.ResultSet {
        .init(block: Self.masterStatusBlock,
              rows: [[Self.binlogFile, String(binlogPosition), "", ""]])
    }

    func binaryLogs() -> MySQLWire.ResultSet {
        .init(block: Self.binaryLogsBlock,
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
        guard let master else { return .init(block: Self.replicaStatusBlock, rows: []) }
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
        return .init(block: Self.replicaStatusBlock, rows: [row])
    }

    private var replicas: [FleetModel.Server] {
        // Only this server's cluster can replicate from it (the ports of cluster c are consecutive).
        let first = model.options.basePort + server.cluster * model.options.clusterSize
        return (first..<first + model.options.clusterSize).reversed().compactMap { servers[$0] }
            .filter { $0.masterPort == server.port && $0.health != .down && $0.ioRunning }
    }

    func replicaHosts() -> MySQLWire.ResultSet {
        .init(block: Self.replicaHostsBlock,
              rows: replicas.map { [String($0.serverID), model.options.host, String($0.port), String(server.serverID)] })
    }

    func processlistReplicas() -> MySQLWire.ResultSet {
        .init(block: Self.processlistBlock,
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
