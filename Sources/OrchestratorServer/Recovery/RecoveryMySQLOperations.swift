import OrchestratorCore

/// The MySQL operations a recovery runs, exactly those `RecoveryExecutor` calls: the seam between the
/// recovery service and the servers. `ReplicationOperations` (libmariadb) is the real one;
/// `RecordingMySQLOperations` in OrchestratorServerTestKit is the in-memory twin that records each call.
///
/// The requirements keep `ReplicationOperations`' signatures, so its conformance is declared, not written.
public protocol RecoveryMySQLOperations: Sendable {
    /// Stops replication after the SQL thread applied what the IO thread read (bounded by `timeoutSeconds`).
    func stopReplicationNicely(_ key: InstanceKey, timeoutSeconds: Double) async throws -> NiceStopResult
    /// `SHOW SLAVE STATUS`; nil when `key` is not a replica.
    func replicaStatus(_ key: InstanceKey) async throws -> ReplicaStatus?
    /// The server's current GTID position (MariaDB `gtid_current_pos`, MySQL `gtid_executed`).
    func currentGTIDPosition(_ key: InstanceKey) async throws -> String
    /// Waits until `key` has applied `position`.
    func waitForGTID(_ key: InstanceKey, position: String, timeoutSeconds: Double) async throws -> GTIDWaitOutcome
    /// CHANGE MASTER of `key` to `master` (and START SLAVE when `start`).
    @discardableResult
    func repoint(_ key: InstanceKey, to master: InstanceKey, positioning: ReplicationPositioning,
                 credentials: ReplicationCredentials?, start: Bool) async throws -> OperationResult
    /// Waits until `key` replicates from `master` with both threads running.
    @discardableResult
    func waitUntilReplicating(_ key: InstanceKey, from master: InstanceKey, timeoutSeconds: Double) async throws
        -> ReplicaStatus?
    @discardableResult
    func stopReplication(_ key: InstanceKey) async throws -> OperationResult
    @discardableResult
    func startReplication(_ key: InstanceKey) async throws -> OperationResult
    /// `RESET SLAVE ALL`: `key` forgets its master.
    @discardableResult
    func resetReplicaAll(_ key: InstanceKey) async throws -> OperationResult
    @discardableResult
    func setReadOnly(_ key: InstanceKey, _ readOnly: Bool) async throws -> OperationResult
    /// Runs `ReplicationCredentialsQuery` on `key`: the user and password a demoted master replicates with.
    func replicationCredentials(from key: InstanceKey, query: String) async throws -> ReplicationCredentials
    /// Points `key`'s master host at an unresolvable name (`//host`) so it cannot reconnect.
    @discardableResult
    func detachReplicaMasterHost(_ key: InstanceKey) async throws -> OperationResult
}

extension ReplicationOperations: RecoveryMySQLOperations {}

// MARK: - Results made by other implementations

extension OperationResult {
    /// The result an implementation other than `ReplicationOperations` reports (e.g. a test twin).
    public init(operation: String, on instance: InstanceKey, statements: [String] = [], note: String? = nil) {
        self.init(operation: operation, instance: instance, statements: statements, dryRun: false, note: note)
    }
}

extension NiceStopResult {
    /// The result an implementation other than `ReplicationOperations` reports (e.g. a test twin).
    public init(stopped result: OperationResult, caughtUp: Bool, status: ReplicaStatus? = nil) {
        self.init(result: result, caughtUp: caughtUp, status: status)
    }
}
