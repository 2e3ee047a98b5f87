/// Where orchd takes the replication user from for a server that starts replicating without one of its
/// own: a demoted master in a graceful takeover, a top master made co-master.
///
/// Upstream reads the promoted replica's user from `mysql.slave_master_info` when nothing is configured;
/// MariaDB has no such table (and MySQL keeps it only with `master_info_repository=TABLE`), so orchd
/// needs one of the keys. Without them the server would get an empty user and the operation would fail
/// half-way (`1593 Invalid (empty) username`); the planners refuse before anything changes instead.
public enum ReplicationCredentialsSource: Sendable, Equatable {
    /// Neither `ReplicationCredentialsQuery` nor `MySQLReplicationUser` is set.
    case none
    /// `MySQLReplicationUser` / `MySQLReplicationPassword`.
    case configured
    /// Upstream's `ReplicationCredentialsQuery`, run on the server the demoted one will replicate
    /// from (its first row's first two columns: user, password).
    case query(String)

    /// From `orchestrator.conf.json`: `ReplicationCredentialsQuery` when set (upstream's key), else
    /// `MySQLReplicationUser` when not empty.
    public init(configuration c: OrchestratorConfiguration) {
        if case .string(let query)? = c.value(for: "ReplicationCredentialsQuery"),
           query.contains(where: { !$0.isWhitespace }) {
            self = .query(query)
        } else if case .string(let user)? = c.value(for: "MySQLReplicationUser"), !user.isEmpty {
            self = .configured
        } else {
            self = .none
        }
    }

    public var isKnown: Bool { self != .none }

    /// The refusal when no credentials are known: what would fail, and the keys that fix it.
    public static func refusal(_ operation: String, replica: InstanceKey, master: InstanceKey) -> String {
        "\(operation): no replication credentials are known for \(replica) to replicate from \(master) (MariaDB "
            + "keeps no mysql.slave_master_info to read them from, so it would fail half-way with 1593 Invalid (empty) "
            + "username); set MySQLReplicationUser and MySQLReplicationPassword, or ReplicationCredentialsQuery, in "
            + "orchestrator.conf.json. Nothing was changed"
    }
}
