import NIOCore
import NIOHTTP1
import NIOTLS

/// One HTTP/1.1 connection to an origin, kept alive between requests; carries one request at a time
/// (no pipelining). Owned by whoever took it from the pool until it is parked again or closed.
final class HTTPConnection: Sendable {
    let channel: any Channel
    let origin: HTTPAddress
    /// Succeeds when requests can be written: at TCP connect for http, after the handshake for https.
    let ready: EventLoopFuture<Void>

    init(channel: any Channel, origin: HTTPAddress, ready: EventLoopFuture<Void>) {
        self.channel = channel
        self.origin = origin
        self.ready = ready
    }

    /// Waits until the connection is usable (the TLS handshake is done), at most until `deadline`.
    func waitUntilReady(deadline: NIODeadline) async throws {
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(deadline: deadline) {
            channel.pipeline.fireErrorCaught(HTTPConnectionFailure.timedOut)
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        try await ready.get()
    }

    /// Sends `request` and returns the complete response, and whether the connection may be reused.
    /// Fails with `HTTPConnectionFailure.timedOut` at `deadline` (and closes the connection then).
    func execute(_ request: HTTPClient.Request, deadline: NIODeadline) async throws -> (HTTPClient.Response, reusable: Bool) {
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: request.target)
        head.headers.add(name: "Host", value: origin.port == origin.scheme.defaultPort ? origin.host : origin.authority)
        head.headers.add(name: "User-Agent", value: "orchd")
        for (name, value) in request.headers { head.headers.add(name: name, value: value) }
        if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" {
            head.headers.replaceOrAdd(name: "Content-Length", value: "\(request.body.count)")
        }
        let body = request.body.isEmpty ? nil : channel.allocator.buffer(bytes: request.body)
        let channel = self.channel
        let promise = channel.eventLoop.makePromise(of: HTTPResponseCollector.Outcome.self)
        let timer = channel.eventLoop.scheduleTask(deadline: deadline) {
            promise.fail(HTTPConnectionFailure.timedOut)
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        // A closed channel may no longer reach the collector: its write failure completes the promise.
        channel.writeAndFlush(HTTPResponseCollector.Exchange(head: head, body: body, promise: promise))
            .whenFailure { promise.fail(HTTPConnectionFailure.closed(receivedAny: false, cause: $0)) }
        let outcome = try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            promise.fail(CancellationError())
            channel.close(promise: nil)
        }
        let response = HTTPClient.Response(
            status: Int(outcome.head.status.code),
            headers: outcome.head.headers.map { (name: $0.name, value: $0.value) },
            body: Array(buffer: outcome.body))
        let reusable = outcome.head.isKeepAlive && head.isKeepAlive && channel.isActive
        return (response, reusable)
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// How a connection failed, before the client turns it into an `HTTPClientError` naming the address.
enum HTTPConnectionFailure: Error {
    /// The request deadline passed.
    case timedOut
    /// The connection closed; `receivedAny` tells whether part of a response had arrived.
    case closed(receivedAny: Bool, cause: (any Error)?)
    /// The response body is larger than allowed.
    case tooLarge(limit: Int)
    /// A second request was written while one was in flight (a bug in the pool).
    case busy
}

/// Collects one response per request written through it; announces when the connection is ready
/// (after the TLS handshake, when there is one).
final class HTTPResponseCollector: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Exchange
    typealias OutboundOut = HTTPClientRequestPart

    /// A request and where its response goes.
    struct Exchange: Sendable {
        var head: HTTPRequestHead
        var body: ByteBuffer?
        var promise: EventLoopPromise<Outcome>
    }

    struct Outcome: Sendable {
        var head: HTTPResponseHead
        var body: ByteBuffer
    }

    private let ready: EventLoopPromise<Void>
    private let waitsForTLS: Bool
    private let maxBodyBytes: Int
    private var pending: EventLoopPromise<Outcome>?
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()
    private var receivedAny = false

    init(ready: EventLoopPromise<Void>, waitsForTLS: Bool, maxBodyBytes: Int) {
        self.ready = ready
        self.waitsForTLS = waitsForTLS
        self.maxBodyBytes = maxBodyBytes
    }

    func channelActive(context: ChannelHandlerContext) {
        if !waitsForTLS { ready.succeed() }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls { ready.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard pending == nil else {
            exchange.promise.fail(HTTPConnectionFailure.busy)
            promise?.fail(HTTPConnectionFailure.busy)
            return
        }
        pending = exchange.promise
        head = nil
        body.clear()
        receivedAny = false
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        receivedAny = true
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            head = responseHead
        case .body(var chunk):
            guard body.readableBytes + chunk.readableBytes <= maxBodyBytes else {
                fail(HTTPConnectionFailure.tooLarge(limit: maxBodyBytes))
                context.close(promise: nil)
                return
            }
            body.writeBuffer(&chunk)
        case .end:
            guard let promise = pending, let head else { return }
            pending = nil
            promise.succeed(Outcome(head: head, body: body))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(HTTPConnectionFailure.closed(receivedAny: receivedAny, cause: nil))
        context.fireChannelInactive()
    }

    /// Also reached for a channel that never connected (a refused or losing happy-eyeballs attempt):
    /// the promises are completed either way.
    func handlerRemoved(context: ChannelHandlerContext) {
        fail(HTTPConnectionFailure.closed(receivedAny: receivedAny, cause: nil))
    }

    private func fail(_ error: any Error) {
        ready.fail(error)
        pending?.fail(error)
        pending = nil
    }
}
