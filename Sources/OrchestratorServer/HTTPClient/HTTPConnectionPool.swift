import NIOCore

/// Idle kept-alive connections, a few per origin (scheme, host, port). Bounded: a connection given
/// back when its origin already has `maxIdlePerOrigin` idle ones is closed, so a burst of parallel
/// requests leaves at most that many sockets open afterwards. Idle connections older than
/// `idleTimeout` are closed instead of reused (peers may have dropped them meanwhile).
actor HTTPConnectionPool {
    private struct Parked {
        var connection: HTTPConnection
        var since: NIODeadline
    }

    let maxIdlePerOrigin: Int
    let idleTimeout: TimeAmount
    private var idle: [HTTPAddress: [Parked]] = [:]
    private(set) var isShutDown = false

    init(maxIdlePerOrigin: Int, idleTimeout: TimeAmount) {
        self.maxIdlePerOrigin = max(0, maxIdlePerOrigin)
        self.idleTimeout = idleTimeout
    }

    /// A live idle connection to `origin`, most recently used first; nil when there is none.
    func take(_ origin: HTTPAddress) throws(HTTPClientError) -> HTTPConnection? {
        guard !isShutDown else { throw HTTPClientError(.shutDown, address: origin.description, detail: "") }
        let now = NIODeadline.now()
        while let parked = idle[origin]?.popLast() {
            if parked.connection.channel.isActive, now - parked.since < idleTimeout { return parked.connection }
            parked.connection.close()
        }
        return nil
    }

    /// Keeps `connection` for the next request to its origin, or closes it (pool full, shut down, dead).
    func park(_ connection: HTTPConnection) {
        let origin = connection.origin
        guard !isShutDown, connection.channel.isActive, idle[origin, default: []].count < maxIdlePerOrigin else {
            connection.close()
            return
        }
        idle[origin, default: []].append(Parked(connection: connection, since: .now()))
    }

    /// How many idle connections are kept for `origin` (for tests).
    func idleCount(_ origin: HTTPAddress) -> Int { idle[origin]?.count ?? 0 }

    /// Closes every idle connection and refuses new requests; connections in use close when given back.
    func shutDown() async {
        isShutDown = true
        let all = idle.values.flatMap { $0 }
        idle = [:]
        for parked in all {
            parked.connection.close()
            // Wait for the sockets to be closed, so shutdown means no more open file descriptors.
            // A failure means the channel was closed already, which is what we want.
            _ = try? await parked.connection.channel.closeFuture.get()
        }
    }
}
