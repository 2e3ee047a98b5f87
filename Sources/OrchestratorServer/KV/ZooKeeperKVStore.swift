import NIOCore
import NIOPosix
import OrchestratorCore

/// ZooKeeper (upstream's `ZkAddress`: `host[:port],host[:port]...`), spoken directly: the jute binary
/// protocol over TCP, on NIO. No Swift ZooKeeper library is available here, and orchd needs only a
/// short session per write: connect, set-or-create persistent znodes, close. A key `a/b` is the znode
/// `/a/b` (as upstream); missing parents are created empty, open to everyone (world:anyone, as
/// upstream's client does without ACL settings).
public struct ZooKeeperKVStore: MasterKVStore {
    public let servers: [(host: String, port: Int)]
    /// Bounds each server's attempt, connection and session included.
    let timeout: Duration
    let group: any EventLoopGroup

    /// Parses `ZkAddress` (`host[:port]` separated by commas; port 2181 by default).
    public init(address: String, timeout: Duration = .seconds(2),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        var servers: [(host: String, port: Int)] = []
        for part in address.split(separator: ",").map({ String($0.filter { $0 != " " }) }) where !part.isEmpty {
            let key = try InstanceKey(parsing: part, defaultPort: 2181)
            servers.append((key.hostname, key.port))
        }
        guard !servers.isEmpty else { throw MasterKVStoreError("ZkAddress \"\(address)\" names no server; expected host:port[,host:port]") }
        self.servers = servers
        self.timeout = timeout
        self.group = group
    }

    public var name: String { "zookeeper " + servers.map { "\($0.host):\($0.port)" }.joined(separator: ",") }

    public func put(_ pairs: [KVPair]) async throws {
        guard !pairs.isEmpty else { return }
        var failures: [String] = []
        for server in servers {
            do {
                try await withSession(server) { session in
                    for pair in Self.deepestFirst(pairs) { try await session.upsert(Self.path(pair.key), Array(pair.value.utf8)) }
                }
                return
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failures.append("\(server.host):\(server.port): \(error)")
            }
        }
        throw MasterKVStoreError("zookeeper: no server accepted the write: " + failures.joined(separator: "; "))
    }

    /// The data of znode `key` (nil when it does not exist), from the first server that answers.
    public func get(_ key: String) async throws -> String? {
        var failures: [String] = []
        for server in servers {
            do {
                return try await withSession(server) { session in
                    try await session.getData(Self.path(key)).map { String(decoding: $0, as: UTF8.self) }
                }
            } catch {
                failures.append("\(server.host):\(server.port): \(error)")
            }
        }
        throw MasterKVStoreError("zookeeper: no server answered: " + failures.joined(separator: "; "))
    }

    /// ZooKeeper has no transaction here (one request at a time), so sub-keys go first and the
    /// master key last: a reader that sees the new `host:port` also sees the new `/hostname`, `/port`.
    static func deepestFirst(_ pairs: [KVPair]) -> [KVPair] {
        pairs.enumerated().sorted { a, b in
            let (da, db) = (a.element.key.split(separator: "/").count, b.element.key.split(separator: "/").count)
            return da != db ? da > db : a.offset < b.offset
        }.map(\.element)
    }

    static func path(_ key: String) -> String { key.hasPrefix("/") ? key : "/" + key }

    private func withSession<T: Sendable>(_ server: (host: String, port: Int),
                                          _ body: @escaping @Sendable (ZooKeeperSession) async throws -> T) async throws -> T {
        let timeout = self.timeout
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(timeout))
            .connect(host: server.host, port: server.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(JuteFrameDecoder()))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    let session = ZooKeeperSession(inbound: inbound.makeAsyncIterator(), outbound: outbound,
                                                   timeoutMilliseconds: Int32(timeout.components.seconds * 1000))
                    try await session.connect()
                    let result = try await body(session)
                    try? await session.close()
                    return result
                }
            }
            tasks.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { tasks.cancelAll() }
            guard let first = try await tasks.next(), let result = first else {
                channel.channel.close(promise: nil)
                throw MasterKVStoreError("no answer within \(timeout)")
            }
            return result
        }
    }
}

/// One ZooKeeper session on a connection: requests one at a time, in order.
final class ZooKeeperSession: @unchecked Sendable {
    // Used by one task at a time (the session's body runs sequentially).
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let timeoutMilliseconds: Int32
    private var xid: Int32 = 0

    enum OpCode: Int32 { case create = 1, getData = 4, setData = 5, close = -11 }
    static let noNode: Int32 = -101
    static let nodeExists: Int32 = -110

