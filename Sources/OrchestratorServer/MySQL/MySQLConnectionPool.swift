/// Reusable connections per instance: a probe takes an idle connection to its instance (or opens one),
/// and gives it back afterwards unless the connection broke. Idle connections are pinged on checkout;
/// a dead one is closed and replaced by a new connection (reconnect on error).
///
/// Bounded: at most `maxIdlePerEndpoint` idle connections are kept per instance; extra ones are closed.
public actor MySQLConnectionPool {
    /// Credentials and timeouts for every connection this pool opens.
    public let config: MySQLClientConfig
    /// Idle connections kept per instance.
    public let maxIdlePerEndpoint: Int

    private var idle: [MySQLEndpoint: [MySQLConnection]] = [:]
    private var isShutDown = false

    public init(config: MySQLClientConfig, maxIdlePerEndpoint: Int = 2) {
        self.config = config
        self.maxIdlePerEndpoint = max(0, maxIdlePerEndpoint)
    }

    /// Runs `body` with a connection to `endpoint`. A connection that failed with an error that breaks
    /// it (see ``MySQLError/breaksConnection``) or with a privilege error (``MySQLError/isPrivilegeError``:
    /// a later GRANT reaches only new connections) is closed instead of being reused.
    public nonisolated func withConnection<T: Sendable>(
        to endpoint: MySQLEndpoint,
        _ body: @Sendable (MySQLConnection) async throws -> T
    ) async throws -> T {
        let connection = try await checkout(endpoint)
        do {
            let value = try await body(connection)
            await checkin(connection, reusable: true)
            return value
        } catch {
            let reusable = (error as? MySQLError)?.connectionReusable ?? false
            await checkin(connection, reusable: reusable)
            throw error
        }
    }

    /// Closes the idle connections to one instance (e.g. after it was forgotten).
    public func drop(_ endpoint: MySQLEndpoint) async {
        let connections = idle.removeValue(forKey: endpoint) ?? []
        for c in connections { await c.close() }
    }

    /// Closes every idle connection; connections in use are closed when given back.
    public func shutdown() async {
        isShutDown = true
        let all = idle.values.flatMap { $0 }
        idle.removeAll()
        for c in all { await c.close() }
    }

    /// Number of idle connections held, per instance (for tests and status).
    public func idleCount(_ endpoint: MySQLEndpoint) -> Int { idle[endpoint]?.count ?? 0 }

    // MARK: - Checkout / checkin

    private func checkout(_ endpoint: MySQLEndpoint) async throws -> MySQLConnection {
        if isShutDown {
            throw MySQLError(code: 0, message: "connection pool is shut down", endpoint: endpoint.description)
        }
        // An idle connection may have died with its server (restart, kill, wait_timeout): check it with
        // one round trip so that a stale socket never turns into a failed probe.
        while var list = idle[endpoint], let connection = list.popLast() {
            idle[endpoint] = list
            do {
                try await connection.ping()
                return connection
            } catch {
                await connection.close()
            }
        }
        // Connecting suspends; other checkouts proceed meanwhile (actor reentrancy).
        return try await MySQLConnection.connect(to: endpoint, config: config)
    }

    private func checkin(_ connection: MySQLConnection, reusable: Bool) async {
        let endpoint = connection.endpoint
        guard reusable, !isShutDown, (idle[endpoint]?.count ?? 0) < maxIdlePerEndpoint else {
            await connection.close()
            return
        }
        idle[endpoint, default: []].append(connection)
    }
}
