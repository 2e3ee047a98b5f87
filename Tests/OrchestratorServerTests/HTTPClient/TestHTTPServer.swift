import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A small real HTTP/1.1 server on 127.0.0.1 (or another loopback address; ephemeral port) for the client tests. `echo` answers
/// every request with its method, target, headers and the client certificate it saw, as text;
/// `/close` answers with `Connection: close`, `/challenge` with 401 and a `WWW-Authenticate` header,
/// `/drop-reused` hangs up without answering when it is not the connection's first request.
/// `silent` accepts connections and never answers. Counts accepted connections.
final class TestHTTPServer: Sendable {
    enum Mode: Sendable { case echo, silent }

    let channel: any Channel
    let accepted: AcceptCounter

    var port: Int { channel.localAddress?.port ?? 0 }

    private init(channel: any Channel, accepted: AcceptCounter) {
        self.channel = channel
        self.accepted = accepted
    }

    static func start(_ mode: Mode = .echo, tls: NIOSSLContext? = nil, host: String = "127.0.0.1") async throws -> TestHTTPServer {
        let accepted = AcceptCounter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                accepted.increment()
                return channel.eventLoop.makeCompletedFuture {
                    guard mode == .echo else { return }
                    let sync = channel.pipeline.syncOperations
                    if let tls { try sync.addHandler(NIOSSLServerHandler(context: tls)) }
                    try sync.configureHTTPServerPipeline()
                    try sync.addHandler(EchoHandler())
                }
            }
            .bind(host: host, port: 0).get()
        return TestHTTPServer(channel: channel, accepted: accepted)
    }

    func stop() async throws {
        try await channel.close()
    }
}

/// Accepted connections, counted from the event loops.
final class AcceptCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var head: HTTPRequestHead?
    private var served = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
        case .body:
            break
        case .end:
            guard let head else { return }
            served += 1
            if head.uri == "/drop-reused", served > 1 {
                context.close(promise: nil)
                return
            }
            var text = "\(head.method.rawValue) \(head.uri)\n"
            for (name, value) in head.headers { text += "\(name.lowercased()): \(value)\n" }
            let certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate
            text += "client-certificate: \(certificate.map { "\($0)" } ?? "none")\n"
            var response = HTTPResponseHead(version: head.version, status: .ok)
            response.headers.add(name: "Content-Type", value: "text/plain")
            response.headers.add(name: "X-Test", value: "yes")
            if head.uri == "/close" { response.headers.add(name: "Connection", value: "close") }
            if head.uri == "/challenge" {
                response.status = .unauthorized
                response.headers.add(name: "WWW-Authenticate", value: "Basic realm=\"orchd-test\"")
            }
            response.headers.add(name: "Content-Length", value: "\(text.utf8.count)")
            let keepAlive = head.isKeepAlive && head.uri != "/close"
            context.write(wrapOutboundOut(.head(response)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }
}
