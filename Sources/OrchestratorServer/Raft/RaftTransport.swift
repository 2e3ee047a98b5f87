import NIOCore
import OrchestratorCore

// MARK: - Transport seam

/// One unit on the wire: an opaque payload (an encoded `RaftMessage`) from one member to another.
public struct RaftFrame: Sendable, Equatable {
    public var from: RaftNodeID
    public var to: RaftNodeID
    public var payload: [UInt8]

    public init(from: RaftNodeID, to: RaftNodeID, payload: [UInt8]) {
        self.from = from
        self.to = to
        self.payload = payload
    }
}

/// Moves frames between members. Delivery is best effort: frames may be lost, and are when a
/// peer's bounded queue overflows; Raft retransmits what matters.
public protocol RaftTransport: Sendable {
    /// Frames addressed to this node, in arrival order per sender.
    var inbound: AsyncStream<RaftFrame> { get }
    /// Starts listening (and accepting); returns once the listener is bound.
    func start() async throws
    /// Queues `frame` for `frame.to`; never blocks and never fails (drops instead).
    func send(_ frame: RaftFrame)
    /// Queues several frames, in order (by default one `send` each).
    func send(_ frames: [RaftFrame])
    /// Hands received frames to `handler` (on the transport's own thread, in arrival order per sender)
    /// instead of `inbound`; called before `start()`. False: this transport only offers `inbound`.
    func deliverInbound(to handler: @escaping @Sendable (RaftFrame) -> Void) -> Bool
    /// Drops the connection and queue of a member that left the cluster.
    func forget(_ peer: RaftNodeID)
    /// Closes every connection and finishes `inbound`.
    func shutdown() async
    /// The event loop the transport's connections run on, if it has one: a ``RaftService`` runs there
    /// too, so that frames need no hop between threads (nil: the service takes a loop of its own, ``RaftEventLoop/ownLoop()``).
    var eventLoop: (any EventLoop)? { get }
}

extension RaftTransport {
    /// Sends frames in order; a transport may hand them to its connections in one go.
    public func send(_ frames: [RaftFrame]) {
        for frame in frames { send(frame) }
    }

    public func deliverInbound(to handler: @escaping @Sendable (RaftFrame) -> Void) -> Bool { false }

    public var eventLoop: (any EventLoop)? { nil }
}

/// Per-peer counters, for status pages and tests.
public struct RaftPeerLinkStats: Sendable, Equatable {
    public var connected: Bool
    public var queued: Int
    public var queuedBytes: Int
    public var dropped: Int
    public var sent: Int
    public var connectAttempts: Int
}

// MARK: - Addresses

/// `host:port` (or `[v6]:port`) as used by RaftAdvertise, RaftBind and RaftNodes.
public struct RaftAddress: Sendable, Equatable, CustomStringConvertible {
    /// Upstream orchestrator's DefaultRaftPort.
    public static let defaultPort = 10008

    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host`, `host:port`, `[v6]` or `[v6]:port`; the port defaults to `defaultPort`.
    public init?(parsing text: String, defaultPort: Int = RaftAddress.defaultPort) {
        var host = Substring(text)
        var port = defaultPort
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()) else { return nil }
                port = p
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard host.firstIndex(of: ":") == colon, let p = Int(host[host.index(after: colon)...]) else { return nil }
            port = p
            host = host[..<colon]
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        self.host = String(host)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
