import Foundation
import Testing
import OrchestratorTestKit
import OrchestratorClient

/// AuthenticationMethod "multi" on three real orchd processes, driven by the real client: strangers
/// are refused, `readonly` reads, the configured user changes things through a follower (which relays
/// the credentials to the leader), and load balancers' probes need nothing.
@Suite("orchd group: HTTP authentication (multi) over real processes", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct OrchdAccessTests {
    @Test func multiAuthenticationEndToEnd() throws {
        let group = try OrchdProcessGroup(name: "access", overrides: [
            "AuthenticationMethod": "multi", "HTTPAuthUser": "dba", "HTTPAuthPassword": "api-secret",
        ])
        defer { group.killAll() }
        group.clientEnvironment = ["ORCHESTRATOR_AUTH_USER": "dba", "ORCHESTRATOR_AUTH_PASSWORD": "api-secret"]
        try group.startAll()
        #expect(group.eventually { group.leader() != nil }, "a leader is elected")
        let leader = try #require(group.leader())
        let leaderIndex = try #require(group.index(ofRaftID: leader))
        let follower = (leaderIndex + 1) % OrchdProcessGroup.size
        let anonymous = ["ORCHESTRATOR_AUTH_USER": "", "ORCHESTRATOR_AUTH_PASSWORD": ""]

        // No credentials: refused with the reason; the probes still answer.
        let stranger = try group.cli(["-c", "clusters"], environment: anonymous)
        #expect(stranger.status != 0)
        #expect(stranger.err.contains("401"), "\(stranger.err)")
        #expect(try group.cli(["-c", "raft-health"], environment: anonymous).status == 0, "raft-health needs no credentials")
        let wrong = try group.cli(["-c", "clusters"], environment: ["ORCHESTRATOR_AUTH_PASSWORD": "guess"])
        #expect(wrong.status != 0)

        // Over raw HTTP: the challenge, the open probe, and /metrics for whoever may read.
        let endpoint = try HTTPEndpoint.parse(group.api(follower))
        let http = SocketHTTPTransport()
        let timeouts = HTTPTimeouts(connect: 2, response: 10)
        let challenge = try http.get(endpoint, path: "/metrics", headers: [], timeouts: timeouts)
        #expect(challenge.status == 401)
        #expect(challenge.header("www-authenticate") == "Basic realm=\"orchd\"")
        #expect(try http.get(endpoint, path: "/api/lb-check", headers: [], timeouts: timeouts).status == 200)
        let readonlyAuth = [("Authorization", "Basic " + Data("readonly:x".utf8).base64EncodedString())]
        let metrics = try http.get(endpoint, path: "/metrics", headers: readonlyAuth, timeouts: timeouts)
        #expect(metrics.status == 200)
        #expect(metrics.header("content-type")?.hasPrefix("text/plain") == true)
        let text = String(decoding: metrics.body, as: UTF8.self)
        #expect(text.contains("orchd_raft_leader 0"), "a follower says it does not lead")
        #expect(text.contains("orchd_raft_healthy 1"))
        #expect(text.contains("orchd_raft_voters 3"))

        // readonly (any password) reads but cannot change anything, even through a follower.
        let readonly = ["ORCHESTRATOR_AUTH_USER": "readonly", "ORCHESTRATOR_AUTH_PASSWORD": "whatever"]
        #expect(try group.cli(["-c", "check-global-recoveries"], apis: group.api(follower), environment: readonly).out
                == "enabled")
        let refused = try group.cli(["-c", "disable-global-recoveries"], apis: group.api(follower), environment: readonly)
        #expect(refused.status != 0)
        #expect(refused.err.contains("readonly"), "\(refused.err)")

        // The configured user changes state through the follower: relayed with its credentials.
        let disabled = try group.cli(["-c", "disable-global-recoveries"], apis: group.api(follower))
        #expect(disabled.status == 0, "\(disabled.err)")
        for i in 0..<OrchdProcessGroup.size {
            #expect(group.eventually {
                try group.cli(["-c", "check-global-recoveries"], apis: group.api(i)).out == "disabled"
            }, "node \(i) applied the change")
        }
        // The password is never in a node's log.
        for i in 0..<OrchdProcessGroup.size {
            let log = (try? String(contentsOfFile: "\(group.dir)/node\(i)/orchd.log", encoding: .utf8)) ?? ""
            #expect(!log.contains("api-secret"), "node \(i)'s log holds no API password")
        }
    }
}
