import Foundation
import NIOCore
import Synchronization
import Testing
@testable import OrchestratorServer
import OrchestratorServerTestKit

/// Collects frames from a stream in the background so tests can wait for a condition.
actor FrameInbox {
    private(set) var frames: [RaftFrame] = []
    private var task: Task<Void, Never>?

    init(_ stream: AsyncStream<RaftFrame>) {
        task = nil
        Task { await self.consume(stream) }
    }

    private func consume(_ stream: AsyncStream<RaftFrame>) async {
        for await f in stream { frames.append(f) }
    }

    /// Polls until `predicate` holds; gives up after `seconds` (a hang guard, not a speed check).
    func wait(seconds: Double = 20, polls: Int = 500, _ predicate: ([RaftFrame]) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var attempts = 0
        while Date() < deadline || attempts < polls {
            if predicate(frames) { return true }
            attempts += 1
            try? await Task.sleep(for: .milliseconds(10))
        }
        return predicate(frames)
    }
}

// Ports 24080-24099 belong to these tests.
@Suite("Raft TCP transport", .serialized)
struct RaftTransportTests {
    func transport(_ port: Int, _ opts: NIORaftTransport.Options = .init()) -> NIORaftTransport {
        NIORaftTransport(localID: "127.0.0.1:\(port)", bind: RaftAddress(host: "127.0.0.1", port: port), options: opts)
    }

    @Test func twoEndpointsExchangeFramesInOrder() async throws {
        let a = transport(24080), b = transport(24081)
        try await a.start()
        try await b.start()
        let inboxA = FrameInbox(a.inbound), inboxB = FrameInbox(b.inbound)
        for i in 0..<200 {
            a.send(RaftFrame(from: a.localID, to: b.localID, payload: Array("ab\(i)".utf8)))
            b.send(RaftFrame(from: b.localID, to: a.localID, payload: Array(repeating: UInt8(i % 256), count: i * 100)))
        }
        #expect(await inboxB.wait { $0.count == 200 })
        #expect(await inboxA.wait { $0.count == 200 })
        #expect(await inboxB.frames.map { String(decoding: $0.payload, as: UTF8.self) } == (0..<200).map { "ab\($0)" })
        #expect(await inboxA.frames.map(\.payload.count) == (0..<200).map { $0 * 100 })
        #expect(await inboxA.frames.allSatisfy { $0.from == b.localID && $0.to == a.localID })
        await a.shutdown()
        await b.shutdown()
    }

    /// A consumer that takes frames on the event loop gets all of them, in order, and `inbound` none;
    /// a batch handed over at once arrives in its order too.
    @Test func directDeliveryKeepsOrderAndBypassesTheStream() async throws {
        let a = transport(24088), b = transport(24089)
        let received = Mutex<[RaftFrame]>([])
        #expect(b.deliverInbound { frame in received.withLock { $0.append(frame) } })
        try await a.start()
        try await b.start()
        let streamed = FrameInbox(b.inbound)
        a.send((0..<100).map { RaftFrame(from: a.localID, to: b.localID, payload: Array("f\($0)".utf8)) })
        for i in 100..<200 { a.send(RaftFrame(from: a.localID, to: b.localID, payload: Array("f\(i)".utf8))) }
        #expect(await eventually(seconds: 10) { received.withLock { $0.count } == 200 })
        #expect(received.withLock { $0.map { String(decoding: $0.payload, as: UTF8.self) } } == (0..<200).map { "f\($0)" })
        #expect(await streamed.frames.isEmpty)
        await a.shutdown()
        await b.shutdown()
    }

    /// The service's inbox holds as many frames as `inbound` would, dropping the oldest beyond; the
    /// first frame since the last take asks for a drain, the others find one queued.
    @Test func theServiceInboxIsBounded() {
        let inbox = RaftService.Inbox()
        let extra = 10
        var drains = 0
        for i in 0..<(RaftService.Inbox.limit + extra) {
            if inbox.append(RaftFrame(from: "a", to: "b", payload: Array("\(i)".utf8))) { drains += 1 }
        }
        #expect(drains == 1)
        let frames = inbox.takeAll()
        #expect(frames.count == RaftService.Inbox.limit)
        #expect(frames.first?.payload == Array("\(extra)".utf8))
        #expect(inbox.takeAll().isEmpty)
        #expect(inbox.append(RaftFrame(from: "a", to: "b", payload: [1])))
    }

    @Test func framesForAnotherMemberAreDropped() async throws {
        let a = transport(24082)
        // b listens on 127.0.0.1:24083 but is member "localhost:24083": frames naming the
        // numeric address were meant for someone else (say, a previous owner of the address).
        let b = NIORaftTransport(localID: "localhost:24083", bind: RaftAddress(host: "127.0.0.1", port: 24083))
        try await a.start()
        try await b.start()
        let inboxB = FrameInbox(b.inbound)
        for _ in 0..<3 { a.send(RaftFrame(from: a.localID, to: "127.0.0.1:24083", payload: [1])) }
        for _ in 0..<200 where await a.stats()["127.0.0.1:24083"]?.sent != 3 {
            try await Task.sleep(for: .milliseconds(10))
        }
        a.send(RaftFrame(from: a.localID, to: "localhost:24083", payload: [2]))
        #expect(await inboxB.wait { !$0.isEmpty })
        #expect(await inboxB.frames.map(\.payload) == [[2]])
        await a.shutdown()
        await b.shutdown()
    }

