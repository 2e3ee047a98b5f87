import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif
@testable import OrchestratorServer

/// Raft over mutual TLS (RaftTLSCertFile / RaftTLSPrivateKeyFile / RaftTLSCAFile): members whose
/// certificates chain to the group's CA talk; a peer with another CA's certificate, or plain TCP, never
/// gets a single frame delivered. Ports 24090-24099 belong to these tests.
@Suite("Raft transport over mutual TLS", .serialized)
struct RaftTransportTLSTests {
    func transport(_ port: Int, _ tls: RaftTLS?) -> NIORaftTransport {
        var options = NIORaftTransport.Options()
        options.tls = tls
        return NIORaftTransport(localID: "127.0.0.1:\(port)", bind: RaftAddress(host: "127.0.0.1", port: port), options: options)
    }

    @Test func membersTalkAndStrangersAreRefused() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let member = try RaftTLS(certificateFile: certificates.memberCertificate, privateKeyFile: certificates.memberKey,
                                 caFile: certificates.caFile)
        let rogue = try RaftTLS(certificateFile: certificates.rogueCertificate, privateKeyFile: certificates.rogueKey,
                                caFile: certificates.otherCAFile)
        let a = transport(24090, member), b = transport(24091, member)
        let stranger = transport(24092, rogue), plain = transport(24093, nil)
        for t in [a, b, stranger, plain] { try await t.start() }
        let inboxA = FrameInbox(a.inbound), inboxB = FrameInbox(b.inbound), inboxStranger = FrameInbox(stranger.inbound)

        for i in 0..<20 { b.send(RaftFrame(from: b.localID, to: a.localID, payload: Array("member \(i)".utf8))) }
        #expect(await inboxA.wait { $0.count == 20 }, "members of the same CA exchange frames")

        for i in 0..<20 {
            stranger.send(RaftFrame(from: stranger.localID, to: a.localID, payload: Array("rogue \(i)".utf8)))
            plain.send(RaftFrame(from: plain.localID, to: a.localID, payload: Array("plain \(i)".utf8)))
            a.send(RaftFrame(from: a.localID, to: stranger.localID, payload: Array("secret \(i)".utf8)))
        }
        // Give them every chance (reconnects included), then check nothing got through either way.
        for _ in 0..<200 {
            if let s = await stranger.stats()[a.localID], s.connectAttempts >= 2,
               let p = await plain.stats()[a.localID], p.connectAttempts >= 2 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(500))
        let seen = await inboxA.frames.map { String(decoding: $0.payload, as: UTF8.self) }
        #expect(seen.filter { !$0.hasPrefix("member") }.isEmpty, "a stranger's frames were delivered: \(seen)")
        #expect(await inboxStranger.frames.isEmpty, "a member sent frames to a stranger")
        #expect(await inboxB.frames.isEmpty)
        for t in [a, b, stranger, plain] { await t.shutdown() }
    }

    @Test func aStrayConnectionIsClosedAfterItsFirstBytes() async throws {
        let a = transport(24094, nil)
        try await a.start()
        defer { Task { await a.shutdown() } }
        // Announce a 200 MB frame, then a wrong marker: the node closes at once instead of buffering.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(24094).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        try #require(connected)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let length = UInt32(200 << 20)
        let header: [UInt8] = [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF),
                               UInt8(length >> 24), 0x47, 0x45]  // "GE", as an HTTP client would send
        #expect(header.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == 6)
        var byte: UInt8 = 0
        let read = recv(fd, &byte, 1, 0)
        #expect(read == 0, "the node keeps a stray connection open (recv returned \(read), errno \(errno))")
    }

    @Test func unusableFilesNameTheKey() {
        #expect(throws: RaftTLSError.self) {
            _ = try RaftTLS(certificateFile: "/nonexistent.pem", privateKeyFile: "/nonexistent.key", caFile: "/nonexistent-ca.pem")
        }
        do {
            _ = try RaftTLS(certificateFile: "/nonexistent.pem", privateKeyFile: "/x.key", caFile: "/ca.pem")
        } catch {
            #expect(error.description.hasPrefix("cannot use /nonexistent.pem (RaftTLSCertFile) for Raft's TLS"))
        }
    }
}
