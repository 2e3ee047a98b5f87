/// The credentials replicas use to connect to their master (`MASTER_USER`/`MASTER_PASSWORD`): upstream's
/// `ReplicationCredentialsQuery`, or orchd's `MySQLReplicationUser`/`MySQLReplicationPassword`.
/// The password never appears in `description`.
public struct ReplicationCredentials: Sendable, Equatable, CustomStringConvertible {
    public var user: String
    public var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    public var description: String { "ReplicationCredentials(user: \(user), password: <hidden>)" }
}

/// How a replica finds its place in the new master's binary logs.
public enum ReplicationPositioning: Sendable, Equatable, CustomStringConvertible {
    /// MariaDB `MASTER_USE_GTID=slave_pos`: continue from the transactions replicated so far (a replica).
    case mariadbSlavePos
    /// MariaDB `MASTER_USE_GTID=current_pos`: also count transactions written locally (a former master
    /// rejoining as a replica has an empty `gtid_slave_pos`).
    case mariadbCurrentPos
    /// MySQL `MASTER_AUTO_POSITION=1` (`SOURCE_AUTO_POSITION=1` on 8.0.23+).
    case mysqlAutoPosition
    /// Binary log file and position on the new master; GTID positioning off.
    case coordinates(file: String, position: Int64)
    /// The flavour's GTID positioning: MariaDB `slave_pos`, MySQL auto-position.
    case gtid
    /// Do not mention positioning: the replica keeps its current mode.
    case keep

    public var description: String {
        switch self {
        case .mariadbSlavePos: "MariaDB GTID (slave_pos)"
        case .mariadbCurrentPos: "MariaDB GTID (current_pos)"
        case .mysqlAutoPosition: "MySQL GTID auto-position"
        case .coordinates(let file, let position): "binlog coordinates \(file):\(position)"
        case .gtid: "GTID"
        case .keep: "unchanged positioning"
        }
    }
}

/// Why a statement cannot be built: the server does not support it, or a value is not acceptable.
public enum ReplicationSQLError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupported(String)
    case invalidValue(String)

    public var description: String {
        switch self {
        case .unsupported(let text), .invalidValue(let text): text
        }
    }
}

/// The statements of each replication operation for one dialect. Pure: no connection, no IO, so the
/// SQL of every flavour is unit-tested here although only MariaDB runs on these machines.
public struct ReplicationSQL: Sendable {
    public let dialect: ReplicationDialect

    public init(_ dialect: ReplicationDialect) { self.dialect = dialect }

    private var word: String { dialect.replicaWord }

    // MARK: - Threads

    public func stopReplication() -> ReplicationStatement { ReplicationStatement(kind: "STOP \(word)", "STOP \(word)") }
    public func stopIOThread() -> ReplicationStatement {
        ReplicationStatement(kind: "STOP \(word) IO_THREAD", "STOP \(word) IO_THREAD")
    }
    public func startReplication() -> ReplicationStatement { ReplicationStatement(kind: "START \(word)", "START \(word)") }

    /// Starts replication that stops by itself once `position` is applied (MariaDB `master_gtid_pos`,
    /// MySQL `SQL_AFTER_GTIDS`).
    public func startReplication(untilGTID position: String) throws(ReplicationSQLError) -> ReplicationStatement {
        guard !position.isEmpty else { throw .invalidValue("a GTID position to start replication until is required") }
        let until = dialect.isMariaDB ? "master_gtid_pos" : "SQL_AFTER_GTIDS"
        return ReplicationStatement(kind: "START \(word) UNTIL", "START \(word) UNTIL \(until) = ?", [.string(position)])
    }

    /// `RESET SLAVE [ALL]`: `ALL` also forgets the master's host and credentials.
    public func resetReplica(all: Bool) -> ReplicationStatement {
        let text = "RESET \(word)" + (all ? " ALL" : "")
        return ReplicationStatement(kind: text, text)
    }

    public func replicaStatus() -> ReplicationStatement {
        ReplicationStatement(kind: dialect.replicaStatusStatement, dialect.replicaStatusStatement)
    }

    public func masterStatus() -> ReplicationStatement {
        ReplicationStatement(kind: dialect.masterStatusStatement, dialect.masterStatusStatement)
    }

    // MARK: - CHANGE MASTER

