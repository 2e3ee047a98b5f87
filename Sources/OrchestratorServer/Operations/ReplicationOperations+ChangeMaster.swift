import OrchestratorCore

extension ReplicationOperations {
    // MARK: - CHANGE MASTER

    /// `CHANGE MASTER TO` (`CHANGE REPLICATION SOURCE TO` on MySQL 8.0.23+) pointing `key` at `master`
    /// with the configured replication credentials and `positioning`. Replication must be stopped
    /// (the server refuses otherwise); ``repoint(_:to:positioning:credentials:start:)`` does the whole
    /// stop/change/start.
    @discardableResult
    public func changeMaster(
        _ key: InstanceKey,
        to master: InstanceKey,
        positioning: ReplicationPositioning,
        credentials: ReplicationCredentials? = nil
    ) async throws -> OperationResult {
        let statementOptions = (credentials ?? options.credentials, options.connectRetrySeconds)
        return try await perform("change-master", key) { context in
            try Self.refuseSelf(master, context)
            try await context.change(try context.sql.changeMaster(
                host: master.hostname, port: master.port, credentials: statementOptions.0,
                positioning: positioning, connectRetrySeconds: statementOptions.1))
            context.note = "to \(master.displayString) by \(positioning)"
            return context.result()
        }
    }

    /// Moves `key` under `master`: stop replication, CHANGE MASTER, and (when `start`) start it again.
    /// The statement is built (and values checked) before anything is stopped, so a refused value
    /// leaves replication untouched. Does not wait: follow with
    /// ``waitUntilReplicating(_:from:timeoutSeconds:)``.
    @discardableResult
    public func repoint(
        _ key: InstanceKey,
        to master: InstanceKey,
        positioning: ReplicationPositioning = .gtid,
        credentials: ReplicationCredentials? = nil,
        start: Bool = true
    ) async throws -> OperationResult {
        let statementOptions = (credentials ?? options.credentials, options.connectRetrySeconds)
        return try await perform("repoint", key) { context in
            try Self.refuseSelf(master, context)
            let sql = context.sql
            let change = try sql.changeMaster(
                host: master.hostname, port: master.port, credentials: statementOptions.0,
                positioning: positioning, connectRetrySeconds: statementOptions.1)
            try await context.change(sql.stopReplication())
            try await context.change(change)
            if start { try await context.change(sql.startReplication()) }
            context.note = "to \(master.displayString) by \(positioning)"
            return context.result()
        }
    }

    static func refuseSelf(_ master: InstanceKey, _ context: OperationContext) throws {
        guard !context.instance.matches(master) else {
            throw context.fail(.invalidValue, "an instance cannot replicate from itself")
        }
    }

    // MARK: - Detach / reattach the master host

    /// Stops replication and prefixes the master host with `//` (upstream's detach convention): the
    /// replica keeps its position but cannot connect until reattached. A no-op when already detached.
    @discardableResult
    public func detachReplicaMasterHost(_ key: InstanceKey) async throws -> OperationResult {
        try await perform("detach-replica-master-host", key) { context in
            let status = try await Self.requireReplica(context)
            guard !status.masterHost.hasPrefix("//") else {
                context.note = "already detached"
                return context.result()
            }
            try await Self.changeHost(to: "//" + status.masterHost, status: status, start: false, context: context)
            return context.result()
        }
    }

    /// Removes the `//` prefix again and starts replication. A no-op when not detached.
    @discardableResult
    public func reattachReplicaMasterHost(_ key: InstanceKey) async throws -> OperationResult {
        try await perform("reattach-replica-master-host", key) { context in
            let status = try await Self.requireReplica(context)
            guard status.masterHost.hasPrefix("//") else {
                context.note = "not detached"
                return context.result()
            }
            try await Self.changeHost(to: String(status.masterHost.dropFirst(2)), status: status, start: true, context: context)
            return context.result()
        }
    }

    /// Changing the host makes the server forget its coordinates; without GTID keep the applied ones.
    private static func changeHost(to host: String, status: ReplicaStatus, start: Bool, context: OperationContext) async throws {
        let sql = context.sql
        let keep: (file: String, position: Int64)? =
            status.usesGTID || status.execCoordinates.isEmpty
            ? nil : (status.execCoordinates.logFile, status.execCoordinates.logPos)
        let change = try sql.changeMasterHost(host, keepingCoordinates: keep)
        try await context.change(sql.stopReplication())
        try await context.change(change)
        if start { try await context.change(sql.startReplication()) }
    }
}
