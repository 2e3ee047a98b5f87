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
            try await context.change(context.sql.setSemiSync(.master, enabled: enabled))
            return context.result()
        }
    }

    /// Enables or disables the semi-sync replica side. It takes effect when the IO thread reconnects,
    /// so pass `restartReplication: true` to apply it now (the IO thread is restarted).
    @discardableResult
    public func setSemiSyncReplica(_ key: InstanceKey, enabled: Bool, restartReplication: Bool = false) async throws -> OperationResult {
        try await perform(enabled ? "enable-semi-sync-replica" : "disable-semi-sync-replica", key) { context in
            let sql = context.sql
            try await context.change(sql.setSemiSync(.replica, enabled: enabled))
            if restartReplication {
                try await context.change(sql.stopIOThread())
                try await context.change(sql.startReplication())
            }
            return context.result()
        }
    }
}