    /// Points the replica at `host:port` with `credentials` (nil keeps the replica's current user and
    /// password) and `positioning`. The replica must not be replicating.
    public func changeMaster(
        host: String,
        port: Int,
        credentials: ReplicationCredentials?,
        positioning: ReplicationPositioning,
        connectRetrySeconds: Int? = nil
    ) throws(ReplicationSQLError) -> ReplicationStatement {
        try Self.validateHostname(host)
        try Self.validatePort(port)
        let p = dialect.optionPrefix
        var parts = ["\(p)HOST=?", "\(p)PORT=?"]
        var values: [MySQLValue] = [.string(host), .int(Int64(port))]
        var secrets: Set<Int> = []
        if let credentials {
            guard !credentials.user.isEmpty else { throw .invalidValue("the replication user must not be empty") }
            parts += ["\(p)USER=?", "\(p)PASSWORD=?"]
            values.append(.string(credentials.user))
            secrets.insert(values.count)
            values.append(.string(credentials.password))
        }
        let (positionParts, positionValues) = try positioningClause(positioning)
        parts += positionParts
        values += positionValues
        if let connectRetrySeconds {
            guard connectRetrySeconds >= 1 else { throw .invalidValue("the connect retry must be at least 1 second") }
            parts.append("\(p)CONNECT_RETRY=?")
            values.append(.int(Int64(connectRetrySeconds)))
        }
        return ReplicationStatement(
            kind: dialect.changeMasterPrefix, dialect.changeMasterPrefix + " " + parts.joined(separator: ", "),
            values, secretPositions: secrets)
    }

    /// Only the master host (and coordinates when the replica does not use GTID, because changing the
    /// host resets them): upstream's `detach-replica-master-host` / `reattach-replica-master-host`.
    public func changeMasterHost(
        _ host: String,
        keepingCoordinates coordinates: (file: String, position: Int64)?
    ) throws(ReplicationSQLError) -> ReplicationStatement {
        try Self.validateHostname(host, allowDetachedPrefix: true)
        let p = dialect.optionPrefix
        var parts = ["\(p)HOST=?"]
        var values: [MySQLValue] = [.string(host)]
        if let coordinates {
            parts += ["\(p)LOG_FILE=?", "\(p)LOG_POS=?"]
            values += [.string(coordinates.file), .int(coordinates.position)]
        }
        return ReplicationStatement(
            kind: dialect.changeMasterPrefix, dialect.changeMasterPrefix + " " + parts.joined(separator: ", "), values)
    }

    /// `MASTER_DELAY` (`SOURCE_DELAY`): the replica applies events this many seconds after the master.
    public func changeMasterDelay(seconds: Int) throws(ReplicationSQLError) -> ReplicationStatement {
        guard (0...(Int(Int32.max))).contains(seconds) else {
            throw .invalidValue("the replication delay must be 0...\(Int32.max) seconds, not \(seconds)")
        }
        let p = dialect.optionPrefix
        return ReplicationStatement(
            kind: dialect.changeMasterPrefix, "\(dialect.changeMasterPrefix) \(p)DELAY=?", [.int(Int64(seconds))])
    }

    private func positioningClause(
        _ positioning: ReplicationPositioning
    ) throws(ReplicationSQLError) -> ([String], [MySQLValue]) {
        let p = dialect.optionPrefix
        switch (positioning, dialect.flavor) {
        case (.keep, _): return ([], [])
        case (.mariadbSlavePos, .mariadb), (.gtid, .mariadb): return (["MASTER_USE_GTID=slave_pos"], [])
        case (.mariadbCurrentPos, .mariadb): return (["MASTER_USE_GTID=current_pos"], [])
        case (.mysqlAutoPosition, .mysql), (.gtid, .mysql): return (["\(p)AUTO_POSITION=1"], [])
        case (.coordinates(let file, let position), _):
            guard !file.isEmpty, position >= 0 else {
                throw .invalidValue("binlog coordinates need a file name and a position >= 0, not \(file):\(position)")
            }
            let off = dialect.isMariaDB ? "MASTER_USE_GTID=no" : "\(p)AUTO_POSITION=0"
            return (["\(p)LOG_FILE=?", "\(p)LOG_POS=?", off], [.string(file), .int(position)])
        case (.mysqlAutoPosition, .mariadb):
            throw .unsupported("MySQL auto-position does not exist on \(dialect); use MariaDB GTID (slave_pos or current_pos)")
        case (.mariadbSlavePos, .mysql), (.mariadbCurrentPos, .mysql):
            throw .unsupported("MariaDB GTID positioning does not exist on \(dialect); use MySQL auto-position")
        }
    }

    // MARK: - read_only

