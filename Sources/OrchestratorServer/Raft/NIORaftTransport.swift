import Logging
import NIOCore
import NIOPosix
import NIOSSL
import OrchestratorCore
import Synchronization

/// TCP transport between Raft members (SwiftNIO). Each node dials every peer it sends to and only
/// writes on the connections it dialed; it reads frames on the connections it accepted.
///
/// Bounded memory: each peer has a queue capped by frame count and bytes (oldest frames are dropped
/// when full: Raft resends), and frames leave that queue only while the socket is writable, so a
/// stopped or dead peer never grows a buffer. Reconnects back off exponentially up to a cap.
///
/// Concurrency: every piece of mutable state is confined to one event loop (`loop`); public entry
/// points hop onto it. That is why the class is `@unchecked Sendable`.
public final class NIORaftTransport: RaftTransport, @unchecked Sendable {
    /// Tunables; defaults suit a LAN.
    public struct Options: Sendable {
        public var queueFrameLimit = 1024
        public var queueByteLimit = 16 << 20
        public var backoffInitial = TimeAmount.milliseconds(20)
        public var backoffMax = TimeAmount.milliseconds(500)
        public var connectTimeout = TimeAmount.milliseconds(500)
        public var maxFrameSize = RaftWire.defaultMaxFrameSize
        /// Inbound frames waiting for the consumer; beyond this the oldest are dropped.
        public var inboundBufferLimit = 8192
        /// Mutual TLS on every connection; nil is plain TCP (said at start-up by the daemon).
        public var tls: RaftTLS?

        public init() {}
    }

    public let localID: RaftNodeID
    public let bind: RaftAddress
    public let inbound: AsyncStream<RaftFrame>
    let options: Options
    let logger: Logger
    let loop: EventLoop
    private let continuation: AsyncStream<RaftFrame>.Continuation
    /// Set before `start()` by a consumer that takes frames on the event loop (``deliverInbound(to:)``).
    private let directSink = Mutex<(@Sendable (RaftFrame) -> Void)?>(nil)

    // Loop-confined state.
    var links: [RaftNodeID: PeerLink] = [:]
    private var server: Channel?
    private var accepted: [ObjectIdentifier: Channel] = [:]
    private var closed = false
    private var lastOversizeLog: NIODeadline?

    /// - Parameters:
    ///   - localID: this node's RaftAdvertise address (frames to other ids are dropped).
    ///   - bind: the RaftBind address to listen on.
    public init(localID: RaftNodeID, bind: RaftAddress, options: Options = Options(), logger: Logger = Logger(label: "orchd.raft.transport")) {
        self.localID = localID
        self.bind = bind
        self.options = options
        self.logger = logger
        // Raft's own thread, shared with the service that reads these frames (see ``RaftEventLoop``).
        loop = RaftEventLoop.group.next()
        (inbound, continuation) = AsyncStream.makeStream(of: RaftFrame.self, bufferingPolicy: .bufferingNewest(options.inboundBufferLimit))
    }

    /// The port actually bound (useful with port 0 in tests).
    public private(set) var boundPort: Int?

    // MARK: - RaftTransport

