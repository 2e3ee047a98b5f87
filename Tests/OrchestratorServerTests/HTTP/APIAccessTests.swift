import Foundation
import Testing
@testable import OrchestratorServer

private func basic(_ credentials: String) -> [String: String] {
    ["authorization": "Basic " + Data(credentials.utf8).base64EncodedString()]
}

@Suite("HTTP API access control, in process", .serialized)
struct APIAccessTests {
    @Test func basicAuthenticationGuardsEveryRouteButTheProbes() async throws {
        let access = HTTPAccessPolicy(method: .basic, user: "dba", password: "pw")
        let orchd = try InProcessOrchd(size: 1, access: access)
        defer { Task { await orchd.stop() } }
        let id = try #require(await orchd.leader())

        let denied = await orchd.get(id, "/api/clusters")
        #expect(denied.status == 401)
        #expect(denied.headers["WWW-Authenticate"] == "Basic realm=\"orchd\"")
        #expect(denied.object["Code"] as? String == "ERROR")
        #expect(!denied.bodyText.contains("pw"), "the answer never echoes a password")
        #expect(await orchd.get(id, "/api/clusters", headers: basic("dba:nope")).status == 401)
        #expect(await orchd.get(id, "/api/discover/db/3309").status == 401, "no change without credentials")
        #expect(await orchd.get(id, "/api/no-such-route").status == 401, "routes are not revealed to strangers")

        for probe in ["/api/lb-check", "/api/leader-check", "/api/leader-check/503", "/api/raft-health"] {
            #expect(await orchd.get(id, probe).status == 200, "\(probe) answers load balancers without credentials")
        }
        #expect(await orchd.get(id, "/api/status").status == 401, "status carries details: credentials needed")

        let discovered = await orchd.get(id, "/api/discover/db/3309", headers: basic("dba:pw"))
        #expect(discovered.status == 200, "\(discovered.bodyText)")
        #expect(await orchd.get(id, "/api/clusters", headers: basic("dba:pw")).array as? [String] == ["db:3306"])
    }

