import NIOConcurrencyHelpers

/// The simulated fleet's state: `clusters` clusters of `clusterSize` servers on consecutive ports from
/// `basePort`. In each cluster the first server is the master and the others replicate from it (GTID,
/// domain 0). The master's GTID sequence advances with time (`writesPerSecond`); a replica is at the
/// master's position `lag` seconds ago, or frozen where its replication stopped. Every answer is built
/// from this one state, so a server's SHOW SLAVE STATUS, its master's SHOW SLAVE HOSTS and the GTID
/// positions agree. Thread-safe (one lock).
public final class FleetModel: Sendable {
    public enum Health: String, Sendable {
        /// Accepts connections and answers.
        case up
        /// Refuses connections (nothing listens).
        case down
        /// Accepts connections and never answers.
        case hung
    }

    public struct Server: Sendable, Equatable {
        public var port: Int
        public var serverID: Int
        public var cluster: Int
        /// nil for a master.
        public var masterPort: Int?
        public var health: Health = .up
        public var ioRunning = true
        public var sqlRunning = true
        public var lagSeconds: Int64 = 0
        /// The GTID sequence where this server stopped moving (replication stopped, or a master went
        /// down), nil while it moves.
        public var frozenSequence: Int64?
        public var readOnly: Bool
    }

    public struct Options: Sendable {
        public var clusters: Int
        public var clusterSize: Int
        public var basePort: Int
        public var user: String
        public var password: String
        public var writesPerSecond: Double = 10
        public var host = "127.0.0.1"
        public var aliasPrefix = "fleet"
        public init(clusters: Int, clusterSize: Int, basePort: Int, user: String, password: String) {
            self.clusters = clusters
            self.clusterSize = clusterSize
            self.basePort = basePort
            self.user = user
            self.password = password
        }
    }

    public let options: Options
    private let started: ContinuousClock.Instant
    private let state: NIOLockedValueBox<[Int: Server]>

    public init(_ options: Options) {
        self.options = options
        started = ContinuousClock.now
        var servers: [Int: Server] = [:]
        for c in 0..<options.clusters {
            let masterPort = options.basePort + c * options.clusterSize
            for i in 0..<options.clusterSize {
                let port = masterPort + i
                servers[port] = Server(port: port, serverID: port, cluster: c, masterPort: i == 0 ? nil : masterPort,
                                       readOnly: i != 0)
            }
        }
        state = NIOLockedValueBox(servers)
    }

    public var ports: [Int] { state.withLockedValue { $0.keys.sorted() } }

    public func server(_ port: Int) -> Server? { state.withLockedValue { $0[port] } }

    public func alias(ofCluster c: Int) -> String {
        let digits = String(c)
        return options.aliasPrefix + "-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    // MARK: - Time and positions

    var uptimeSeconds: Int64 {
        let d = ContinuousClock.now - started
        return d.components.seconds
    }

    private func elapsed() -> Double {
        let d = ContinuousClock.now - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// The master's sequence `secondsAgo` seconds ago (never below 1: every master has written once).
    private func masterSequence(_ master: Server, secondsAgo: Double, now: Double) -> Int64 {
        let moving = 1 + Int64(max(0, now - secondsAgo) * options.writesPerSecond)
        if let frozen = master.frozenSequence { return min(frozen, moving) }
        return moving
    }

    /// The sequence of a server's own writes applied (master) or replicated (replica).
    func sequence(_ s: Server, in servers: [Int: Server], now: Double) -> Int64 {
        guard let mp = s.masterPort, let master = servers[mp] else {
            return masterSequence(s, secondsAgo: 0, now: now)
        }
        let replicated = masterSequence(master, secondsAgo: Double(s.lagSeconds), now: now)
        if let frozen = s.frozenSequence { return min(frozen, replicated) }
        return replicated
    }

    func gtid(_ s: Server, in servers: [Int: Server], now: Double) -> String {
        let masterID = s.masterPort.flatMap { servers[$0]?.serverID } ?? s.serverID
        return "0-\(masterID)-\(sequence(s, in: servers, now: now))"
    }

    // MARK: - Control

    public enum ControlError: Error, CustomStringConvertible {
        case unknownServer(Int)
        case notAReplica(Int)
        public var description: String {
            switch self {
            case .unknownServer(let p): return "no simulated server on port \(p)"
            case .notAReplica(let p): return "port \(p) is a master (no replication to change)"
            }
        }
    }

    /// Sets a server's health; a master going down freezes its sequence where it stopped (its replicas
    /// then show a broken IO thread), coming back unfreezes it.
    public func setHealth(_ port: Int, _ health: Health) throws {
        let now = elapsed()
        try state.withLockedValue { servers in
            guard var s = servers[port] else { throw ControlError.unknownServer(port) }
            if health == .down, s.health != .down, s.masterPort == nil {
                s.frozenSequence = sequence(s, in: servers, now: now)
            } else if health != .down, s.health == .down, s.masterPort == nil {
                s.frozenSequence = nil
            }
            s.health = health
            servers[port] = s
        }
    }

    public func setReplication(_ port: Int, running: Bool) throws {
        let now = elapsed()
        try state.withLockedValue { servers in
            guard var s = servers[port] else { throw ControlError.unknownServer(port) }
            guard s.masterPort != nil else { throw ControlError.notAReplica(port) }
            s.frozenSequence = running ? nil : sequence(s, in: servers, now: now)
            s.ioRunning = running
            s.sqlRunning = running
            servers[port] = s
        }
    }

    public func setLag(_ port: Int, seconds: Int64) throws {
        try state.withLockedValue { servers in
            guard var s = servers[port] else { throw ControlError.unknownServer(port) }
            guard s.masterPort != nil else { throw ControlError.notAReplica(port) }
            s.lagSeconds = max(0, seconds)
            servers[port] = s
        }
    }

    // MARK: - Answers

    public enum Reply: Sendable {
        case resultSet(MySQLWire.ResultSet)
        case ok
        /// OK once `seconds` have passed (DO SLEEP).
        case okAfter(seconds: Double)
        case error(code: UInt16, sqlState: String, message: String)
    }

    /// The answer of the server on `port` to one COM_QUERY.
    public func answer(port: Int, sql: String) -> Reply {
        answer(port: port, statement: FleetAnswers.classify(sql))
    }

    /// The answer of the server on `port` to a statement classified before.
    func answer(port: Int, statement: FleetAnswers.Statement) -> Reply {
        let now = elapsed()
        return state.withLockedValue { servers in
            guard let s = servers[port] else { return .error(code: 1105, sqlState: "HY000", message: "no such server") }
            return FleetAnswers(model: self, server: s, servers: servers, now: now).answer(statement)
        }
    }
}
