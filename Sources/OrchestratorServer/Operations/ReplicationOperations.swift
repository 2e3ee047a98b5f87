import Foundation
import OrchestratorCore

/// The MySQL-side replication operations that recovery and refactoring run: stop/start replication,
/// CHANGE MASTER, read_only, GTID waits, binlogs, semi-sync, skipping. Each works on MariaDB and MySQL
/// (5.7, 8.0, 8.4), choosing the spelling from the server's version.
///
/// Every operation
/// - connects through the pool (the topology user needs the replication admin privileges),
/// - records one ``OperationLogEntry`` in the log given with ``recording(into:)``,
/// - throws ``ReplicationOperationError`` naming the instance, operation, statement kind and MySQL code,
/// - in dry-run mode (``dryRun()``) still reads what it needs, but runs no changing statement and no
///   wait; it returns the statements it would run, passwords masked.
///
/// A dead-master failover, as the executor runs it (each step after confirming Raft leadership):
/// ```swift
/// let log = OperationLog()
/// let ops = ReplicationOperations(pool: pool, options: .init(configuration: config)).recording(into: log)
/// // for --noop: ops.dryRun(), plus ops.assumeVersion(instance.version, for: key) for dead servers
/// for replica in replicas { _ = try await ops.stopReplicationNicely(replica, timeoutSeconds: 10) } // in parallel
/// try await ops.resetReplicaAll(candidate)
/// try await ops.setReadOnly(candidate, false)
/// for other in others { try await ops.repoint(other, to: candidate, positioning: .gtid) }
/// for other in others { try await ops.waitUntilReplicating(other, from: candidate, timeoutSeconds: 10) }
/// try? await ops.setReadOnly(oldMaster, true)  // fencing, when reachable
/// // log.entries go into the recovery audit
/// ```
///
/// Values reach SQL only as escaped literals (strings) or numbers; hostnames are also validated.
/// Long waits are split into slices shorter than the pool's read timeout, so give the pool a read
/// timeout of a few seconds at least (upstream's `MySQLTopologyReadTimeoutSeconds`).
public struct ReplicationOperations: Sendable {
    public enum Mode: Sendable, Equatable { case execute, dryRun }

    /// Settings beyond the connection pool's.
    public struct Options: Sendable {
        /// Replication user and password for CHANGE MASTER; nil keeps each replica's current ones.
        public var credentials: ReplicationCredentials?
        /// MySQL: also set `super_read_only` with `read_only` (upstream's `UseSuperReadOnly`).
        public var useSuperReadOnly: Bool
        /// `MASTER_CONNECT_RETRY` set with every CHANGE MASTER (nil: server default, 60 s on MariaDB,
        /// too slow for a replica repointed to a master that restarts).
        public var connectRetrySeconds: Int?
        /// How often status is polled while waiting for a thread state.
        public var pollIntervalMilliseconds: Int

        public init(
            credentials: ReplicationCredentials? = nil,
            useSuperReadOnly: Bool = true,
            connectRetrySeconds: Int? = 1,
            pollIntervalMilliseconds: Int = 50
        ) {
            self.credentials = credentials
            self.useSuperReadOnly = useSuperReadOnly
            self.connectRetrySeconds = connectRetrySeconds
            self.pollIntervalMilliseconds = max(5, pollIntervalMilliseconds)
        }
    }

    public let pool: MySQLConnectionPool
    public let options: Options
    public let mode: Mode
    /// Where every operation records its step (nil: not recorded).
    public let log: OperationLog?
    let versionHints: VersionHints

    public init(pool: MySQLConnectionPool, options: Options = Options()) {
        self.init(pool: pool, options: options, mode: .execute, log: nil, versionHints: VersionHints())
    }

    /// Shorthand with the replication credentials only.
    public init(pool: MySQLConnectionPool, credentials: ReplicationCredentials?) {
        self.init(pool: pool, options: Options(credentials: credentials))
    }

    init(pool: MySQLConnectionPool, options: Options, mode: Mode, log: OperationLog?, versionHints: VersionHints) {
        self.pool = pool
        self.options = options
        self.mode = mode
        self.log = log
        self.versionHints = versionHints
    }

    /// The same operations, showing instead of running every changing statement (`--noop`).
    public func dryRun() -> ReplicationOperations {
        ReplicationOperations(pool: pool, options: options, mode: .dryRun, log: log, versionHints: versionHints)
    }

    /// The same operations, recording their steps into `log`.
    public func recording(into log: OperationLog) -> ReplicationOperations {
        ReplicationOperations(pool: pool, options: options, mode: mode, log: log, versionHints: versionHints)
    }

    /// The server version to assume for `key` when a dry run cannot reach it (e.g. a dead master's
    /// fencing step in a plan), from the last discovery (`Instance.version`).
    public func assumeVersion(_ version: String, for key: InstanceKey) {
        versionHints.set(ReplicationDialect(version: version), for: key)
    }

    public var isDryRun: Bool { mode == .dryRun }

    // MARK: - Running one operation

