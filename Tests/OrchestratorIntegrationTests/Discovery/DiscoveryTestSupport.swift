import Foundation
import OrchestratorCore
import OrchestratorServer
import OrchestratorTestKit

#if canImport(Glibc)
import Glibc
#endif

/// A clock the test moves by hand.
final class ManualDiscoveryClock: DiscoveryClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Timestamp

    init(_ start: Timestamp = Timestamp(secondsSinceEpoch: 1_800_000_000)) { current = start }

    func now() -> Timestamp { lock.withLock { current } }

    func advance(seconds: Int64) { lock.withLock { current = current.adding(seconds: seconds) } }

    func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        await Task.yield()
    }
}

/// Discovery wired to a fresh SQLite file, as the daemon will wire it.
struct DiscoveryHarness {
    let discovery: Discovery
    let store: InstanceStore
    let pool: MySQLConnectionPool
    let clock: ManualDiscoveryClock
    let databasePath: String

    init(settings: DiscoverySettings = DiscoveryHarness.settings()) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("orchd-discovery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        databasePath = dir.appendingPathComponent("orchd.sqlite").path
        store = InstanceStore(database: try BackendDatabase(path: databasePath))
        pool = MySQLConnectionPool(config: settings.mysql)
        clock = ManualDiscoveryClock()
        discovery = Discovery(
            settings: settings, prober: MySQLTopologyProber(pool: pool, settings: settings), store: store, clock: clock)
    }

    static func settings(
        password: String = MariaDBSandbox.topologyPassword,
        connectTimeout: Int = 2,
        readTimeout: Int = 10
    ) -> DiscoverySettings {
        var settings = DiscoverySettings(mysql: MySQLClientConfig(
            user: MariaDBSandbox.topologyUser, password: password,
            connectTimeoutSeconds: connectTimeout, readTimeoutSeconds: readTimeout))
        settings.detectClusterAliasQuery = MariaDBSandbox.clusterAliasQuery
        settings.detectClusterDomainQuery = MariaDBSandbox.clusterDomainQuery
        return settings
    }

    func shutdown() async {
        await pool.shutdown()
        try? FileManager.default.removeItem(atPath: (databasePath as NSString).deletingLastPathComponent)
    }
}

extension MariaDBSandbox {
    /// Instance key of node `n`.
    func key(_ n: Int) -> InstanceKey { InstanceKey(hostname: "127.0.0.1", port: port(n)) }
}

/// A loopback TCP port nothing listens on (bound, then closed).
func closedLoopbackPort() throws -> Int {
    let listener = try LoopbackListener(behaviour: .silent)
    let port = listener.port
    listener.close()
    return port
}

/// A TCP listener on 127.0.0.1 that is not MySQL: it either sends garbage and hangs up, or accepts
/// and says nothing (like an HTTP server waiting for a request).
final class LoopbackListener: @unchecked Sendable {
    enum Behaviour { case garbage, silent }

    let port: Int
    private let fd: Int32
    private let behaviour: Behaviour
    private let lock = NSLock()
    private var closed = false
    private var accepted: [Int32] = []

    init(behaviour: Behaviour) throws {
        self.behaviour = behaviour
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    private func acceptLoop() {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 { return }  // closed
            switch behaviour {
            case .garbage:
                let text = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n\u{1}\u{2}garbage\u{ff}"
                _ = text.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                Glibc.close(client)
            case .silent:
                lock.withLock { accepted.append(client) }
            }
        }
    }

    func close() {
        lock.withLock {
            guard !closed else { return }
            closed = true
            shutdown(fd, Int32(SHUT_RDWR))
            Glibc.close(fd)
            for c in accepted { Glibc.close(c) }
        }
    }

    deinit { close() }
}
