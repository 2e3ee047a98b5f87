import Foundation
import OrchestratorCore
import OrchestratorServer

/// In-memory `RecoveryMySQLOperations` for tests of the recovery service: touches no server, records
/// every call in order, and answers as a healthy MariaDB would (replication stops caught up, GTID waits
/// reach their position). Operations named in `failing` throw instead (still recorded).
public final class RecordingMySQLOperations: RecoveryMySQLOperations, @unchecked Sendable {
    /// One call as received: the operation (`ReplicationOperations`' log names, e.g. `repoint`), the
    /// instance, and the arguments that matter.
    public struct Call: Sendable, Equatable, CustomStringConvertible {
        public var operation: String
        public var key: InstanceKey
        public var detail: String

        public var description: String { "\(operation) \(key)" + (detail.isEmpty ? "" : " \(detail)") }
    }

    /// What a failing operation throws.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private let lock = NSLock()
    private var _calls: [Call] = []
    private let failing: Set<String>
    /// What `currentGTIDPosition` answers for every server.
    public let gtidPosition: String

    public init(failing: Set<String> = [], gtidPosition: String = "0-1-100") {
        self.failing = failing
        self.gtidPosition = gtidPosition
    }

    /// Every call, in order.
    public var calls: [Call] { lock.withLock { _calls } }
    /// The operations called, in order.
    public var operations: [String] { calls.map(\.operation) }

    private func record(_ operation: String, _ key: InstanceKey, _ detail: String = "") throws {
        lock.withLock { _calls.append(Call(operation: operation, key: key, detail: detail)) }
        if failing.contains(operation) { throw Failure(description: "\(operation) on \(key) failed (scripted)") }
    }

    private func done(_ operation: String, _ key: InstanceKey) -> OperationResult {
        OperationResult(operation: operation, on: key)
    }

    public func stopReplicationNicely(_ key: InstanceKey, timeoutSeconds: Double) async throws -> NiceStopResult {
        try record("stop-replica-nice", key)
        return NiceStopResult(stopped: done("stop-replica-nice", key), caughtUp: true)
    }

    public func replicaStatus(_ key: InstanceKey) async throws -> ReplicaStatus? {
        try record("replica-status", key)
        return nil
    }

    public func currentGTIDPosition(_ key: InstanceKey) async throws -> String {
        try record("gtid-position", key)
        return gtidPosition
    }

    public func waitForGTID(_ key: InstanceKey, position: String, timeoutSeconds: Double) async throws -> GTIDWaitOutcome {
        try record("wait-for-gtid", key, position)
        return .reached
    }

    public func repoint(_ key: InstanceKey, to master: InstanceKey, positioning: ReplicationPositioning,
                        credentials: ReplicationCredentials?, start: Bool) async throws -> OperationResult {
        try record("repoint", key, "to \(master)\(start ? "" : " (not started)")")
        return done("repoint", key)
    }

    public func replicationCredentials(from key: InstanceKey, query: String) async throws -> ReplicationCredentials {
        try record("replication-credentials", key, query)
        return ReplicationCredentials(user: "repl", password: "repl-pw")
    }

    public func waitUntilReplicating(_ key: InstanceKey, from master: InstanceKey, timeoutSeconds: Double) async throws
        -> ReplicaStatus? {
        try record("wait-until-replicating", key, "from \(master)")
        return nil
    }

    public func stopReplication(_ key: InstanceKey) async throws -> OperationResult {
        try record("stop-replica", key)
        return done("stop-replica", key)
    }

    public func startReplication(_ key: InstanceKey) async throws -> OperationResult {
        try record("start-replica", key)
        return done("start-replica", key)
    }

    public func resetReplicaAll(_ key: InstanceKey) async throws -> OperationResult {
        try record("reset-replica-all", key)
        return done("reset-replica-all", key)
    }

    public func setReadOnly(_ key: InstanceKey, _ readOnly: Bool) async throws -> OperationResult {
        let operation = readOnly ? "set-read-only" : "set-writeable"
        try record(operation, key)
        return done(operation, key)
    }

    public func detachReplicaMasterHost(_ key: InstanceKey) async throws -> OperationResult {
        try record("detach-replica-master-host", key)
        return done("detach-replica-master-host", key)
    }
}
