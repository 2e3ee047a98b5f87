import Foundation
import OrchestratorCore

extension ReplicationOperations {
    // MARK: - Replication status

    /// `SHOW SLAVE STATUS` (or `SHOW REPLICA STATUS`); nil when the instance is not a replica.
    public func replicaStatus(_ key: InstanceKey) async throws -> ReplicaStatus? {
        try await perform("replica-status", key, logged: false) { context in
            ReplicaStatus(try await context.read(context.sql.replicaStatus()))
        }
    }

    /// Waits until `key` replicates from `master` with both threads running. Throws `.timeout` with the
    /// last status seen (threads, error numbers) when that does not happen within `timeoutSeconds`.
    @discardableResult
    public func waitUntilReplicating(
        _ key: InstanceKey, from master: InstanceKey, timeoutSeconds: Double
    ) async throws -> ReplicaStatus? {
        try await perform("wait-until-replicating", key) { context in
            context.shown.append("-- wait up to \(timeoutSeconds)s until replicating from \(master.displayString)")
            guard !context.isDryRun else { return nil }
            let deadline = Date().addingTimeInterval(timeoutSeconds)
            var last: ReplicaStatus?
            // Bounded by the deadline; at least one look.
            while true {
                last = ReplicaStatus(try await context.read(context.sql.replicaStatus()))
                if let s = last, s.isReplicating, s.masterKey.matches(master) {
                    context.note = "replicating"
                    return s
                }
                if Date() >= deadline { break }
                try await context.pause()
            }
            throw context.fail(
                .timeout,
                "not replicating from \(master.displayString) after \(timeoutSeconds)s: "
                    + (last?.summary ?? "not a replica"))
        }
    }

    /// Reads the status and fails with `.unexpectedState` when the instance is not a replica.
    static func requireReplica(_ context: OperationContext) async throws -> ReplicaStatus {
        guard let status = ReplicaStatus(try await context.read(context.sql.replicaStatus())) else {
            throw context.fail(.unexpectedState, "not a replica (\(context.dialect.replicaStatusStatement) is empty)")
        }
        return status
    }
}

extension InstanceKey {
    /// Same host (case-insensitive) and port.
    func matches(_ other: InstanceKey) -> Bool {
        port == other.port && hostname.lowercased() == other.hostname.lowercased()
    }
}
