import Dispatch
import OrchestratorCore
#if canImport(Glibc)
import Glibc
#endif

/// Notices a master's crash within milliseconds instead of a poll interval: the leader keeps one idle
/// connection per cluster master, and one thread waits (`poll(2)`) on all their sockets at once. An idle
/// MySQL connection receives nothing unsolicited; its socket becomes readable only when the server
/// closes it (crash, kill, shutdown, `wait_timeout`), so any readiness means the connection is gone and
/// `onLost` runs. The analysis that follows stays holistic (it still needs the replicas to agree). Connect
/// failures do not call `onLost` — a server that is already down, or hangs, is the poller's business.
///
/// The connections are orchd's own (``MySQLWireConnection``): the event loop already watches their
/// sockets, and their close is the signal. A master that needs libmariadb (TLS, another authentication
/// plugin) gets a libmariadb connection, and one thread waits (`poll(2)`) on all of those at once.
///
/// Before: a `DO SLEEP` loop per master held one blocked libmariadb thread each (1,000 masters: 1,000
/// threads parked in a read, competing with the probes for the dispatch pool).
actor MasterWatch {
    private enum Watched {
        case wire(MySQLWireConnection)
        case library(MySQLConnection)
    }

    private let config: MySQLClientConfig
    private let onLost: @Sendable (InstanceKey) async -> Void
    private var wanted: Set<InstanceKey> = []
    private var connections: [InstanceKey: Watched] = [:]
    private var connecting: Set<InstanceKey> = []
    /// Connections to close once the current poll returns (their descriptors must not be reused while
    /// a poll may still be waiting on them).
    private var retired: [Watched] = []
    private var loop: Task<Void, Never>?
    private let pollQueue = DispatchQueue(label: "orchd.master-watch")
    /// How long one poll waits before it looks at the watched set again.
    private let pollMilliseconds: Int32 = 200

    init(config: MySQLClientConfig, onLost: @escaping @Sendable (InstanceKey) async -> Void) {
        self.config = config
        self.onLost = onLost
    }

    /// Watches exactly `masters` (connects to new ones, drops the others). A master whose connection
    /// could not be opened, or was lost, is connected again at the next call.
    func watch(_ masters: Set<InstanceKey>) {
        wanted = masters
        for (key, connection) in connections where !masters.contains(key) {
            connections[key] = nil
            switch connection {
            case .wire(let c): Task { await c.close() }  // not polled here: closing it now is safe
            case .library: retired.append(connection)
            }
        }
        for key in masters where connections[key] == nil && !connecting.contains(key) {
            connecting.insert(key)
            let config = self.config
            Task { [weak self] in
                let connection = await Self.open(key, config: config)
                await self?.connected(key, connection)
            }
        }
    }

    /// An idle connection to `key`: orchd's own when the server allows it, else libmariadb's.
    private static func open(_ key: InstanceKey, config: MySQLClientConfig) async -> Watched? {
        let endpoint = MySQLEndpoint(host: key.hostname, port: key.port)
        if config.tls.mode != .required {
            do {
                return .wire(try await MySQLWireConnection.connect(to: endpoint, config: config))
            } catch MySQLWireError.needsLibrary {
            } catch let error as MySQLError where config.tls.mode == .mixed && MySQLTLSSettings.plainRefusalMayNeedTLS(error) {
            } catch {
                return nil
            }
        }
        return (try? await MySQLConnection.connect(to: endpoint, config: config)).map { .library($0) }
    }

    func stopAll() {
        watch([])
        loop?.cancel()
        loop = nil
    }

    private func connected(_ key: InstanceKey, _ watched: Watched?) async {
        connecting.remove(key)
        guard let watched else { return }
        guard wanted.contains(key), connections[key] == nil else {
            await Self.close(watched)
            return
        }
        connections[key] = watched
        switch watched {
        case .wire(let connection):
            connection.whenClosed { [weak self] in Task { await self?.closed(key, connection) } }
        case .library:
            if loop == nil { loop = Task { [weak self] in await self?.pollLoop() } }
        }
    }

    /// A wire connection closed: lost, unless this watch retired or replaced it.
    private func closed(_ key: InstanceKey, _ connection: MySQLWireConnection) {
        guard case .wire(let current) = connections[key], current === connection else { return }
        connections[key] = nil
        let onLost = self.onLost
        Task { await onLost(key) }
    }

    private static func close(_ watched: Watched) async {
        switch watched {
        case .wire(let connection): await connection.close()
        case .library(let connection): await connection.close()
        }
    }

    private func pollLoop() async {
        while !Task.isCancelled {
            let watched = connections.compactMap { key, w -> (InstanceKey, Int32)? in
                guard case .library(let c) = w, c.socketDescriptor >= 0 else { return nil }
                return (key, c.socketDescriptor)
            }
            let timeout = pollMilliseconds
            let ready: [Int] = await withCheckedContinuation { continuation in
                pollQueue.async {
                    guard !watched.isEmpty else {
                        usleep(UInt32(timeout) * 1000)
                        continuation.resume(returning: [])
                        return
                    }
                    var fds = watched.map { pollfd(fd: $0.1, events: Int16(POLLIN), revents: 0) }
                    let n = poll(&fds, nfds_t(fds.count), timeout)
                    continuation.resume(returning: n > 0 ? fds.indices.filter { fds[$0].revents != 0 } : [])
                }
            }
            let closing = retired
            retired.removeAll()
            for connection in closing { await Self.close(connection) }
            for index in ready {
                let key = watched[index].0
                guard case .library(let connection) = connections[key], connection.socketDescriptor == watched[index].1 else { continue }
                connections[key] = nil
                await connection.close()
                let onLost = self.onLost
                Task { await onLost(key) }
            }
        }
    }
}