    /// MariaDB: `read_only`. MySQL: also `super_read_only` when it exists and `superReadOnly` is set
    /// (turned on after `read_only`, off before it, as the server requires).
    public func setReadOnly(_ readOnly: Bool, superReadOnly: Bool) -> [ReplicationStatement] {
        let plain = ReplicationStatement(kind: "SET GLOBAL read_only", "SET GLOBAL read_only = ?", [.int(readOnly ? 1 : 0)])
        guard dialect.hasSuperReadOnly && (superReadOnly || !readOnly) else { return [plain] }
        let sup = ReplicationStatement(
            kind: "SET GLOBAL super_read_only", "SET GLOBAL super_read_only = ?", [.int(readOnly ? 1 : 0)])
        return readOnly ? [plain, sup] : [sup, plain]
    }

    public func readOnlyQuery() -> ReplicationStatement {
        ReplicationStatement(kind: "SELECT @@read_only", "SELECT @@global.read_only AS read_only")
    }

    // MARK: - GTID

    /// Blocks on the server until `position` is applied or `timeoutSeconds` pass. MariaDB
    /// `MASTER_GTID_WAIT` answers 0 (reached) or -1 (timed out); MySQL `WAIT_FOR_EXECUTED_GTID_SET`
    /// answers 0 or 1.
    public func waitForGTID(_ position: String, timeoutSeconds: Double) throws(ReplicationSQLError) -> ReplicationStatement {
        guard !position.isEmpty else { throw .invalidValue("a GTID position to wait for is required") }
        guard timeoutSeconds.isFinite, timeoutSeconds >= 0 else { throw .invalidValue("the wait timeout must be >= 0 seconds") }
        let function = dialect.isMariaDB ? "MASTER_GTID_WAIT" : "WAIT_FOR_EXECUTED_GTID_SET"
        return ReplicationStatement(
            kind: "SELECT \(function)", "SELECT \(function)(?, ?) AS result", [.string(position), .double(timeoutSeconds)])
    }

    public func gtidStateQuery() -> ReplicationStatement {
        dialect.isMariaDB
            ? ReplicationStatement(
                kind: "SELECT @@gtid_current_pos",
                "SELECT @@global.gtid_current_pos AS current_pos, @@global.gtid_binlog_pos AS binlog_pos, "
                    + "@@global.gtid_slave_pos AS slave_pos")
            : ReplicationStatement(
                kind: "SELECT @@gtid_executed", "SELECT @@global.gtid_executed AS executed, @@global.gtid_purged AS purged")
    }

    /// MySQL: commits an empty transaction under `gtid`, so that the GTID counts as executed (the fix for
    /// an errant or failing transaction). MariaDB has no `GTID_NEXT`.
    public func injectEmptyTransaction(_ gtid: String) throws(ReplicationSQLError) -> [ReplicationStatement] {
        guard dialect.isMySQL else {
            throw .unsupported(
                "injecting an empty transaction needs MySQL's GTID_NEXT, which \(dialect) does not have; "
                    + "MariaDB skips a failing replicated transaction with skip-query (sql_slave_skip_counter), "
                    + "and an errant MariaDB GTID cannot be neutralised in place: when it sits in a domain of its own, "
                    + "purge the binary logs holding it and run FLUSH BINARY LOGS DELETE_DOMAIN_ID=(domain); "
                    + "otherwise re-clone the replica from its master")
        }
        guard !gtid.isEmpty, gtid.contains(":") else { throw .invalidValue("'\(gtid)' is not a MySQL GTID (uuid:number)") }
        return [
            ReplicationStatement(kind: "SET GTID_NEXT", "SET GTID_NEXT = ?", [.string(gtid)]),
            ReplicationStatement(kind: "BEGIN", "BEGIN"),
            ReplicationStatement(kind: "COMMIT", "COMMIT"),
            ReplicationStatement(kind: "SET GTID_NEXT", "SET GTID_NEXT = 'AUTOMATIC'"),
        ]
    }

    /// MySQL `RESET MASTER` then `gtid_purged` (upstream's `gtid-errant-reset-master`). MariaDB: refused.
    public func resetMaster(gtidPurged: String) throws(ReplicationSQLError) -> [ReplicationStatement] {
        guard dialect.isMySQL else {
            throw .unsupported(
                "resetting the master to drop errant GTIDs relies on MySQL's gtid_purged; \(dialect) has no equivalent")
        }
        let reset = dialect.atLeast(8, 4, 0) ? "RESET BINARY LOGS AND GTIDS" : "RESET MASTER"
        return [
            ReplicationStatement(kind: reset, reset),
            ReplicationStatement(kind: "SET GLOBAL gtid_purged", "SET GLOBAL gtid_purged = ?", [.string(gtidPurged)]),
        ]
    }

