import OrchestratorCore

extension ReplicationOperations.Options {
    /// Options from `orchestrator.conf.json`: `UseSuperReadOnly`, and the replication credentials from
    /// orchd's `MySQLReplicationUser` / `MySQLReplicationPassword` when the configuration knows them
    /// (nil credentials otherwise: see ``ReplicationOperations/replicationCredentials(from:query:)`` for
    /// upstream's `ReplicationCredentialsQuery`, or keep each replica's own).
    public init(configuration c: OrchestratorConfiguration) {
        var credentials: ReplicationCredentials?
        if case .string(let user)? = c.value(for: "MySQLReplicationUser"), !user.isEmpty {
            var password = ""
            if case .string(let p)? = c.value(for: "MySQLReplicationPassword") { password = p }
            credentials = ReplicationCredentials(user: user, password: password)
        }
        var useSuperReadOnly = false
        if case .bool(let b)? = c.value(for: "UseSuperReadOnly") { useSuperReadOnly = b }
        self.init(credentials: credentials, useSuperReadOnly: useSuperReadOnly)
    }
}

extension ReplicationOperations {
    /// Runs upstream's `ReplicationCredentialsQuery` (operator-configured SQL, run as written) on `key`
    /// and takes the user and password from the first two columns of its first row.
    public func replicationCredentials(from key: InstanceKey, query: String) async throws -> ReplicationCredentials {
        try await perform("replication-credentials", key, logged: false) { context in
            guard !query.isEmpty else { throw context.fail(.invalidValue, "ReplicationCredentialsQuery is empty") }
            let statement = ReplicationStatement(kind: "ReplicationCredentialsQuery", query)
            guard let row = try await context.read(statement).first, let user = row[position: 0], !user.isEmpty else {
                throw context.fail(.unexpectedState, "ReplicationCredentialsQuery returned no user")
            }
            return ReplicationCredentials(user: user, password: row[position: 1] ?? "")
        }
    }
}
