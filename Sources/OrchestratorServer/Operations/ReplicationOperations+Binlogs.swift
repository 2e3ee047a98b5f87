import OrchestratorCore

extension ReplicationOperations {
    // MARK: - Binary logs

    /// `FLUSH BINARY LOGS`: the server starts a new binary log file.
    @discardableResult
    public func flushBinaryLogs(_ key: InstanceKey) async throws -> OperationResult {
        try await perform("flush-binary-logs", key) { context in
            try await context.change(context.sql.flushBinaryLogs())
            return context.result()
        }
    }

    /// `PURGE BINARY LOGS TO 'file'`: removes the binary logs before `file`.
    @discardableResult
    public func purgeBinaryLogs(_ key: InstanceKey, to file: String) async throws -> OperationResult {
        try await perform("purge-binary-logs", key) { context in
            try await context.change(try context.sql.purgeBinaryLogs(to: file))
            return context.result()
        }
    }

    // MARK: - Semi-sync

    /// Enables or disables the semi-sync master (MySQL 8.0.26+: source) side. Needs the plugin on MySQL;
    /// MariaDB 10.3+ has it built in.
    @discardableResult
    public func setSemiSyncMaster(_ key: InstanceKey, enabled: Bool) async throws -> OperationResult {
        try await perform(enabled ? "enable-semi-sync-master" : "disable-semi-sync-master", key) { context in
            let names = try await Self.semiSyncVariables(context)
            try await context.change(try context.sql.setSemiSync(.master, enabled: enabled, serverVariables: names))
            return context.result()
        }
    }

    /// Enables or disables the semi-sync replica side. It takes effect when the IO thread reconnects,
    /// so pass `restartReplication: true` to apply it now (the IO thread is restarted).
    @discardableResult
    public func setSemiSyncReplica(_ key: InstanceKey, enabled: Bool, restartReplication: Bool = false) async throws -> OperationResult {
        try await perform(enabled ? "enable-semi-sync-replica" : "disable-semi-sync-replica", key) { context in
            let sql = context.sql
            let names = try await Self.semiSyncVariables(context)
            try await context.change(try sql.setSemiSync(.replica, enabled: enabled, serverVariables: names))
            if restartReplication {
                try await context.change(sql.stopIOThread())
                try await context.change(sql.startReplication())
            }
            return context.result()
        }
    }

    /// The semi-sync variables the server has; nil in a dry run of an unreachable server (the version
    /// then decides).
    static func semiSyncVariables(_ context: OperationContext) async throws -> Set<String>? {
        guard context.connection != nil else { return nil }
        let rows = try await context.read(context.sql.semiSyncVariablesQuery()).rows
        return Set(rows.compactMap { $0[position: 0] })
    }
}
