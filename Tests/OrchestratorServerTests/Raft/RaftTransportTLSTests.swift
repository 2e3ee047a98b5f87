import Foundation
import Testing
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
