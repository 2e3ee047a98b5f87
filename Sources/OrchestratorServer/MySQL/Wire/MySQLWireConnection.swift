import NIOCore
import NIOPosix
import Synchronization

/// One MySQL connection over SwiftNIO, for probing a large fleet: no thread and no libmariadb handle
/// per server (libmariadb holds ~30 KB per connection and blocks a thread per call; this holds a
/// socket, a small buffer and a handler, and thousands share the event loops).
///
/// It speaks what a probe needs (``MySQLClientWire``): plain TCP, `mysql_native_password`, text
/// queries with `?` values escaped as `mysql_real_escape_string` does, ping. A server that needs more
/// (TLS, another authentication plugin) throws ``MySQLWireError/needsLibrary(_:)`` and is probed over
/// libmariadb instead. Errors carry libmariadb's codes (2003 cannot connect, 2013 lost connection,
/// 2006 gone away) so that callers treat both kinds of connection alike.
public final class MySQLWireConnection: MySQLQuerying, Sendable {
    public let endpoint: MySQLEndpoint
    /// The server version from the greeting, e.g. "10.11.6-MariaDB-0+deb12u1-log".
    public let serverInfo: String
    private let channel: any Channel
    private let handler: MySQLWireHandler
    private let noBackslashEscapes: Atomic<Bool>

    private init(endpoint: MySQLEndpoint, serverInfo: String, channel: any Channel, handler: MySQLWireHandler) {
        self.endpoint = endpoint
        self.serverInfo = serverInfo
        self.channel = channel
        self.handler = handler
        self.noBackslashEscapes = Atomic(false)
    }

    /// False once the server closed the connection (seen without a round trip: the socket is watched).
    public var isActive: Bool { channel.isActive }

    /// Runs `body` once the connection is closed, by either side (at once if it already is).
    public func whenClosed(_ body: @escaping @Sendable () -> Void) {
        channel.closeFuture.whenComplete { _ in body() }
    }