    @Test func downPeerQueueStaysBounded() async throws {
        var opts = NIORaftTransport.Options()
        opts.queueFrameLimit = 50
        opts.queueByteLimit = 64 << 10
        let a = transport(24084, opts)
        try await a.start()
        let down = "127.0.0.1:24085" // nobody listens here
        for i in 0..<5_000 {
            a.send(RaftFrame(from: a.localID, to: down, payload: Array(repeating: 1, count: i % 3 == 0 ? 4096 : 10)))
        }
        var stats = await a.stats()[down]
        for _ in 0..<100 where stats.map({ $0.queued + $0.dropped }) != 5_000 {
            try await Task.sleep(for: .milliseconds(10))
            stats = await a.stats()[down]
        }
        let s = try #require(stats)
        #expect(s.connected == false)
        #expect(s.queued <= 50)
        #expect(s.queuedBytes <= 64 << 10)
        #expect(s.dropped == 5_000 - s.queued)
        #expect(s.connectAttempts >= 1)
        await a.shutdown()
    }

    @Test func reconnectsWhenPeerComesBack() async throws {
        var opts = NIORaftTransport.Options()
        opts.backoffMax = .milliseconds(100)
        let a = transport(24086, opts)
        try await a.start()
        let bID = "127.0.0.1:24087"

        // b is down at first; a keeps sending (as Raft's heartbeats would) until b answers.
        let b1 = transport(24087)
        let inbox1 = FrameInbox(b1.inbound)
        a.send(RaftFrame(from: a.localID, to: bID, payload: [0]))
        try await Task.sleep(for: .milliseconds(50))
        try await b1.start()
        #expect(await resend(from: a, to: bID, payload: [1], until: inbox1))
        await b1.shutdown()

        // b restarts on the same address: a reconnects.
        let b2 = transport(24087)
        try await b2.start()
        let inbox2 = FrameInbox(b2.inbound)
        #expect(await resend(from: a, to: bID, payload: [2], until: inbox2))
        let all = await a.stats()
        let s = try #require(all[bID])
        #expect(s.connectAttempts >= 2)
        await b2.shutdown()
        await a.shutdown()
    }

    private func resend(from a: NIORaftTransport, to: RaftNodeID, payload: [UInt8], until inbox: FrameInbox) async -> Bool {
        for _ in 0..<500 {
            a.send(RaftFrame(from: a.localID, to: to, payload: payload))
            if await inbox.wait(seconds: 0.02, polls: 2, { $0.contains { $0.payload == payload } }) { return true }
        }
        return false
    }

    @Test func inMemoryNetworkDeliversAndPartitions() async throws {
        let net = InMemoryRaftNetwork()
        let a = net.endpoint("a"), b = net.endpoint("b")
        try await a.start()
        try await b.start()
        let inboxB = FrameInbox(b.inbound)
        a.send(RaftFrame(from: "a", to: "b", payload: [1]))
        net.isolate("a")
        a.send(RaftFrame(from: "a", to: "b", payload: [2]))
        net.heal()
        a.send(RaftFrame(from: "a", to: "b", payload: [3]))
        #expect(await inboxB.wait { $0.count == 2 })
        #expect(await inboxB.frames.map(\.payload) == [[1], [3]])
        await a.shutdown()
        await b.shutdown()
    }
}

@Suite("Raft wire format")
struct RaftWireTests {
    @Test func frameRoundTripsThroughBytes() throws {
        let f = RaftFrame(from: "127.0.0.1:10008", to: "[::1]:10009", payload: Array(0...255))
        var buf = ByteBuffer()
        RaftWire.write(f, into: &buf)
        let prefix = buf.readInteger(endianness: .little, as: UInt32.self)
        let length = try #require(prefix)
        #expect(Int(length) == buf.readableBytes)
        #expect(try RaftWire.parse(buf.readBytes(length: Int(length))!) == f)
    }

    @Test func otherVersionsAndStrangersAreRejected() throws {
        var buf = ByteBuffer()
        RaftWire.write(RaftFrame(from: "a", to: "b", payload: []), into: &buf)
        var body = buf.getBytes(at: 4, length: buf.readableBytes - 4)!
        body[1] = 2
        #expect(throws: RaftDecodeError.self) { try RaftWire.parse(body) }
        #expect(throws: RaftDecodeError.self) { try RaftWire.parse(Array("GET / HTTP/1.1".utf8)) }
    }

    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1", 10008), ("10.0.0.1:10010", "10.0.0.1", 10010),
        ("db-1.example.com:7", "db-1.example.com", 7), ("[::1]:9", "::1", 9), ("[fe80::1]", "fe80::1", 10008),
    ])
    func addressesParse(text: String, host: String, port: Int) {
        #expect(RaftAddress(parsing: text) == RaftAddress(host: host, port: port))
    }

    @Test(arguments: ["", ":1", "a:", "a:0", "a:70000", "::1:5", "[::1", "[::1]x"])
    func badAddressesAreRejected(text: String) {
        #expect(RaftAddress(parsing: text) == nil)
    }
}