    public func start() async throws {
        let maxFrame = options.maxFrameSize
        let localID = localID
        let continuation = continuation
        let direct: (@Sendable (RaftFrame) -> Void)? = directSink.withLock { $0 }
        let sink: @Sendable (RaftFrame) -> Void
        if let direct {
            sink = direct
        } else {
            sink = { frame in continuation.yield(frame) }
        }
        let logger = logger
        let tls = options.tls
        let channel = try await ServerBootstrap(group: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [weak self] child in
                child.eventLoop.makeCompletedFuture {
                    if let tls {
                        try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.serverContext))
                    }
                    try child.pipeline.syncOperations.addHandler(ByteToMessageHandler(RaftFrameDecoder(maxFrameSize: maxFrame)))
                    try child.pipeline.syncOperations.addHandler(
                        InboundFrameHandler(localID: localID, sink: sink, logger: logger))
                    self?.track(child)
                }
            }
            .bind(host: bind.host, port: bind.port).get()
        boundPort = channel.localAddress?.port
        try await loop.submit { self.server = channel }.get()
        logger.info("raft transport listening", metadata: ["bind": "\(bind)", "id": "\(localID)",
                                                          "tls": "\(tls == nil ? "off" : "mutual")"])
    }

    public func send(_ frame: RaftFrame) {
        loop.execute { self.enqueue(frame) }
    }

    /// Frames go to `handler` on the event loop instead of through `inbound`: the consumer is woken
    /// once, not first a task reading `inbound` and then its own. Call before `start()`.
    public func deliverInbound(to handler: @escaping @Sendable (RaftFrame) -> Void) -> Bool {
        directSink.withLock { $0 = handler }
        return true
    }

    /// One task on the event loop for the whole batch: one wake-up of the loop, not one per frame.
    public func send(_ frames: [RaftFrame]) {
        loop.execute { for frame in frames { self.enqueue(frame) } }
    }

    public func forget(_ peer: RaftNodeID) {
        loop.execute {
            self.links.removeValue(forKey: peer)?.close()
        }
    }

    public func shutdown() async {
        let channels: [Channel] = (try? await loop.submit { () -> [Channel] in
            self.closed = true
            for link in self.links.values { link.close() }
            self.links.removeAll()
            let all = Array(self.accepted.values) + (self.server.map { [$0] } ?? [])
            self.accepted.removeAll()
            self.server = nil
            return all
        }.get()) ?? []
        for c in channels { try? await c.close() }
        continuation.finish()
    }

    /// The loop the connections run on, where a ``RaftService`` runs too.
    public var eventLoop: (any EventLoop)? { loop }

    /// Counters per peer this node has sent to.
    public func stats() async -> [RaftNodeID: RaftPeerLinkStats] {
        (try? await loop.submit { self.links.mapValues { $0.stats } }.get()) ?? [:]
    }

    // MARK: - Loop-confined internals

    private func track(_ child: Channel) {
        loop.preconditionInEventLoop()
        let key = ObjectIdentifier(child)
        accepted[key] = child
        child.closeFuture.whenComplete { _ in self.loop.execute { self.accepted.removeValue(forKey: key) } }
    }

    private func enqueue(_ frame: RaftFrame) {
        guard !closed else { return }
        // A frame its receiver would refuse (a snapshot above the limit) is not sent; said loudly, at most
        // once a minute, since Raft retries it at every heartbeat.
        let size = frame.payload.count + 16 + frame.from.utf8.count + frame.to.utf8.count
        guard size <= options.maxFrameSize else {
            let now = NIODeadline.now()
            if lastOversizeLog.map({ now - $0 > .minutes(1) }) ?? true {
                lastOversizeLog = now
                let limit = options.maxFrameSize
                logger.error("raft transport: a \(size)-byte frame to \(frame.to) exceeds the \(limit)-byte frame limit and is not sent (the replicated state has outgrown it; a follower that needs this snapshot cannot catch up)")
            }
            return
        }
        if let link = links[frame.to] {
            link.enqueue(frame)
            return
        }
        guard let address = RaftAddress(parsing: frame.to) else {
            logger.warning("raft transport: cannot send to malformed peer address", metadata: ["peer": "\(frame.to)"])
            return
        }
        let link = PeerLink(transport: self, id: frame.to, address: address)
        links[frame.to] = link
        link.enqueue(frame)
    }
}

// MARK: - Inbound handler

/// Delivers decoded frames addressed to this node; closes the connection on a protocol error.
final class InboundFrameHandler: ChannelInboundHandler {
    typealias InboundIn = RaftFrame
    let localID: RaftNodeID
    let sink: @Sendable (RaftFrame) -> Void
    let logger: Logger

    init(localID: RaftNodeID, sink: @escaping @Sendable (RaftFrame) -> Void, logger: Logger) {
        self.localID = localID
        self.sink = sink
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard frame.to == localID else {
            logger.debug("raft transport: dropped frame for another member", metadata: ["to": "\(frame.to)", "from": "\(frame.from)"])
            return
        }
        sink(frame)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.warning("raft transport: closing inbound connection", metadata: [
            "remote": "\(context.remoteAddress.map { "\($0)" } ?? "?")", "error": "\(error)",
        ])
        context.close(promise: nil)
    }
}
