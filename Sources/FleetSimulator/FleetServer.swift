#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import enum OrchestratorCore.SHA1

/// Serves a ``FleetModel`` over the MySQL protocol: one listening socket per simulated server on
/// 127.0.0.1, and a line-protocol control port that changes the model (see ``control(_:)``).
public final class FleetServer: Sendable {
    public let model: FleetModel
    let group: MultiThreadedEventLoopGroup
    private let listeners = NIOLockedValueBox<[Int: any Channel]>([:])
    private let connections = NIOLockedValueBox<[Int: [ObjectIdentifier: any Channel]]>([:])
    private let nextConnectionID = NIOLockedValueBox<UInt32>(1)
    private let controlChannel = NIOLockedValueBox<(any Channel)?>(nil)

    public init(model: FleetModel, threads: Int = 1) {
        self.model = model
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
    }

    // MARK: - Listening

    /// Binds every server's port (in batches, concurrently).
    public func start() async throws {
        let ports = model.ports
        var index = 0
        while index < ports.count {
            let batch = ports[index..<min(ports.count, index + 256)]
            index += batch.count
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for port in batch { tasks.addTask { try await self.listen(port) } }
                try await tasks.waitForAll()
            }
        }
    }

    /// Binds `port`, retrying for up to 90 s: on a shared machine any client's socket in TIME-WAIT on that
    /// local port (the simulated ports lie in the ephemeral range) refuses the bind for up to a minute.
    private func listen(_ port: Int) async throws {
        var attempt = 0
        while true {
            do {
                return try await bind(port)
            } catch let error as IOError where error.errnoCode == EADDRINUSE && attempt < 90 {
                attempt += 1
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func bind(_ port: Int) async throws {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 128)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(MySQLPacketDecoder()))
                    try channel.pipeline.syncOperations.addHandler(MySQLServerHandler(server: self, port: port))
                }
            }
            .bind(host: model.options.host, port: port).get()
        listeners.withLockedValue { $0[port] = channel }
    }

    func register(_ channel: any Channel, port: Int) {
        connections.withLockedValue { $0[port, default: [:]][ObjectIdentifier(channel)] = channel }
    }

    func unregister(_ channel: any Channel, port: Int) {
        connections.withLockedValue { _ = $0[port]?.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func newConnectionID() -> UInt32 {
        nextConnectionID.withLockedValue { id in
            defer { id &+= 1 }
            return id
        }
    }

    /// Stops listening on `port` and closes its connections (a dead server refuses connections).
    private func kill(_ port: Int) async throws {
        try model.setHealth(port, .down)
        let listener = listeners.withLockedValue { $0.removeValue(forKey: port) }
        let open = connections.withLockedValue { $0.removeValue(forKey: port) ?? [:] }
        try? await listener?.close()
        for channel in open.values { try? await channel.close() }
    }

    private func revive(_ port: Int) async throws {
        let wasDown = model.server(port)?.health == .down
        try model.setHealth(port, .up)
        if wasDown { try await listen(port) }
    }

    // MARK: - Control

    /// Runs one control command and returns its one-line answer (`OK ...` or `ERR ...`):
    /// `kill PORT` (refuse connections), `hang PORT` (accept, never answer), `revive PORT`,
    /// `stop-replication PORT`, `start-replication PORT`, `lag PORT SECONDS`, `info`, `ping`.
    public func control(_ line: String) async -> String {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
        guard let verb = words.first?.lowercased() else { return "ERR empty command" }
        let port = words.count > 1 ? Int(words[1]) : nil
        do {
            switch verb {
            case "ping": return "OK pong"
            case "info":
                let ports = model.ports
                return "OK servers \(ports.count) clusters \(model.options.clusters) ports \(ports.first ?? 0)-\(ports.last ?? 0)"
            case "kill":
                guard let port else { return "ERR usage: kill PORT" }
                try await kill(port)
            case "hang":
                guard let port else { return "ERR usage: hang PORT" }
                if model.server(port)?.health == .down { try await revive(port) }
                try model.setHealth(port, .hung)
            case "revive":
                guard let port else { return "ERR usage: revive PORT" }
                try await revive(port)
            case "stop-replication":
                guard let port else { return "ERR usage: stop-replication PORT" }
                try model.setReplication(port, running: false)
            case "start-replication":
                guard let port else { return "ERR usage: start-replication PORT" }
                try model.setReplication(port, running: true)
            case "lag":
                guard let port, words.count > 2, let seconds = Int64(words[2]) else { return "ERR usage: lag PORT SECONDS" }
                try model.setLag(port, seconds: seconds)
            default:
                return "ERR unknown command \(verb)"
            }
        } catch {
            return "ERR \(error)"
        }
        return "OK"
    }

    /// Listens for control lines on `port` (0: any free port); returns the bound port.
    public func startControl(port: Int) async throws -> Int {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ControlHandler(server: self))
                }
            }
            .bind(host: model.options.host, port: port).get()
        controlChannel.withLockedValue { $0 = channel }
        return channel.localAddress?.port ?? port
    }

    public func shutdown() async throws {
        let all = listeners.withLockedValue { l in defer { l.removeAll() }; return Array(l.values) }
        for channel in all { try? await channel.close() }
        if let c = controlChannel.withLockedValue({ $0 }) { try? await c.close() }
        try await group.shutdownGracefully()
    }
}