    init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
         timeoutMilliseconds: Int32) {
        self.inbound = inbound
        self.outbound = outbound
        self.timeoutMilliseconds = max(timeoutMilliseconds, 2000)
    }

    func connect() async throws {
        var request = ByteBuffer()
        request.writeInteger(Int32(0))               // protocol version
        request.writeInteger(Int64(0))               // last zxid seen
        request.writeInteger(timeoutMilliseconds)    // session timeout
        request.writeInteger(Int64(0))               // session id: a new session
        request.writeJuteBuffer([UInt8](repeating: 0, count: 16))
        request.writeInteger(UInt8(0))               // not read-only
        try await send(request)
        var response = try await receive()
        guard response.readInteger(as: Int32.self) != nil, let negotiated = response.readInteger(as: Int32.self),
              negotiated > 0 else {
            throw MasterKVStoreError("the server refused the session")
        }
    }

    /// setData, or create (with missing parents) when the znode does not exist.
    func upsert(_ path: String, _ data: [UInt8]) async throws {
        if try await setData(path, data) { return }
        var parent = ""
        for component in path.split(separator: "/").dropLast() {
            parent += "/" + component
            let error = try await create(parent, [])
            guard error == 0 || error == Self.nodeExists else { throw zkError(error, "create \(parent)") }
        }
        let error = try await create(path, data)
        if error == Self.nodeExists, try await setData(path, data) { return }
        guard error == 0 else { throw zkError(error, "create \(path)") }
    }

    /// Returns false when the znode does not exist.
    func setData(_ path: String, _ data: [UInt8]) async throws -> Bool {
        var body = ByteBuffer()
        body.writeJuteString(path)
        body.writeJuteBuffer(data)
        body.writeInteger(Int32(-1))                 // any version
        let (error, _) = try await call(.setData, body)
        if error == Self.noNode { return false }
        guard error == 0 else { throw zkError(error, "setData \(path)") }
        return true
    }

    func create(_ path: String, _ data: [UInt8]) async throws -> Int32 {
        var body = ByteBuffer()
        body.writeJuteString(path)
        body.writeJuteBuffer(data)
        body.writeInteger(Int32(1))                  // one ACL: world:anyone, all permissions
        body.writeInteger(Int32(31))
        body.writeJuteString("world")
        body.writeJuteString("anyone")
        body.writeInteger(Int32(0))                  // persistent
        return try await call(.create, body).error
    }

    func getData(_ path: String) async throws -> [UInt8]? {
        var body = ByteBuffer()
        body.writeJuteString(path)
        body.writeInteger(UInt8(0))                  // no watch
        var (error, response) = try await call(.getData, body)
        if error == Self.noNode { return nil }
        guard error == 0 else { throw zkError(error, "getData \(path)") }
        guard let length = response.readInteger(as: Int32.self) else { throw MasterKVStoreError("short getData reply") }
        return length < 0 ? [] : response.readBytes(length: Int(length)) ?? []
    }

    func close() async throws { _ = try await call(.close, ByteBuffer()) }

    private func call(_ op: OpCode, _ body: ByteBuffer) async throws -> (error: Int32, body: ByteBuffer) {
        xid += 1
        var request = ByteBuffer()
        request.writeInteger(xid)
        request.writeInteger(op.rawValue)
        var body = body
        request.writeBuffer(&body)
        try await send(request)
        while true {
            var reply = try await receive()
            guard let replyXid = reply.readInteger(as: Int32.self), reply.readInteger(as: Int64.self) != nil,
                  let error = reply.readInteger(as: Int32.self) else { throw MasterKVStoreError("short reply") }
            if replyXid == xid { return (error, reply) }
            // Notifications (-1) and pings (-2) are not ours.
        }
    }

    private func send(_ payload: ByteBuffer) async throws {
        var frame = ByteBuffer()
        frame.writeInteger(Int32(payload.readableBytes))
        var payload = payload
        frame.writeBuffer(&payload)
        try await outbound.write(frame)
    }

    private func receive() async throws -> ByteBuffer {
        guard let frame = try await inbound.next() else { throw MasterKVStoreError("the server closed the connection") }
        return frame
    }

    private func zkError(_ code: Int32, _ what: String) -> MasterKVStoreError {
        MasterKVStoreError("\(what): ZooKeeper error \(code)")
    }
}

/// Splits the stream into jute frames (a 4-byte big-endian length, then the payload).
struct JuteFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return .needMoreData }
        guard length >= 0, length < 16 << 20 else { throw MasterKVStoreError("bad frame length \(length)") }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }
}

extension ByteBuffer {
    mutating func writeJuteString(_ s: String) {
        writeInteger(Int32(s.utf8.count))
        writeString(s)
    }

    mutating func writeJuteBuffer(_ bytes: [UInt8]) {
        writeInteger(Int32(bytes.count))
        writeBytes(bytes)
    }
}
