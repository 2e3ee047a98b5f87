import NIOCore
import NIOEmbedded
@testable import OrchestratorServer
import Synchronization
import Testing

/// The channel handler reassembles packets however the bytes arrive (a byte at a time, a packet split
/// over reads, several answers in one read) and completes a batch once, with each answer in its slot.
struct MySQLWireHandlerTests {
    static func framed(_ payload: [UInt8], sequence: UInt8) -> [UInt8] {
        [UInt8(payload.count & 0xFF), UInt8(payload.count >> 8 & 0xFF), UInt8(payload.count >> 16 & 0xFF), sequence] + payload
    }

    static func feed(_ channel: EmbeddedChannel, _ bytes: [UInt8], chunk: Int) throws {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            try channel.writeInbound(channel.allocator.buffer(bytes: bytes[offset..<end]))
            offset = end
        }
    }

    /// A handler on an embedded channel, connected (not yet greeted), with a 5 s read timeout.
    static func connected() throws -> (EmbeddedEventLoop, MySQLWireHandler, EmbeddedChannel, EventLoopPromise<MySQLClientWire.Greeting>) {
        let loop = EmbeddedEventLoop()
        let handshake = loop.makePromise(of: MySQLClientWire.Greeting.self)
        let handler = MySQLWireHandler(endpoint: MySQLEndpoint(host: "db", port: 3306), user: "u", password: "p",
                                       readTimeout: .seconds(5), handshakeTimeout: .seconds(5), handshake: handshake)
        let channel = EmbeddedChannel(handler: handler, loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 3306)).wait()
        return (loop, handler, channel, handshake)
    }

    @Test("answers split across reads of any size reach their commands, in order, in one batch",
          arguments: [1, 3, 7, 64, 2048, 100_000])
    func reassembly(chunk: Int) throws {
        let (loop, handler, channel, handshake) = try Self.connected()
        defer { _ = try? channel.finish() }

        try Self.feed(channel, Self.framed(MySQLClientWireTests.greeting(), sequence: 0), chunk: chunk)
        #expect(try channel.readOutbound(as: ByteBuffer.self) != nil, "the handshake response")
        try Self.feed(channel, Self.framed([0, 0, 0, 2, 0, 0, 0], sequence: 2), chunk: chunk)
        let greeted = Mutex(false)
        handshake.futureResult.whenSuccess { _ in greeted.withLock { $0 = true } }
        #expect(greeted.withLock { $0 })

        let batch = loop.makePromise(of: [MySQLWireHandler.Batch.Answer].self)
        let answers = Mutex<[MySQLWireHandler.Batch.Answer]?>(nil)
        let completions = Mutex(0)
        batch.futureResult.whenSuccess { got in
            answers.withLock { $0 = got }
            completions.withLock { $0 += 1 }
        }
        handler.start([.query("SELECT a"), .query("SELECT b"), .query("SELECT c")], batch)

        // 1: a result set whose row is longer than a receive buffer; 2: an error; 3: one more row set.
        let long = String(repeating: "g", count: 3000)
        var bytes: [UInt8] = []
        bytes += Self.framed([2], sequence: 1)
        bytes += Self.framed(MySQLClientWireTests.column("Name"), sequence: 2)
        bytes += Self.framed(MySQLClientWireTests.column("Value"), sequence: 3)
        bytes += Self.framed([0xFE, 0, 0, 2, 0], sequence: 4)
        bytes += Self.framed([4] + Array("gtid".utf8) + [0xFC, 0xB8, 0x0B] + Array(long.utf8), sequence: 5)
        bytes += Self.framed([0xFE, 0, 0, 2, 0], sequence: 6)
        bytes += Self.framed([0xFF, 0x7A, 0x04] + Array("#42000".utf8) + Array("no such table".utf8), sequence: 1)
        bytes += Self.framed([1], sequence: 1)
        bytes += Self.framed(MySQLClientWireTests.column("c"), sequence: 2)
        bytes += Self.framed([0xFE, 0, 0, 2, 0], sequence: 3)
        bytes += Self.framed([1] + Array("x".utf8), sequence: 4)
        bytes += Self.framed([0xFE, 0, 0, 2, 0], sequence: 5)
        try Self.feed(channel, bytes, chunk: chunk)

        #expect(completions.withLock { $0 } == 1)
        let got = try #require(answers.withLock { $0 })
        #expect(got.count == 3)
        let first = try got[0].get().0
        #expect(first.columns == ["Name", "Value"])
        #expect(first.rows.first?["Value"] == long)
        #expect(throws: (any Error).self) { try got[1].get() }
        if case .failure(MySQLWireError.server(let e)) = got[1] { #expect(e.code == 1146) } else { Issue.record("not the server's error: \(got[1])") }
        #expect(try got[2].get().0.rows.first?["c"] == "x")
    }

    @Test("the answer deadline runs from a batch sent while none waited; an answered batch's timer does not fail the next")
    func answerDeadline() throws {
        let (loop, handler, channel, _) = try Self.connected()
        defer { _ = try? channel.finish() }
        try Self.feed(channel, Self.framed(MySQLClientWireTests.greeting(), sequence: 0), chunk: 4096)
        try Self.feed(channel, Self.framed([0, 0, 0, 2, 0, 0, 0], sequence: 2), chunk: 4096)

        /// Answers of one batch (the embedded loop runs everything on this thread).
        final class Answers: @unchecked Sendable {
            var value: [MySQLWireHandler.Batch.Answer]?
            func withLock<T>(_ body: (inout [MySQLWireHandler.Batch.Answer]?) -> T) -> T { body(&value) }
        }
        func send() -> Answers {
            let promise = loop.makePromise(of: [MySQLWireHandler.Batch.Answer].self)
            let got = Answers()
            promise.futureResult.whenSuccess { answers in got.value = answers }
            handler.start([.payload(MySQLClientWire.comPing)], promise)
            return got
        }
        let ok = Self.framed([0, 0, 0, 2, 0, 0, 0], sequence: 1)
        let first = send()
        loop.advanceTime(by: .seconds(3))
        try Self.feed(channel, ok, chunk: 4096)
        #expect(try first.withLock { $0 }?.first?.get() != nil)

        loop.advanceTime(by: .seconds(1))
        let second = send()  // due at 4 + 5 = 9 s; the first batch's timer (5 s) must not fail it
        loop.advanceTime(by: .seconds(4))  // 8 s
        #expect(second.withLock { $0 } == nil)
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(1))  // 9 s: the second batch is late
        let late = try #require(second.withLock { $0 }?.first)
        #expect(throws: MySQLError.self) { try late.get() }
        if case .failure(let error as MySQLError) = late {
            #expect(error.code == 2013 && error.message.contains("timed out after 5 s"), "\(error)")
        }
        #expect(!channel.isActive)
    }
}
