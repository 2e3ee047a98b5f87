import OrchestratorCore

extension ReplicationOperations {
    // MARK: - Replication credentials

    /// Applies the configured replication user and password to `key` again (upstream's
    /// `change-master-credentials`): `CHANGE MASTER TO MASTER_USER, MASTER_PASSWORD` only, so the
    /// master host, position and TLS settings stay as they are. Replication is stopped around the
    /// change when it was running. Refused when no credentials are configured.
    @discardableResult
    public func changeMasterCredentials(_ key: InstanceKey) async throws -> OperationResult {
        let credentials = options.credentials
        return try await perform("change-master-credentials", key) { context in
            guard let credentials, !credentials.user.isEmpty else {
                throw context.fail(.unsupported, "no replication credentials are configured: set MySQLReplicationUser and "
                    + "MySQLReplicationPassword in orchestrator.conf.json")
            }
            let sql = context.sql
            let status = try await Self.requireReplica(context)
            let p = context.dialect.optionPrefix
            let change = ReplicationStatement(
                kind: context.dialect.changeMasterPrefix, "\(context.dialect.changeMasterPrefix) \(p)USER=?, \(p)PASSWORD=?",
                [.string(credentials.user), .string(credentials.password)], secretPositions: [1])
            if status.threadsActive { try await context.change(sql.stopReplication()) }
            try await context.change(change)
            if status.threadsActive { try await context.change(sql.startReplication()) }
            context.note = "user \(credentials.user)"
            return context.result()
        }
    }

    /// The statements that run `query` with replication stopped and then restore each thread that was
    /// running (upstream's `restart-replica-statements`); nothing is run. Nil when not a replica.
    public func restartReplicaStatements(_ key: InstanceKey, query: String) async throws -> [String]? {
        try await perform("restart-replica-statements", key, logged: false) { context in
            guard let status = ReplicaStatus(try await context.read(context.sql.replicaStatus())) else { return nil }
            let word = context.dialect.replicaWord
            let io = status.threadsActive && status.ioThread.lowercased() != "no"
            var statements: [String] = []
            if io || status.sqlRunning { statements.append("STOP \(word)") }
            statements.append(query)
            switch (io, status.sqlRunning) {
            case (true, true): statements.append("START \(word)")
            case (true, false): statements.append("START \(word) IO_THREAD")
            case (false, true): statements.append("START \(word) SQL_THREAD")
            case (false, false): break
            }
            return statements
        }
    }
}