    /// Connects and authenticates within `config.connectTimeoutSeconds`.
    public static func connect(
        to endpoint: MySQLEndpoint,
        config: MySQLClientConfig,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> MySQLWireConnection {
        let loop = group.next()
        let timeout = TimeAmount.seconds(Int64(max(1, config.connectTimeoutSeconds)))
        let handler = MySQLWireHandler(endpoint: endpoint, user: config.user, password: config.password,
                                       readTimeout: .seconds(Int64(max(1, config.readTimeoutSeconds))),
                                       handshakeTimeout: timeout, handshake: loop.makePromise())
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            // Each channel keeps its receive buffer between reads, and a probe's answers (6-7 KB)
            // would grow the default one to 8 KB: 80 MB held by 10,000 idle probe connections. Small
            // fixed reads cost a few more read calls per probe and hold 2 KB.
            .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.receiveBufferBytes))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            loop.execute { handler.fail(error) }
            throw MySQLError(code: 2003, message: "Can't connect to server on '\(endpoint.host)' (\(Self.reason(error)))",
                             endpoint: endpoint.description)
        }
        do {
            let greeting = try await handler.handshake.futureResult.get()
            let connection = MySQLWireConnection(endpoint: endpoint, serverInfo: greeting.serverVersion, channel: channel,
                                                 handler: handler)
            connection.noBackslashEscapes.store(greeting.status & MySQLClientWire.statusNoBackslashEscapes != 0, ordering: .relaxed)
            return connection
        } catch {
            try? await channel.close()
            throw Self.mysqlError(error, endpoint: endpoint)
        }
    }

    /// The receive buffer each probe connection keeps (see `connect`).
    static let receiveBufferBytes = 2048

    // MARK: - Statements

    public func query(_ sql: String, values: [MySQLValue]) async throws -> MySQLResultSet {
        let noBackslash = noBackslashEscapes.load(ordering: .relaxed)
        let text: String
        do {
            text = values.isEmpty && !sql.contains("?") ? sql
                : try MySQLStatementRenderer.render(sql, values) { MySQLClientWire.escape($0, noBackslashEscapes: noBackslash) }
        } catch {
            throw MySQLError(code: 0, message: "cannot bind statement values: \(error)", endpoint: endpoint.description)
        }
        let (result, status) = try await send(.query(text))
        noBackslashEscapes.store(status & MySQLClientWire.statusNoBackslashEscapes != 0, ordering: .relaxed)
        return result
    }

    /// Sends every statement at once and collects the answers in order: one round trip for all
    /// (MySQL servers read commands one after the other from the socket, so pipelining needs nothing of
    /// them). A statement's error is its own; the others still answer. Statements are sent as written
    /// (no values bound).
    public func pipeline(_ statements: [String]) async -> [Result<MySQLResultSet, any Error>] {
        guard !statements.isEmpty else { return [] }
        // One promise for the batch: the task resumes once, when the last answer is in (a resumption
        // per answer was a tenth of a 10,000-server node's probing).
        let answers = await run(statements.map(MySQLWireHandler.Command.query))
        return answers.map { answer in
            answer.map { result, status in
                noBackslashEscapes.store(status & MySQLClientWire.statusNoBackslashEscapes != 0, ordering: .relaxed)
                return result
            }.mapError { Self.mysqlError($0, endpoint: endpoint) }
        }
    }

    /// Sends the commands at once; their answers (or errors), in order, when the last is in.
    private func run(_ commands: [MySQLWireHandler.Command]) async -> [Result<(MySQLResultSet, UInt16), any Error>] {
        let promise = channel.eventLoop.makePromise(of: [Result<(MySQLResultSet, UInt16), any Error>].self)
        let handler = self.handler
        if channel.eventLoop.inEventLoop {
            // A probe running on its connection's loop (EventLoopTaskExecutor) sends at once.
            handler.start(commands, promise)
        } else {
            channel.eventLoop.execute { handler.start(commands, promise) }
        }
        do {
            return try await promise.futureResult.get()
        } catch {
            // The handler only ever succeeds the batch's promise; this is for completeness.
            return commands.map { _ in .failure(error) }
        }
    }

    /// One round trip (COM_PING).
    public func ping() async throws {
        _ = try await send(.payload(MySQLClientWire.comPing))
    }

    /// Says goodbye (COM_QUIT) and closes the socket.
    public func close() async {
        let handler = self.handler
        try? await channel.eventLoop.submit { handler.quit() }.get()
        try? await channel.close()
    }

    private func send(_ command: MySQLWireHandler.Command) async throws -> (MySQLResultSet, UInt16) {
        do {
            return try await run([command])[0].get()
        } catch {
            throw Self.mysqlError(error, endpoint: endpoint)
        }
    }

    // MARK: - Errors

    static func mysqlError(_ error: any Error, endpoint: MySQLEndpoint) -> any Error {
        switch error {
        case let e as MySQLError: return e
        case MySQLWireError.server(let e):
            return MySQLError(code: e.code, sqlState: e.sqlState, message: e.message, endpoint: endpoint.description)
        case MySQLWireError.malformed(let what):
            return MySQLError(code: 2027, message: "Malformed packet (\(what))", endpoint: endpoint.description)
        case let e as MySQLWireError: return e  // needsLibrary: the caller switches to libmariadb
        default:
            return MySQLError(code: 2013, message: "Lost connection to server (\(reason(error)))", endpoint: endpoint.description)
        }
    }

    static func reason(_ error: any Error) -> String {
        if let io = error as? IOError { return "\(io.errnoCode) \"\(io.description)\"" }
        return "\(error)"
    }
}

/// A statement runner: libmariadb's ``MySQLConnection`` and ``MySQLWireConnection`` both are.
public protocol MySQLQuerying: Sendable {
    var endpoint: MySQLEndpoint { get }
    func query(_ sql: String, values: [MySQLValue]) async throws -> MySQLResultSet
    /// Runs independent statements, each with its own answer or error, in order.
    func pipeline(_ statements: [String]) async -> [Result<MySQLResultSet, any Error>]
}

