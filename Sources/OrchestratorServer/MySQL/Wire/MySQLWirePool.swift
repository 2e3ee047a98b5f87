import NIOCore
import NIOPosix
import Synchronization

/// Reusable ``MySQLWireConnection``s per server, for probing: one idle connection kept per server.
///
/// Unlike libmariadb's pool, no ping on checkout: a wire connection's socket is watched by the event
/// loop, so one the server closed is already known to be inactive and is replaced. When the server closes
/// a reused connection before answering (2006: it was closing as it was taken), `body` runs once more on
/// a new connection, which is fine for the read-only probes this pool serves; a timeout (2013) is not
/// retried, so a hung server costs one read timeout.
public final class MySQLWirePool: Sendable {
    public let config: MySQLClientConfig
    private let group: any EventLoopGroup
    private let idle = Mutex<[MySQLEndpoint: MySQLWireConnection]>([:])
    private let isShutDown = Atomic(false)

    /// The group's loops, each with a task executor: a server's connections always live on the same
    /// loop, and its probes can run there (``executor(for:)``).
    private let loops: [EventLoopTaskExecutor]

    public init(config: MySQLClientConfig, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.config = config
        self.group = group
        var loops: [EventLoopTaskExecutor] = []
        for loop in group.makeIterator() { loops.append(EventLoopTaskExecutor(loop)) }
        if loops.isEmpty { loops.append(EventLoopTaskExecutor(group.next())) }
        self.loops = loops
    }

    /// The executor of the loop `endpoint`'s connections live on: a task that runs its probe there
    /// is resumed by the answers on the thread that read them.
    func executor(for endpoint: MySQLEndpoint) -> EventLoopTaskExecutor {
        loops[Int(UInt(bitPattern: endpoint.hashValue) % UInt(loops.count))]
    }

    public func withConnection<T: Sendable>(
        to endpoint: MySQLEndpoint,
        _ body: (MySQLWireConnection) async throws -> T
    ) async throws -> T {
        if let reused = take(endpoint) {
            do {
                return try await run(body, on: reused)
            } catch let error as MySQLError where error.code == 2006 {
                // Closed by the server as it was taken: once more on a fresh connection.
            }
        }
        if isShutDown.load(ordering: .relaxed) {
            throw MySQLError(code: 0, message: "connection pool is shut down", endpoint: endpoint.description)
        }
        return try await run(body, on: try await MySQLWireConnection.connect(to: endpoint, config: config,
                                                                           group: executor(for: endpoint).loop))
    }

    /// Closes every idle connection; connections in use are closed when given back.
    public func shutdown() async {
        isShutDown.store(true, ordering: .relaxed)
        let all = idle.withLock { idle in
            defer { idle.removeAll() }
            return Array(idle.values)
        }
        for connection in all { await connection.close() }
    }

    /// Idle connections held (for tests).
    public var idleCount: Int { idle.withLock { $0.count } }

    private func take(_ endpoint: MySQLEndpoint) -> MySQLWireConnection? {
        guard let connection = idle.withLock({ $0.removeValue(forKey: endpoint) }) else { return nil }
        return connection.isActive ? connection : nil
    }

    private func run<T: Sendable>(_ body: (MySQLWireConnection) async throws -> T, on connection: MySQLWireConnection) async throws -> T {
        do {
            let value = try await body(connection)
            await giveBack(connection, reusable: true)
            return value
        } catch {
            await giveBack(connection, reusable: (error as? MySQLError)?.connectionReusable ?? false)
            throw error
        }
    }

    private func giveBack(_ connection: MySQLWireConnection, reusable: Bool) async {
        let surplus: MySQLWireConnection?
        if reusable, connection.isActive, !isShutDown.load(ordering: .relaxed) {
            surplus = idle.withLock { idle in
                if idle[connection.endpoint] != nil { return connection }
                idle[connection.endpoint] = connection
                return nil
            }
        } else {
            surplus = connection
        }
        if let surplus { await surplus.close() }
    }
}