// MARK: - Packets

/// Splits the byte stream into MySQL packets: (sequence id, payload).
struct MySQLPacketDecoder: ByteToMessageDecoder {
    typealias InboundOut = (UInt8, [UInt8])

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes >= 4, let header = buffer.getBytes(at: buffer.readerIndex, length: 4) else { return .needMoreData }
        let length = Int(header[0]) | Int(header[1]) << 8 | Int(header[2]) << 16
        guard buffer.readableBytes >= 4 + length else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        let payload = buffer.readBytes(length: length) ?? []
        context.fireChannelRead(wrapInboundOut((header[3], payload)))
        return .continue
    }
}

/// One client connection to one simulated server.
final class MySQLServerHandler: ChannelInboundHandler {
    typealias InboundIn = (UInt8, [UInt8])
    typealias OutboundOut = ByteBuffer

    private let server: FleetServer
    private let port: Int
    private var scramble: [UInt8] = []
    private var authenticated = false
    /// The statements this connection sent, classified (a prober repeats the same few every probe).
    private var statements: [String: FleetAnswers.Statement] = [:]
    /// Answers written since the last flush: flushed once the statements read together are answered
    /// (a pipelined batch gets its answers in one write, not one system call each).
    private var unflushed = false

    init(server: FleetServer, port: Int) {
        self.server = server
        self.port = port
    }

    private var health: FleetModel.Health { server.model.server(port)?.health ?? .down }

    func channelActive(context: ChannelHandlerContext) {
        server.register(context.channel, port: port)
        switch health {
        case .down: context.close(promise: nil)
        case .hung: break
        case .up:
            var rng = SystemRandomNumberGenerator()
            scramble = (0..<20).map { _ in UInt8.random(in: 33...126, using: &rng) }
            send(context, [MySQLWire.handshake(serverVersion: FleetAnswers.version, connectionID: server.newConnectionID(),
                                               scramble: scramble)], firstSequence: 0)
            flush(context)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        server.unregister(context.channel, port: port)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let (sequence, payload) = unwrapInboundIn(data)
        switch health {
        case .down: context.close(promise: nil); return
        case .hung: return
        case .up: break
        }
        guard authenticated else {
            authenticate(context, sequence: sequence, payload: payload)
            return
        }
        guard let command = payload.first else { return }
        switch command {
        case 0x01:  // COM_QUIT
            context.close(promise: nil)
        case 0x0E, 0x02:  // COM_PING, COM_INIT_DB
            send(context, [MySQLWire.ok()], firstSequence: 1)
        case 0x03:  // COM_QUERY
            let sql = String(decoding: payload.dropFirst(), as: UTF8.self)
            let statement: FleetAnswers.Statement
            if let known = statements[sql] {
                statement = known
            } else {
                statement = FleetAnswers.classify(sql)
                if statements.count >= 64 { statements.removeAll() }
                statements[sql] = statement
            }
            switch server.model.answer(port: port, statement: statement) {
            case .ok: send(context, [MySQLWire.ok()], firstSequence: 1)
            case .okAfter(let seconds):
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                _ = context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
                    let (handler, context) = loopBound.value
                    guard context.channel.isActive, handler.health == .up else { return }
                    handler.send(context, [MySQLWire.ok()], firstSequence: 1)
                    handler.flush(context)
                }
            case .resultSet(let set):
                var buffer = context.channel.allocator.buffer(capacity: 256)
                buffer.writeResultSet(set)
                context.write(wrapOutboundOut(buffer), promise: nil)
                unflushed = true
            case .error(let code, let state, let message):
                send(context, [MySQLWire.err(code: code, sqlState: state, message: message)], firstSequence: 1)
            }
        default:
            send(context, [MySQLWire.err(code: 1047, sqlState: "08S01", message: "Unknown command")], firstSequence: 1)
        }
    }

