import OrchestratorServer
import Logging
import NIOCore
import NIOPosix
import OrchestratorCore

/// A line protocol to drive a `RaftService` from outside the process: used by `raft-harness`, its
/// bench and the real-process tests. Not authenticated: bind it to loopback only.
///
///     propose <text>   -> ok | err <reason>
///     confirm          -> ok | err <reason>
///     transfer <id>    -> ok | err <reason>
///     add <id> / remove <id> -> ok | err <reason>
///     snapshot         -> ok | err <reason>
///     status           -> status key=value ...
///
/// Errors: `err notLeader <leader|->`, `err timeout`, `err shuttingDown`, `err other <text>`.
public enum RaftControl {
    /// Formats an error the way clients parse it.
    static func describe(_ error: any Error) -> String {
        switch error as? RaftServiceError {
        case let .notLeader(leader)?: return "err notLeader \(leader ?? "-")"
        case .timeout?: return "err timeout"
        case .shuttingDown?: return "err shuttingDown"
        case .dropped?: return "err dropped"
        case let .refused(e)?: return "err refused \(e.description.replacingOccurrences(of: "\n", with: " "))"
        case nil: return "err other \("\(error)".replacingOccurrences(of: "\n", with: " "))"
        }
    }

    /// Parses `status k=v k=v` into a dictionary.
    public static func parseStatus(_ line: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in line.split(separator: " ").dropFirst() {
            guard let eq = part.firstIndex(of: "=") else { continue }
            out[String(part[..<eq])] = String(part[part.index(after: eq)...])
        }
        return out
    }
}

// MARK: - Line framing

/// Splits a byte stream on `\n` (lines up to 1 MiB).
struct LineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let nl = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > 1 << 20 { throw RaftDecodeError.invalid("control line too long") }
            return .needMoreData
        }
        let length = nl - buffer.readerIndex
        let line = buffer.readString(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}

// MARK: - Client

/// A connection to a control port; requests on one client are answered in order.
public final class RaftControlClient: @unchecked Sendable {
    private let channel: Channel
    private let handler: ResponseHandler

    private init(channel: Channel, handler: ResponseHandler) {
        self.channel = channel
        self.handler = handler
    }

    /// Connects to `host:port` (on NIO's shared event loops unless `group` is given).
    public static func connect(
        host: String, port: Int, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> RaftControlClient {
        let handler = ResponseHandler()
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(2))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
                    try ch.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: host, port: port).get()
        return RaftControlClient(channel: channel, handler: handler)
    }

    /// Sends one request line and waits for its response line.
    public func request(_ line: String) async throws -> String {
        let promise = channel.eventLoop.makePromise(of: String.self)
        let handler = handler
        let channel = channel
        channel.eventLoop.execute {
            handler.waiting.append(promise)
            var buf = channel.allocator.buffer(capacity: line.utf8.count + 1)
            buf.writeString(line)
            buf.writeString("\n")
            channel.writeAndFlush(buf).whenFailure { promise.fail($0) }
        }
        return try await promise.futureResult.get()
    }

    public func close() async {
        try? await channel.close()
    }

    final class ResponseHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = String
        var waiting = CircularBuffer<EventLoopPromise<String>>()

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            waiting.popFirst()?.succeed(unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            while let p = waiting.popFirst() { p.fail(ChannelError.ioOnClosedChannel) }
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }
    }
}