    /// Runs `body` with a connection to `key` and the server's dialect, and records the step.
    func perform<T: Sendable>(
        _ operation: String,
        _ key: InstanceKey,
        logged: Bool = true,
        _ body: @escaping @Sendable (OperationContext) async throws -> T
    ) async throws -> T {
        let context = OperationContext(instance: key, operation: operation, mode: mode, pollInterval: options.pollIntervalMilliseconds)
        let started = Date()
        do {
            let value = try await withContext(context, body)
            if logged { record(context, started: started, error: nil) }
            return value
        } catch {
            let wrapped = ReplicationOperationError.wrap(
                error, instance: key, operation: operation, statementKind: context.currentKind)
            if logged { record(context, started: started, error: wrapped) }
            throw wrapped
        }
    }

    private func withContext<T: Sendable>(
        _ context: OperationContext,
        _ body: @escaping @Sendable (OperationContext) async throws -> T
    ) async throws -> T {
        let endpoint = MySQLEndpoint(host: context.instance.hostname, port: context.instance.port)
        context.currentKind = "connect"
        do {
            return try await pool.withConnection(to: endpoint) { connection in
                context.connection = connection
                context.dialect = ReplicationDialect(version: connection.serverInfo)
                context.currentKind = nil
                defer { context.connection = nil }
                return try await body(context)
            }
        } catch let error as MySQLError where context.currentKind == "connect" && mode == .dryRun {
            // A dry run may describe steps on an unreachable server (the dead master's fencing) when
            // its version is known from discovery.
            guard let dialect = versionHints.get(context.instance) else { throw error }
            context.dialect = dialect
            context.currentKind = nil
            context.unreachable = "\(error.code): \(error.message)"
            return try await body(context)
        }
    }

    private func record(_ context: OperationContext, started: Date, error: ReplicationOperationError?) {
        guard let log else { return }
        log.append(OperationLogEntry(
            name: context.operation, instance: context.instance, statements: context.shown, startedAt: started,
            endedAt: Date(), dryRun: mode == .dryRun, error: error?.description, note: context.note))
    }
}

/// The result of a changing operation: the statements it ran, or would run in a dry run.
public struct OperationResult: Sendable, Equatable {
    public let operation: String
    public let instance: InstanceKey
    /// Statements as shown (passwords masked), in order.
    public let statements: [String]
    public let dryRun: Bool
    /// A remark such as `already detached` (nothing to do) or `caught up`.
    public let note: String?
}

// MARK: - Context

/// The state of one running operation: its connection, dialect and the statements shown so far.
/// Used by one task at a time (the operation's), hence unchecked.
final class OperationContext: @unchecked Sendable {
    let instance: InstanceKey
    let operation: String
    let mode: ReplicationOperations.Mode
    let pollInterval: Int
    var connection: MySQLConnection?
    var dialect = ReplicationDialect.mariadb10_11
    /// The statement running now, for error messages.
    var currentKind: String?
    var shown: [String] = []
    var note: String?
    /// Set in a dry run whose server could not be reached (reads then fail).
    var unreachable: String?

    init(instance: InstanceKey, operation: String, mode: ReplicationOperations.Mode, pollInterval: Int) {
        self.instance = instance
        self.operation = operation
        self.mode = mode
        self.pollInterval = pollInterval
    }

    var sql: ReplicationSQL { ReplicationSQL(dialect) }
    var isDryRun: Bool { mode == .dryRun }

    /// Runs a changing statement, or only records it in a dry run.
    func change(_ statement: ReplicationStatement) async throws {
        shown.append(statement.display)
        guard !isDryRun else { return }
        _ = try await execute(statement)
    }

    func change(_ statements: [ReplicationStatement]) async throws {
        for s in statements { try await change(s) }
    }

    /// Runs a statement that changes nothing (also in a dry run); not recorded.
    func read(_ statement: ReplicationStatement) async throws -> MySQLResultSet {
        try await execute(statement)
    }

    /// Runs a statement that blocks on the server (a wait); recorded, not run in a dry run.
    func wait(_ statement: ReplicationStatement, record: Bool = true) async throws -> MySQLResultSet? {
        if record { shown.append(statement.display) }
        guard !isDryRun else { return nil }
        return try await execute(statement)
    }

    private func execute(_ statement: ReplicationStatement) async throws -> MySQLResultSet {
        guard let connection else {
            throw ReplicationOperationError(
                instance: instance, operation: operation, statementKind: statement.kind, reason: .unexpectedState,
                message: "the instance cannot be reached (\(unreachable ?? "no connection")), so the dry run cannot read its state")
        }
        currentKind = statement.kind
        let result = try await connection.query(statement.template, values: statement.values)
        currentKind = nil
        return result
    }

    func fail(_ reason: ReplicationOperationError.Reason, _ message: String) -> ReplicationOperationError {
        ReplicationOperationError(instance: instance, operation: operation, reason: reason, message: message)
    }

    func result() -> OperationResult {
        OperationResult(operation: operation, instance: instance, statements: shown, dryRun: isDryRun, note: note)
    }

    func pause() async throws { try await Task.sleep(nanoseconds: UInt64(pollInterval) * 1_000_000) }
}

/// Versions assumed for unreachable instances in dry runs.
final class VersionHints: @unchecked Sendable {
    private let lock = NSLock()
    private var dialects: [InstanceKey: ReplicationDialect] = [:]

    func set(_ dialect: ReplicationDialect, for key: InstanceKey) { lock.withLock { dialects[key] = dialect } }
    func get(_ key: InstanceKey) -> ReplicationDialect? { lock.withLock { dialects[key] } }
}
