/// Which SQL a server understands, from its `@@version`: MariaDB keeps the SLAVE spellings; MySQL
/// renamed `SHOW SLAVE STATUS`/`SHOW SLAVE HOSTS` in 8.0.22 and `SHOW MASTER STATUS` in 8.2.
struct ServerFlavor: Sendable, Equatable {
    var isMariaDB: Bool
    var major: Int
    var minor: Int
    var patch: Int

    init(version: String, versionComment: String = "") {
        isMariaDB = version.contains("MariaDB") || versionComment.contains("MariaDB")
        let numbers = version.prefix { $0.isNumber || $0 == "." }.split(separator: ".").map { Int($0) ?? 0 }
        major = numbers.count > 0 ? numbers[0] : 0
        minor = numbers.count > 1 ? numbers[1] : 0
        patch = numbers.count > 2 ? numbers[2] : 0
    }

    private func atLeast(_ a: Int, _ b: Int, _ c: Int) -> Bool {
        (major, minor, patch) >= (a, b, c)
    }

    /// MySQL 8.0.22+ speaks `SHOW REPLICA STATUS` / `SHOW REPLICAS` (with Source_/Replica_ columns).
    var usesReplicaTerminology: Bool { !isMariaDB && atLeast(8, 0, 22) }

    var replicaStatusQuery: String { usesReplicaTerminology ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS" }
    var replicaHostsQuery: String { usesReplicaTerminology ? "SHOW REPLICAS" : "SHOW SLAVE HOSTS" }
    var masterStatusQuery: String {
        !isMariaDB && atLeast(8, 2, 0) ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS"
    }

    /// "MariaDB", "Percona" or "MySQL", as upstream's FlavorName.
    static func name(version: String, versionComment: String) -> String {
        if version.contains("MariaDB") || versionComment.contains("MariaDB") { return "MariaDB" }
        if versionComment.contains("Percona") || version.contains("Percona") { return "Percona" }
        return "MySQL"
    }
}
