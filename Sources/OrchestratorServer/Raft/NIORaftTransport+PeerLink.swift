import Logging
import NIOCore
import NIOPosix
import NIOSSL
import OrchestratorCore

extension NIORaftTransport {
    /// The outbound side towards one peer: a bounded queue, at most one connection, reconnect timer.
    /// Confined to the transport's event loop. Keeps its own copies of what it needs of the transport:
    /// the loop outlives the transport (``RaftEventLoop``), so a connect or close completing after
    /// the transport is gone must not reach back into it.
    final class PeerLink: @unchecked Sendable {
        private let loop: EventLoop
        private let options: NIORaftTransport.Options
        private let logger: Logger
        let id: RaftNodeID
        let address: RaftAddress
        private var queue = CircularBuffer<RaftFrame>()
        private var queuedBytes = 0
        private var channel: Channel?
        private var connecting = false
        private var retry: Scheduled<Void>?
        private var backoff: TimeAmount
        private var notBefore = NIODeadline.uptimeNanoseconds(0)
        private var isClosed = false
        private var dropped = 0
        private var sent = 0
        private var attempts = 0
        private var wasConnected = false

        init(transport: NIORaftTransport, id: RaftNodeID, address: RaftAddress) {
            loop = transport.loop
            options = transport.options
            logger = transport.logger
            self.id = id
            self.address = address
            backoff = options.backoffInitial
        }

        var stats: RaftPeerLinkStats {
            RaftPeerLinkStats(connected: channel != nil, queued: queue.count, queuedBytes: queuedBytes,
                              dropped: dropped, sent: sent, connectAttempts: attempts)
        }

        func enqueue(_ frame: RaftFrame) {
            loop.preconditionInEventLoop()
            guard !isClosed else { return }
            let size = frame.payload.count + 64
            let opts = options
            while !queue.isEmpty && (queue.count >= opts.queueFrameLimit || queuedBytes + size > opts.queueByteLimit) {
                let old = queue.removeFirst()
                queuedBytes -= old.payload.count + 64
                dropped += 1
            }
            queue.append(frame)
            queuedBytes += size
            if channel != nil { drain() } else { scheduleConnect() }
        }

        /// Writes queued frames while the socket accepts them; the rest wait for writability.
        func drain() {
            loop.preconditionInEventLoop()
            guard let channel else { return }
            var wrote = false
            while channel.isWritable, let frame = queue.popFirst() {
                queuedBytes -= frame.payload.count + 64
                channel.write(frame, promise: nil)
                sent += 1
                wrote = true
            }
            if wrote { channel.flush() }
        }

        func close() {
            loop.preconditionInEventLoop()
            isClosed = true
            retry?.cancel()
            retry = nil
            channel?.close(promise: nil)
            channel = nil
            queue.removeAll()
            queuedBytes = 0
        }

        // MARK: Connecting

        private func scheduleConnect() {
            guard !connecting, retry == nil, !isClosed else { return }
            let delay = notBefore - NIODeadline.now()
            if delay <= .zero {
                connect()
            } else {
                retry = loop.scheduleTask(in: delay) { [self] in
                    retry = nil
                    connect()
                }
            }
        }

        private func connect() {
            guard !isClosed, channel == nil, !connecting else { return }
            connecting = true
            attempts += 1
            let handler = OutboundLinkHandler(link: self)
            ClientBootstrap(group: loop)
                .connectTimeout(options.connectTimeout)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelOption(.writeBufferWaterMark, value: .init(low: 256 << 10, high: 1 << 20))
                .channelInitializer { [tls = options.tls] ch in
                    ch.eventLoop.makeCompletedFuture {
                        if let tls {
                            try ch.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: tls.clientContext, serverHostname: nil))
                        }
                        try ch.pipeline.syncOperations.addHandler(MessageToByteHandler(RaftFrameEncoder()))
                        try ch.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .connect(host: address.host, port: address.port)
                .whenComplete { [self] result in
                    loop.preconditionInEventLoop()
                    connecting = false
                    switch result {
                    case .success(let ch):
                        if isClosed {
                            ch.close(promise: nil)
                            return
                        }
                        channel = ch
                        backoff = options.backoffInitial
                        if !wasConnected {
                            logger.info("raft transport: connected", metadata: ["peer": "\(id)"])
                        }
                        wasConnected = true
                        drain()
                    case .failure(let error):
                        if wasConnected {
                            logger.info("raft transport: peer unreachable", metadata: ["peer": "\(id)", "error": "\(error)"])
                        }
                        wasConnected = false
                        failed()
                    }
                }
        }

        /// After a failed connect or a lost connection: drop what is queued (by the time the peer
        /// is back those messages are stale; Raft resends what still matters, and a down peer then
        /// costs no memory) and wait `backoff` before the next attempt, which the next send triggers.
        private func failed() {
            dropped += queue.count
            queue.removeAll()
            queuedBytes = 0
            notBefore = NIODeadline.now() + backoff
            backoff = min(backoff * 2, options.backoffMax)
        }

        fileprivate func channelClosed(_ ch: Channel) {
            loop.preconditionInEventLoop()
            guard channel === ch else { return }
            channel = nil
            wasConnected = false
            logger.info("raft transport: connection lost", metadata: ["peer": "\(id)"])
            failed()
        }
    }

    /// Watches the outbound connection: writability resumes draining, closure triggers reconnect.
    final class OutboundLinkHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let link: PeerLink

        init(link: PeerLink) { self.link = link }

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            if context.channel.isWritable { link.drain() }
            context.fireChannelWritabilityChanged()
        }

        func channelInactive(context: ChannelHandlerContext) {
            link.channelClosed(context.channel)
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            // Peers never write on connections we dialed; ignore anything that arrives.
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }
    }
}