    private func authenticate(_ context: ChannelHandlerContext, sequence: UInt8, payload: [UInt8]) {
        let options = server.model.options
        guard let response = MySQLWire.parseHandshakeResponse(payload), !response.wantsTLS else {
            send(context, [MySQLWire.err(code: 1043, sqlState: "08S01", message: "Bad handshake")], firstSequence: sequence &+ 1)
            flush(context)
            context.close(promise: nil)
            return
        }
        let expected = SHA1.nativePasswordToken(password: options.password, scramble: scramble)
        guard response.user == options.user, response.authResponse == expected else {
            let usedPassword = response.authResponse.isEmpty ? "NO" : "YES"
            send(context, [MySQLWire.err(code: 1045, sqlState: "28000",
                                         message: "Access denied for user '\(response.user)'@'\(options.host)' (using password: \(usedPassword))")],
                 firstSequence: sequence &+ 1)
            flush(context)
            context.close(promise: nil)
            return
        }
        authenticated = true
        send(context, [MySQLWire.ok()], firstSequence: sequence &+ 1)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context)
        context.fireChannelReadComplete()
    }

    private func flush(_ context: ChannelHandlerContext) {
        guard unflushed else { return }
        unflushed = false
        context.flush()
    }

    /// Queues packets; they go out at the next flush (`channelReadComplete`, or `flush`).
    private func send(_ context: ChannelHandlerContext, _ packets: [[UInt8]], firstSequence: UInt8) {
        var buffer = context.channel.allocator.buffer(capacity: packets.reduce(0) { $0 + $1.count + 4 })
        var sequence = firstSequence
        for p in packets {
            buffer.writePacket(p, sequence: sequence)
            sequence &+= 1
        }
        context.write(wrapOutboundOut(buffer), promise: nil)
        unflushed = true
    }
}

extension ByteBuffer {
    /// A text result set's packets (sequence ids from 1), written in place: the column block as framed
    /// once, then each row and the closing EOF.
    mutating func writeResultSet(_ set: MySQLWire.ResultSet) {
        var sequence: UInt8
        if let block = set.block {
            writeBytes(block.framed)
            sequence = UInt8(truncatingIfNeeded: block.columns.count + 3)
        } else {
            sequence = 1
            for packet in MySQLWire.columnPackets(set.columns) {
                writePacket(packet, sequence: sequence)
                sequence &+= 1
            }
        }
        for row in set.rows {
            var length = 0
            for value in row {
                if let value {
                    let n = value.utf8.count
                    length += n + (n < 251 ? 1 : n < 65_536 ? 3 : n < 16_777_216 ? 4 : 9)
                } else {
                    length += 1
                }
            }
            writeInteger(UInt8(truncatingIfNeeded: length))
            writeInteger(UInt8(truncatingIfNeeded: length >> 8))
            writeInteger(UInt8(truncatingIfNeeded: length >> 16))
            writeInteger(sequence)
            sequence &+= 1
            for value in row {
                guard let value else {
                    writeInteger(UInt8(0xFB))
                    continue
                }
                let n = value.utf8.count
                switch n {
                case 0..<251: writeInteger(UInt8(n))
                case 251..<65_536: writeInteger(UInt8(0xFC)); writeInteger(UInt16(n), endianness: .little)
                case 65_536..<16_777_216:
                    writeInteger(UInt8(0xFD)); writeInteger(UInt16(truncatingIfNeeded: n), endianness: .little)
                    writeInteger(UInt8(truncatingIfNeeded: n >> 16))
                default: writeInteger(UInt8(0xFE)); writeInteger(UInt64(n), endianness: .little)
                }
                writeString(value)
            }
        }
        writePacket(MySQLWire.eof(), sequence: sequence)
    }

    mutating func writePacket(_ payload: [UInt8], sequence: UInt8) {
        writeInteger(UInt8(truncatingIfNeeded: payload.count))
        writeInteger(UInt8(truncatingIfNeeded: payload.count >> 8))
        writeInteger(UInt8(truncatingIfNeeded: payload.count >> 16))
        writeInteger(sequence)
        writeBytes(payload)
    }
}

/// The control port: one command per line, one answer line each.
final class ControlHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let server: FleetServer
    private var pending: [UInt8] = []

    init(server: FleetServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        while let newline = pending.firstIndex(of: 10) {
            let line = String(decoding: pending[..<newline], as: UTF8.self)
            pending.removeSubrange(...newline)
            let channel = context.channel
            let server = self.server
            Task {
                let reply = await server.control(line)
                var out = channel.allocator.buffer(capacity: reply.utf8.count + 1)
                out.writeString(reply + "\n")
                try? await channel.writeAndFlush(out)
            }
        }
    }
}
