/// Which replication SQL a server speaks, from its version string (`mysql_get_server_info` or
/// `@@version`).
///
/// MariaDB keeps the SLAVE/MASTER spellings. MySQL renamed them in steps: `START/STOP/RESET REPLICA` and
/// `SHOW REPLICA STATUS` in 8.0.22, `CHANGE REPLICATION SOURCE TO ... SOURCE_*` in 8.0.23, the semi-sync
/// `source`/`replica` variables in 8.0.26, `SHOW BINARY LOG STATUS` in 8.2; 8.4 dropped the old
/// spellings, so the version decides rather than a fixed choice.
public struct ReplicationDialect: Sendable, Hashable, CustomStringConvertible {
    public enum Flavor: String, Sendable, Hashable { case mariadb = "MariaDB", mysql = "MySQL" }

    public var flavor: Flavor
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(flavor: Flavor, major: Int, minor: Int, patch: Int) {
        self.flavor = flavor
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses `10.11.19-MariaDB-0+deb12u1-log`, `5.5.5-10.6.12-MariaDB` (the old handshake prefix),
    /// `8.0.36`, `5.7.44-log`, `8.4.2`. A version comment mentioning MariaDB also marks MariaDB.
    public init(version: String, versionComment: String = "") {
        var text = Substring(version)
        if text.hasPrefix("5.5.5-") { text = text.dropFirst(6) }
        flavor = version.contains("MariaDB") || versionComment.contains("MariaDB") ? .mariadb : .mysql
        let numbers = text.prefix { $0.isNumber || $0 == "." }.split(separator: ".").map { Int($0) ?? 0 }
        major = numbers.count > 0 ? numbers[0] : 0
        minor = numbers.count > 1 ? numbers[1] : 0
        patch = numbers.count > 2 ? numbers[2] : 0
    }

    public static let mariadb10_11 = ReplicationDialect(flavor: .mariadb, major: 10, minor: 11, patch: 0)
    public static let mysql5_7 = ReplicationDialect(flavor: .mysql, major: 5, minor: 7, patch: 44)
    public static let mysql8_0_21 = ReplicationDialect(flavor: .mysql, major: 8, minor: 0, patch: 21)
    public static let mysql8_0 = ReplicationDialect(flavor: .mysql, major: 8, minor: 0, patch: 36)
    public static let mysql8_4 = ReplicationDialect(flavor: .mysql, major: 8, minor: 4, patch: 2)

    public var isMariaDB: Bool { flavor == .mariadb }
    public var isMySQL: Bool { flavor == .mysql }

    public var description: String { "\(flavor.rawValue) \(major).\(minor).\(patch)" }

    func atLeast(_ a: Int, _ b: Int, _ c: Int) -> Bool { (major, minor, patch) >= (a, b, c) }

    // MARK: - Spellings

    /// `START/STOP/RESET REPLICA`, `SHOW REPLICA STATUS` (MySQL 8.0.22+).
    public var usesReplicaKeyword: Bool { isMySQL && atLeast(8, 0, 22) }
    /// `CHANGE REPLICATION SOURCE TO` with `SOURCE_*` options (MySQL 8.0.23+).
    public var usesSourceKeyword: Bool { isMySQL && atLeast(8, 0, 23) }
    /// `rpl_semi_sync_source_*` / `rpl_semi_sync_replica_*` and `sql_replica_skip_counter` (MySQL 8.0.26+).
    public var usesSourceReplicaVariables: Bool { isMySQL && atLeast(8, 0, 26) }
    /// `super_read_only` exists (MySQL 5.7.8+; MariaDB has none).
    public var hasSuperReadOnly: Bool { isMySQL && atLeast(5, 7, 8) }

    var replicaWord: String { usesReplicaKeyword ? "REPLICA" : "SLAVE" }
    var replicaStatusStatement: String { "SHOW \(replicaWord) STATUS" }
    var masterStatusStatement: String { isMySQL && atLeast(8, 2, 0) ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS" }
    var changeMasterPrefix: String { usesSourceKeyword ? "CHANGE REPLICATION SOURCE TO" : "CHANGE MASTER TO" }
    /// `MASTER_` or `SOURCE_`, the prefix of CHANGE MASTER options.
    var optionPrefix: String { usesSourceKeyword ? "SOURCE_" : "MASTER_" }
    var skipCounterVariable: String { usesSourceReplicaVariables ? "sql_replica_skip_counter" : "sql_slave_skip_counter" }
    var semiSyncMasterVariable: String {
        usesSourceReplicaVariables ? "rpl_semi_sync_source_enabled" : "rpl_semi_sync_master_enabled"
    }
    var semiSyncReplicaVariable: String {
        usesSourceReplicaVariables ? "rpl_semi_sync_replica_enabled" : "rpl_semi_sync_slave_enabled"
    }
}