    // MARK: - Binary logs, semi-sync, skipping

    public func flushBinaryLogs() -> ReplicationStatement { ReplicationStatement(kind: "FLUSH BINARY LOGS", "FLUSH BINARY LOGS") }

    public func purgeBinaryLogs(to file: String) throws(ReplicationSQLError) -> ReplicationStatement {
        guard !file.isEmpty else { throw .invalidValue("a binary log file name to purge up to is required") }
        return ReplicationStatement(kind: "PURGE BINARY LOGS TO", "PURGE BINARY LOGS TO ?", [.string(file)])
    }

    public enum SemiSyncSide: String, Sendable { case master, replica }

    /// Sets the semi-sync switch of one side. On MySQL the variable's name depends on the plugin that is
    /// installed (`semisync_source` on 8.0.26+ names it `rpl_semi_sync_source_enabled`, the older
    /// `semisync_master` `rpl_semi_sync_master_enabled`): pass the names the server has, from
    /// ``semiSyncVariablesQuery()``; without them the version decides.
    public func setSemiSync(
        _ side: SemiSyncSide, enabled: Bool, serverVariables: Set<String>? = nil
    ) throws(ReplicationSQLError) -> ReplicationStatement {
        let preferred = side == .master ? dialect.semiSyncMasterVariable : dialect.semiSyncReplicaVariable
        let candidates = side == .master
            ? [preferred, "rpl_semi_sync_source_enabled", "rpl_semi_sync_master_enabled"]
            : [preferred, "rpl_semi_sync_replica_enabled", "rpl_semi_sync_slave_enabled"]
        var variable = preferred
        if let serverVariables {
            guard let found = candidates.first(where: { serverVariables.contains($0) }) else {
                throw .unsupported(
                    "\(dialect) has no semi-sync \(side.rawValue) variable: the semi-sync plugin is not installed "
                        + "(MySQL: INSTALL PLUGIN rpl_semi_sync_\(side == .master ? "source" : "replica") SONAME "
                        + "'semisync_\(side == .master ? "source" : "replica").so')")
            }
            variable = found
        }
        return ReplicationStatement(kind: "SET GLOBAL \(variable)", "SET GLOBAL \(variable) = ?", [.int(enabled ? 1 : 0)])
    }

    /// The names of the semi-sync switches this server has (one column, `Variable_name`).
    public func semiSyncVariablesQuery() -> ReplicationStatement {
        ReplicationStatement(kind: "SHOW GLOBAL VARIABLES", "SHOW GLOBAL VARIABLES LIKE 'rpl\\_semi\\_sync\\_%\\_enabled'")
    }

    /// Skips the next replicated event group (`sql_slave_skip_counter`). With MySQL GTID replication use
    /// ``injectEmptyTransaction(_:)`` instead.
    public func skipOneEventGroup() -> ReplicationStatement {
        let variable = dialect.skipCounterVariable
        return ReplicationStatement(kind: "SET GLOBAL \(variable)", "SET GLOBAL \(variable) = 1")
    }

    // MARK: - Validation

    /// Hostnames are DNS names or IP addresses; anything else (quotes, spaces, control characters) is
    /// refused before any SQL is built. `//` prefixes a detached master host (upstream's convention).
    public static func validateHostname(_ host: String, allowDetachedPrefix: Bool = false) throws(ReplicationSQLError) {
        var name = Substring(host)
        if allowDetachedPrefix, name.hasPrefix("//") { name = name.dropFirst(2) }
        guard !name.isEmpty, name.utf8.count <= 255 else {
            throw .invalidValue("'\(SQLEscaping.literalBody(host))' is not a valid hostname (empty or too long)")
        }
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || $0 == "." || $0 == "-" || $0 == "_" || $0 == ":"
        }
        guard allowed else {
            throw .invalidValue(
                "'\(SQLEscaping.literalBody(host))' is not a valid hostname: only letters, digits, '.', '-', '_' "
                    + "and ':' are allowed")
        }
    }

    public static func validatePort(_ port: Int) throws(ReplicationSQLError) {
        guard (1...65535).contains(port) else { throw .invalidValue("port \(port) is outside 1...65535") }
    }
}
