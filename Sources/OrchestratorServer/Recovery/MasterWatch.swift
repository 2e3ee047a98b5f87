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
/// Before: a `DO SLEEP` loop per master held one blocked libmariadb thread each (1,000 masters: 1,000
/// threads parked in a read, competing with the probes for the dispatch pool).
actor MasterWatch {
    private let config: MySQLClientConfig
    private let onLost: @Sendable (InstanceKey) async -> Void
    private var wanted: Set<InstanceKey> = []
    private var connections: [InstanceKey: MySQLConnection] = [:]
    private var connecting: Set<InstanceKey> = []
    /// Connections to close once the current poll returns (their descriptors must not be reused while
    /// a poll may still be waiting on them).
    private var retired: [MySQLConnection] = []
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
            retired.append(connection)
        }
        for key in masters where connections[key] == nil && !connecting.contains(key) {
            connecting.insert(key)
            let config = self.config
            Task { [weak self] in
                let connection = try? await MySQLConnection.connect(
                    to: MySQLEndpoint(host: key.hostname, port: key.port), config: config)
                await self?.connected(key, connection)
            }
        }
        if loop == nil, !masters.isEmpty {
            loop = Task { [weak self] in await self?.pollLoop() }
        }
    }

    func stopAll() {
        watch([])
        loop?.cancel()
        loop = nil
    }

    private func connected(_ key: InstanceKey, _ connection: MySQLConnection?) async {
        connecting.remove(key)
        guard let connection else { return }
        guard wanted.contains(key), connections[key] == nil else {
            await connection.close()
            return
        }
        connections[key] = connection
    }

    private func pollLoop() async {
        while !Task.isCancelled {
            let watched = connections.compactMap { key, c in c.socketDescriptor >= 0 ? (key, c.socketDescriptor) : nil }
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
            for connection in closing { await connection.close() }
            for index in ready {
                let key = watched[index].0
                guard let connection = connections[key], connection.socketDescriptor == watched[index].1 else { continue }
                connections[key] = nil
                await connection.close()
                let onLost = self.onLost
                Task { await onLost(key) }
            }
        }
    }
}