    @Test func multiLetsReadonlyReadThroughAFollowerButNotChange() async throws {
        let access = HTTPAccessPolicy(method: .multi, user: "dba", password: "pw")
        let orchd = try InProcessOrchd(size: 3, access: access)
        defer { Task { await orchd.stop() } }
        let leader = try #require(await orchd.leader())
        let follower = try #require(orchd.ids.first { $0 != leader })
        #expect(await eventually { await orchd.nodes[follower]!.leaderHTTPAddress() != nil })

        let refused = await orchd.get(follower, "/api/discover/db/3309", headers: basic("readonly:x"))
        #expect(refused.status == 403)
        #expect((refused.object["Message"] as? String ?? "").contains("readonly"))
        let allowed = await orchd.get(follower, "/api/discover/db/3309", headers: basic("dba:pw"))
        #expect(allowed.status == 200, "\(allowed.bodyText)")
        #expect(await eventually {
            await orchd.get(follower, "/api/all-instances", headers: basic("readonly:any")).array.count == 4
        })
        // The leader decides again: a relayed change without credentials is refused there too.
        let relayed = await orchd.get(leader, "/api/begin-downtime/db/3307/x/y/1h",
                                      headers: [OrchestratorAPI.proxiedHeader: follower])
        #expect(relayed.status == 401)
    }

    @Test func webUISessionSaysWhoMayChange() async throws {
        let access = HTTPAccessPolicy(method: .multi, user: "dba", password: "pw")
        let orchd = try InProcessOrchd(size: 3, access: access)
        defer { Task { await orchd.stop() } }
        let leader = try #require(await orchd.leader())
        let follower = try #require(orchd.ids.first { $0 != leader })

        #expect(await orchd.get(follower, "/api/webui/session").status == 401, "strangers learn nothing")
        let reader = await orchd.get(follower, "/api/webui/session", headers: basic("readonly:x"))
        #expect(reader.status == 200)
        #expect(reader.object["User"] as? String == "readonly")
        #expect(reader.object["MayChange"] as? Bool == false)
        #expect((reader.object["Reason"] as? String ?? "").contains("may read but not change"))
        let dba = await orchd.get(follower, "/api/webui/session", headers: basic("dba:pw"))
        #expect(dba.object["User"] as? String == "dba")
        #expect(dba.object["MayChange"] as? Bool == true)
        #expect(!dba.bodyText.contains("pw\""), "the answer never echoes a password")
    }

    @Test func raftNodesAsksEveryMemberForItsOwnStatus() async throws {
        // Open access: in process, nodes announce their API addresses without credentials.
        let orchd = try InProcessOrchd(size: 3)
        defer { Task { await orchd.stop() } }
        let leader = try #require(await orchd.leader())
        let follower = try #require(orchd.ids.first { $0 != leader })
        var last = ""
        #expect(await eventually {
            let answer = await orchd.get(follower, "/api/raft-nodes")
            last = answer.bodyText
            let members = answer.array.compactMap { $0 as? [String: Any] }
            let states = members.compactMap { ($0["Status"] as? [String: Any])?["State"] as? String }
            return members.count == 3 && states.count == 3 && states.filter { $0 == "Leader" }.count == 1
        }, "three members, each answering for itself, one leader: \(last)")
    }

    @Test func readOnlyOrchdTellsTheWebUINobodyChangesAnything() async throws {
        let orchd = try InProcessOrchd(size: 1, access: HTTPAccessPolicy(readOnly: true))
        defer { Task { await orchd.stop() } }
        let id = try #require(await orchd.leader())
        let session = await orchd.get(id, "/api/webui/session")
        #expect(session.object["MayChange"] as? Bool == false)
        #expect((session.object["Reason"] as? String ?? "").contains("ReadOnly"))
    }

    @Test func proxyMethodTrustsTheUserHeaderForReadsAndPowerUsersForChanges() async throws {
        let access = HTTPAccessPolicy(method: .proxy, userHeader: "X-Forwarded-User", powerUsers: ["alice"])
        let orchd = try InProcessOrchd(size: 1, access: access)
        defer { Task { await orchd.stop() } }
        let id = try #require(await orchd.leader())
        #expect(await orchd.get(id, "/api/clusters").status == 200)
        #expect(await orchd.get(id, "/api/discover/db/3309", headers: ["x-forwarded-user": "bob"]).status == 403)
        #expect(await orchd.get(id, "/api/discover/db/3309", headers: ["x-forwarded-user": "alice"]).status == 200)
    }

    @Test func aBrowserOnAnotherSiteCannotChangeStateWithTheUsersCredentials() async throws {
        let access = HTTPAccessPolicy(method: .basic, user: "dba", password: "pw")
        let orchd = try InProcessOrchd(size: 1, access: access)
        defer { Task { await orchd.stop() } }
        let id = try #require(await orchd.leader())
        var forged = basic("dba:pw")
        forged["sec-fetch-site"] = "cross-site"
        let refused = await orchd.get(id, "/api/disable-global-recoveries", headers: forged)
        #expect(refused.status == 403)
        #expect((refused.object["Message"] as? String ?? "").contains("another site"))
        #expect(await orchd.get(id, "/api/check-global-recoveries", headers: basic("dba:pw")).object["Details"] as? String
                == "enabled")
        #expect(await orchd.get(id, "/api/clusters", headers: forged).status == 200, "reads stay readable")
        var sameOrigin = basic("dba:pw")
        sameOrigin["sec-fetch-site"] = "same-origin"
        #expect(await orchd.get(id, "/api/disable-global-recoveries", headers: sameOrigin).status == 200)
    }

    @Test func nodesSendEachOtherTheConfiguredCredentials() {
        let basicPolicy = HTTPAccessPolicy(method: .basic, user: "u", password: "p")
        #expect(basicPolicy.peerAuthorization == "Basic dTpw")
        let header = ["authorization": basicPolicy.peerAuthorization ?? ""]
        guard case .allow(let who) = basicPolicy.decide(headers: header, changesState: true) else {
            Issue.record("a peer's own credentials are refused")
            return
        }
        #expect(who.user == "u" && who.mayWrite)
        #expect(HTTPAccessPolicy(method: .multi, user: "u", password: "p").peerAuthorization == "Basic dTpw")
        #expect(HTTPAccessPolicy.open.peerAuthorization == nil)
        #expect(HTTPAccessPolicy(method: .proxy).peerAuthorization == nil)
    }

    @Test func readOnlyRefusesChangesAndServesReads() async throws {
        let orchd = try InProcessOrchd(size: 1, access: HTTPAccessPolicy(readOnly: true))
        defer { Task { await orchd.stop() } }
        let id = try #require(await orchd.leader())
        let refused = await orchd.get(id, "/api/discover/db/3309")
        #expect(refused.status == 403)
        #expect((refused.object["Message"] as? String ?? "").contains("ReadOnly"))
        #expect(await orchd.get(id, "/api/disable-global-recoveries").status == 403)
        #expect(await orchd.get(id, "/api/reload-configuration").status == 403, "reloading this node's file is a change too")
        #expect(await orchd.get(id, "/api/clusters").status == 200)
        #expect(await orchd.get(id, "/api/check-global-recoveries").object["Details"] as? String == "enabled")
    }
}
