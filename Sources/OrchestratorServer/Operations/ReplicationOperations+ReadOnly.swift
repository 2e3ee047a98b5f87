import OrchestratorCore

extension ReplicationOperations {
    // MARK: - read_only

    /// `SET GLOBAL read_only` (MySQL: with `super_read_only` when available and
    /// ``Options/useSuperReadOnly``). `false` makes a promoted master writable; `true` fences an old one.
    @discardableResult
    public func setReadOnly(_ key: InstanceKey, _ readOnly: Bool) async throws -> OperationResult {
        let superReadOnly = options.useSuperReadOnly
        return try await perform(readOnly ? "set-read-only" : "set-writeable", key) { context in
            try await context.change(context.sql.setReadOnly(readOnly, superReadOnly: superReadOnly))
            return context.result()
        }
    }

    /// `@@global.read_only`.
    public func isReadOnly(_ key: InstanceKey) async throws -> Bool {
        try await perform("is-read-only", key, logged: false) { context in
            guard let value = try await context.read(context.sql.readOnlyQuery()).first?.bool("read_only") else {
                throw context.fail(.unexpectedState, "@@read_only did not read as a boolean")
            }
            return value
        }
    }
}
