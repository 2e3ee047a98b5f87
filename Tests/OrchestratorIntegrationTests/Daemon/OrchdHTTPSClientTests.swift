import Foundation
import Testing
import OrchestratorTestKit

/// The real orchestrator-client over HTTPS against three real orchd processes serving `UseSSL` (and
/// `UseMutualTLS`): the leader race over https endpoints, a change sent to a follower (which forwards it
/// to the leader over HTTPS), reads, a mixed http/https list, and certificates that do not verify.
/// Every step acts on whoever leads at that moment.
@Suite("orchd group: orchestrator-client over HTTPS", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct OrchdHTTPSClientTests {
    @Test func oneWayTLS() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "chain:2", alias: "https-one-way")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "https", tls: .oneWay)
        defer { group.killAll() }
        let certificates = try #require(group.certificates)
        try group.startAll()
        #expect(group.eventually { group.leader() != nil }, "a leader is elected, found over https")
        try discoverAndReadThroughFollower(group, sandbox)

        // which-api names the https leader; a list with a plain-http endpoint that is down still works.
        let which = try group.cli(["-c", "which-api"])
        #expect(which.status == 0 && which.out.hasPrefix("https://127.0.0."), "\(which.out) \(which.err)")
        let closed = try closedLoopbackPort()
        let mixed = try group.cli(["-c", "clusters"], apis: "http://127.0.0.1:\(closed) " + group.allAPIs)
        #expect(mixed.status == 0 && mixed.out == "127.0.0.1:\(sandbox.port(1))", "\(mixed.err)")

        // A CA that did not sign the nodes' certificate: an error that says so, at once, exit non-zero.
        let wrongCA = ["ORCHESTRATOR_CA_FILE": certificates.otherCAFile]
        for apis in [group.allAPIs, group.api(0)] {
            let refused = try group.cli(["-c", "clusters"], apis: apis, environment: wrongCA)
            #expect(refused.status != 0)
            #expect(refused.out.isEmpty)
            #expect(refused.err.contains("certificate verify failed"), "\(refused.err)")
            #expect(refused.err.contains("not signed by a CA in the CA file \(certificates.otherCAFile) (ORCHESTRATOR_CA_FILE)"),
                    "\(refused.err)")
        }
        // A CA file that does not exist is named before anything is sent.
        let missing = try group.cli(["-c", "clusters"], environment: ["ORCHESTRATOR_CA_FILE": group.dir + "/nope.pem"])
        #expect(missing.status != 0)
        #expect(missing.err.contains("cannot load the CA file \(group.dir)/nope.pem (ORCHESTRATOR_CA_FILE)"), "\(missing.err)")
    }

    @Test func mutualTLS() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "chain:2", alias: "https-mutual")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "mtls", tls: .mutual)
        defer { group.killAll() }
        let certificates = try #require(group.certificates)
        try group.startAll()
        #expect(group.eventually { group.leader() != nil }, "a leader is elected, found over mutual TLS")
        try discoverAndReadThroughFollower(group, sandbox)

        // No client certificate: the server's refusal, with the variables to set.
        let anonymous = try group.cli(["-c", "clusters"], apis: group.api(0),
                                      environment: ["ORCHESTRATOR_CLIENT_CERT": "", "ORCHESTRATOR_CLIENT_KEY": ""])
        #expect(anonymous.status != 0)
        #expect(anonymous.err.contains("ORCHESTRATOR_CLIENT_CERT"), "\(anonymous.err)")
        // A client certificate from another CA: refused, and said so.
        let rogue = try group.cli(["-c", "clusters"], apis: group.api(0), environment: [
            "ORCHESTRATOR_CLIENT_CERT": certificates.rogueClientCertificate,
            "ORCHESTRATOR_CLIENT_KEY": certificates.rogueClientKey,
        ])
        #expect(rogue.status != 0)
        #expect(rogue.err.contains("refused our client certificate"), "\(rogue.err)")
    }

    /// `-c discover` sent to a follower of the moment only (forwarded to the leader over HTTPS), then
    /// `-c clusters` through a follower and through the whole list.
    private func discoverAndReadThroughFollower(_ group: OrchdProcessGroup, _ sandbox: MariaDBSandbox) throws {
        let master = "127.0.0.1:\(sandbox.port(1))"
        func follower() -> Int? {
            group.leader().flatMap(group.index(ofRaftID:)).map { ($0 + 1) % OrchdProcessGroup.size }
        }
        var discovered: (status: Int32, out: String, err: String)?
        #expect(group.eventually {
            guard let follower = follower() else { return false }
            discovered = try group.cli(["-c", "discover", "-i", master], apis: group.api(follower))
            return discovered?.status == 0
        }, "discover through a follower: \(discovered?.err ?? "")")
        #expect(discovered?.out == master)
        #expect(group.eventually {
            guard let follower = follower() else { return false }
            return try group.cli(["-c", "clusters"], apis: group.api(follower)).out == master
        }, "clusters through a follower")
        let clusters = try group.cli(["-c", "clusters"])
        #expect(clusters.status == 0 && clusters.out == master, "\(clusters.err)")
    }
}