extension MySQLQuerying {
    public func query(_ sql: String, _ values: MySQLValue...) async throws -> MySQLResultSet {
        try await query(sql, values: values)
    }

    /// One statement after the other (libmariadb cannot pipeline).
    public func pipeline(_ statements: [String]) async -> [Result<MySQLResultSet, any Error>] {
        var answers: [Result<MySQLResultSet, any Error>] = []
        for sql in statements {
            do { answers.append(.success(try await query(sql, values: []))) } catch { answers.append(.failure(error)) }
        }
        return answers
    }
}

extension MySQLConnection: MySQLQuerying {}

// MARK: - The channel handler (event loop only)

/// Frames packets, runs the handshake, then commands in order: several may be in flight (pipelined),
/// their answers arrive in the order they were sent. Touched only on its channel's event loop (the
/// connection hands it work through `execute`/`submit`).
final class MySQLWireHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case connecting
        case greeting
        case authenticating
        case ready
        case closed
    }

    /// Commands sent together, answered together: each answer fills its slot, the last completes the
    /// promise (always with success: each slot holds its own answer or error).
    final class Batch {
        typealias Answer = Result<(MySQLResultSet, UInt16), any Error>
        private var answers: [Answer?]
        private var remaining: Int
        private let promise: EventLoopPromise<[Answer]>

        init(count: Int, promise: EventLoopPromise<[Answer]>) {
            answers = Array(repeating: nil, count: count)
            remaining = count
            self.promise = promise
        }

        func complete(_ slot: Int, _ answer: Answer) {
            guard answers[slot] == nil else { return }
            answers[slot] = answer
            remaining -= 1
            if remaining == 0 { promise.succeed(answers.map { $0! }) }
        }
    }

    typealias Pending = (batch: Batch, slot: Int, reader: MySQLClientWire.ResultReader)

    let endpoint: MySQLEndpoint
    private let user: String
    private let password: String
    private let readTimeout: TimeAmount
    private let handshakeTimeout: TimeAmount
    let handshake: EventLoopPromise<MySQLClientWire.Greeting>
    private var greeting: MySQLClientWire.Greeting?
    private var state = State.connecting
    /// Commands sent and not yet answered, oldest first. An array, not a `CircularBuffer`: the head's
    /// reader is fed in place, which needs the array's modify accessor (a few commands at most wait).
    private var pending: [Pending] = []
    private var context: ChannelHandlerContext?
    private var inbound: ByteBuffer?
    private var timer: Scheduled<Void>?
    /// When the answers now awaited are due (nil: none awaited); see `armAnswerDeadline`.
    private var answerDeadline: NIODeadline?

    init(endpoint: MySQLEndpoint, user: String, password: String, readTimeout: TimeAmount, handshakeTimeout: TimeAmount,
         handshake: EventLoopPromise<MySQLClientWire.Greeting>) {
        self.endpoint = endpoint
        self.user = user
        self.password = password
        self.readTimeout = readTimeout
        self.handshakeTimeout = handshakeTimeout
        self.handshake = handshake
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(MySQLError(code: 2013, message: "Lost connection to server (connection closed)", endpoint: endpoint.description),
             closedByPeer: true)
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        state = .greeting
        arm(handshakeTimeout, "reading the greeting and authenticating")
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(MySQLError(code: 2013, message: "Lost connection to server (closed by the server)", endpoint: endpoint.description),
             closedByPeer: true)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(MySQLError(code: 2013, message: "Lost connection to server (\(MySQLWireConnection.reason(error)))",
                        endpoint: endpoint.description))
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var held = inbound {
            inbound = nil  // `held` is then the only reference: appended to in place
            held.writeBuffer(&bytes)
            if consumePackets(&held, context: context), held.readableBytes > 0 { inbound = held }
        } else if consumePackets(&bytes, context: context), bytes.readableBytes > 0 {
            // The start of a packet that continues in the next read: kept in a buffer of our own. The
            // channel's receive buffer is then free again for its next read; holding on to it would
            // make the channel allocate (and keep) another.
            var own = context.channel.allocator.buffer(capacity: max(bytes.readableBytes * 2, MySQLWireConnection.receiveBufferBytes * 2))
            own.writeBuffer(&bytes)
            inbound = own
        }
    }

    /// Handles the complete packets at the front of `buffer`; false when the connection failed.
    private func consumePackets(_ buffer: inout ByteBuffer, context: ChannelHandlerContext) -> Bool {
        while buffer.readableBytes >= 4,
              let header = buffer.getInteger(at: buffer.readerIndex, endianness: .little, as: UInt32.self) {
            let length = Int(header & 0xFF_FFFF)
            guard buffer.readableBytes >= 4 + length else { break }
            let sequence = UInt8(truncatingIfNeeded: header >> 24)
            do {
                // Read in place: a result set's packets are not copied out of the receive buffer.
                try buffer.withUnsafeReadableBytes { bytes throws(MySQLWireError) in
                    try handle(sequence, UnsafeRawBufferPointer(rebasing: bytes[4..<4 + length]))
                }
            } catch {
                fail(error)
                context.close(promise: nil)
                return false
            }
            buffer.moveReaderIndex(forwardBy: 4 + length)
        }
        return true
    }

    private func handle(_ sequence: UInt8, _ payload: UnsafeRawBufferPointer) throws(MySQLWireError) {
        if payload.count == 0xFF_FFFF { throw MySQLWireError.malformed("packet of 16 MB or more") }
        switch state {
        case .greeting:
            let g = try MySQLClientWire.parseGreeting(Array(payload))
            greeting = g
            state = .authenticating
            write(MySQLClientWire.handshakeResponse(user: user, password: password, scramble: g.scramble,
                                                    serverCapabilities: g.capabilities), sequence: sequence &+ 1)
        case .authenticating:
            switch try MySQLClientWire.parseAuthReply(Array(payload)) {
            case .ok:
                disarm()
                state = .ready
                if let greeting { handshake.succeed(greeting) }
            case .switchTo(let plugin, let scramble) where plugin == MySQLClientWire.nativePassword:
                write(SHA1.nativePasswordToken(password: password, scramble: Array(scramble.prefix(20))), sequence: sequence &+ 1)
            case .switchTo(let plugin, _):
                throw MySQLWireError.needsLibrary("the server authenticates this user with \(plugin)")
            }
        case .ready:
            guard !pending.isEmpty else { throw MySQLWireError.malformed("unexpected packet") }
            do {
                // Fed where it lies: a copy taken out would share the answer's arrays with the one left
                // behind, and every packet would copy them whole (the rows, the column definitions).
                if let result = try pending[0].reader.feed(payload) {
                    let command = pending.removeFirst()
                    rearm()
                    command.batch.complete(command.slot, .success((result, command.reader.status)))
                }
            } catch MySQLWireError.server(let e) {
                // The server refused the statement: the connection stays usable.
                let command = pending.removeFirst()
                rearm()
                command.batch.complete(command.slot, .failure(MySQLWireError.server(e)))
            }
        case .connecting, .closed:
            throw MySQLWireError.malformed("unexpected packet")
        }
    }

    /// A command to send: a statement (COM_QUERY), or a payload as is.
    enum Command {
        case query(String)
        case payload([UInt8])
    }

    /// Sends commands, all at once in one buffer (one write, the statements' text copied once),
    /// behind any still unanswered.
    func start(_ commands: [Command], _ promise: EventLoopPromise<[Batch.Answer]>) {
        let batch = Batch(count: commands.count, promise: promise)
        guard case .ready = state, let context else {
            for slot in commands.indices {
                batch.complete(slot, .failure(MySQLError(code: 2006, message: "Server has gone away", endpoint: endpoint.description)))
            }
            return
        }
        if pending.isEmpty { armAnswerDeadline() }
        var buffer = context.channel.allocator.buffer(capacity: commands.reduce(0) { total, command in
            switch command {
            case .query(let sql): return total + 5 + sql.utf8.count
            case .payload(let p): return total + 4 + p.count
            }
        })
        for (slot, command) in commands.enumerated() {
            pending.append((batch, slot, MySQLClientWire.ResultReader(blocks: .shared)))
            switch command {
            case .query(let sql):
                Self.writeHeader(length: 1 + sql.utf8.count, sequence: 0, into: &buffer)
                buffer.writeInteger(UInt8(0x03))
                buffer.writeString(sql)
            case .payload(let payload):
                Self.writeHeader(length: payload.count, sequence: 0, into: &buffer)
                buffer.writeBytes(payload)
            }
        }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private static func writeHeader(length: Int, sequence: UInt8, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(truncatingIfNeeded: length))
        buffer.writeInteger(UInt8(truncatingIfNeeded: length >> 8))
        buffer.writeInteger(UInt8(truncatingIfNeeded: length >> 16))
        buffer.writeInteger(sequence)
    }

    func quit() {
        guard case .ready = state, pending.isEmpty else { return }
        write(MySQLClientWire.comQuit, sequence: 0)
        state = .closed
    }

    private func write(_ payload: [UInt8], sequence: UInt8) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: payload.count + 4)
        Self.writeHeader(length: payload.count, sequence: sequence, into: &buffer)
        buffer.writeBytes(payload)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private func arm(_ after: TimeAmount, _ what: String) {
        timer?.cancel()
        guard let context else { return }
        timer = context.eventLoop.scheduleTask(in: after) { [self] in timedOut(after: after, what) }
    }

    /// Fails what waits, and closes: `what` took longer than `after`.
    private func timedOut(after: TimeAmount, _ what: String) {
        let seconds = after.nanoseconds / 1_000_000_000
        fail(MySQLError(code: 2013, message: "Lost connection to server (timed out after \(seconds) s \(what))",
                        endpoint: endpoint.description))
        context?.close(promise: nil)
    }

    /// The read timeout runs from when commands were sent while none was waiting, until none is (a
    /// pipelined batch shares one deadline: re-arming per answer cost 2% of a 10,000-server node).
    private func rearm() {
        if pending.isEmpty { answerDeadline = nil }
    }

    /// Sets the deadline for the answers now awaited. The timer is not cancelled and scheduled again
    /// for every batch (a probe connection sends one a second, and the loop's timer heap holds one per
    /// connection): a timer that finds a later deadline, or none, when it fires sleeps again or ends.
    private func armAnswerDeadline() {
        guard let context else { return }
        let deadline = context.eventLoop.now + readTimeout
        answerDeadline = deadline
        if timer == nil { scheduleAnswerTimer(at: deadline) }
    }

    private func scheduleAnswerTimer(at deadline: NIODeadline) {
        guard let context else { return }
        timer = context.eventLoop.scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard let due = answerDeadline, let loop = self.context?.eventLoop else { return }
            if due > loop.now {
                scheduleAnswerTimer(at: due)
                return
            }
            timedOut(after: readTimeout, "waiting for the answer")
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
        answerDeadline = nil
    }

    /// Fails what is waiting and marks the connection closed (once: later calls find it closed). A
    /// command the server closed the connection on before answering anything fails with 2006 (gone
    /// away, as libmariadb says), which ``MySQLWirePool`` may retry on a new connection; lost in the
    /// middle of an answer, or timed out, it is 2013.
    func fail(_ error: any Error, closedByPeer: Bool = false) {
        disarm()
        let previous = state
        state = .closed
        inbound = nil
        switch previous {
        case .connecting, .greeting, .authenticating: handshake.fail(error)
        case .ready, .closed: break
        }
        let waiting = pending
        pending.removeAll()
        for command in waiting {
            if closedByPeer && !command.reader.started {
                command.batch.complete(command.slot, .failure(MySQLError(
                    code: 2006, message: "Server has gone away (closed before answering)", endpoint: endpoint.description)))
            } else {
                command.batch.complete(command.slot, .failure(error))
            }
        }
    }
}
