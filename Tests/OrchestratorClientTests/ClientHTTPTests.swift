import Testing
@testable import OrchestratorClient

/// The whole client (flags -> leader discovery -> HTTP over real sockets -> output) against tiny real
/// HTTP servers on 127.0.0.1 ephemeral ports. Sleeps are recorded, not slept.
@Suite(.serialized) struct ClientHTTPTests {
    /// A node answering leader-check with 200 (leader) or 404 (follower), and `routes` for API paths.
    static func node(leader: Bool, routedLeader: Bool = false, routes: [String: FakeOrchestrator.Reply] = [:]) throws -> FakeOrchestrator {
        try FakeOrchestrator { request in
            switch request.path {
            case "/api/leader-check": return leader ? .json(200, #""OK""#) : .json(404, #""Not leader""#)
            case "/api/routed-leader-check": return routedLeader ? .json(200, #""OK""#) : .json(404, #""Not leader""#)
            default: return routes[request.path] ?? .raw("HTTP/1.1 404 Not Found\r\nContent-Length: 18\r\n\r\n404 page not found")
            }
        }
    }

    func run(_ arguments: [String], api: String, environment: [String: String] = [:], sleeps: SleepRecorder = SleepRecorder())
        -> ClientResult
    {
        let client = Client(transport: BoundedSocketTransport(), sleep: sleeps.function, currentUser: { "tester" })
        var environment = environment
        environment["ORCHESTRATOR_API"] = api
        return client.run(arguments: arguments, environment: environment)
    }

    @Test func findsTheLeaderAmongThreeEndpointsWithOneDown() throws {
        let follower = try Self.node(leader: false)
        let leader = try Self.node(leader: true, routes: ["/api/clusters-info": .json(200, Fixtures.clustersInfo)])
        defer { follower.stop(); leader.stop() }
        let down = "http://127.0.0.1:\(FakeOrchestrator.closedPort())"
        let sleeps = SleepRecorder()

        let result = run(["-c", "clusters"], api: "\(down) \(follower.url) \(leader.url)/api", sleeps: sleeps)

        #expect(result == ClientResult(stdout: ["db-a:3306", "db-x:3307"]))
        // Leader checks go to all endpoints at once; the follower may or may not have been asked before
        // the leader answered, but it never gets the API call.
        #expect(follower.paths.allSatisfy { $0 == "/api/leader-check" })
        #expect(leader.paths == ["/api/leader-check", "/api/clusters-info"])
        #expect(sleeps.sleeps.isEmpty)
        #expect(run(["-c", "which-api"], api: "\(down) \(follower.url) \(leader.url)").stdout == ["\(leader.url)/api"])
    }

    @Test func singleEndpointIsUsedWithoutLeaderCheck() throws {
        let only = try Self.node(leader: false, routes: ["/api/master/alpha": .json(200, Fixtures.instance("db-a"))])
        defer { only.stop() }
        let result = run(["-c", "which-cluster-master", "-a", "alpha"], api: only.url)
        #expect(result == ClientResult(stdout: ["db-a:3306"]))
        #expect(only.paths == ["/api/master/alpha"])
    }

    @Test func readsChunkedResponses() throws {
        let instances = "[" + [Fixtures.instance("db-a"), Fixtures.instance("db-b", master: ("db-a", 3306))].joined(separator: ",") + "]"
        let middle = instances.index(instances.startIndex, offsetBy: instances.count / 2)
        let pieces = [String(instances[..<middle]), String(instances[middle...])]
        let leader = try Self.node(leader: true, routes: ["/api/cluster/alpha": .chunked(200, pieces)])
        let follower = try Self.node(leader: false)
        defer { leader.stop(); follower.stop() }
        let result = run(["-c", "which-cluster-instances", "-a", "alpha"], api: "\(follower.url) \(leader.url)")
        #expect(result == ClientResult(stdout: ["db-a:3306", "db-b:3306"]))
    }

    @Test func sendsBasicAuthAndTheUserHeaderOnEveryRequest() throws {
        let leader = try Self.node(leader: true, routes: ["/api/discover/db-b/3306": .json(200, Fixtures.ok("Instance discovered", details: Fixtures.instance("db-b", master: ("db-a", 3306))))])
        let follower = try Self.node(leader: false)
        defer { leader.stop(); follower.stop() }
        let environment = ["ORCHESTRATOR_AUTH_USER": "alice", "ORCHESTRATOR_AUTH_PASSWORD": "s3cret",
                           "ORCHESTRATOR_AUTH_USER_HEADER": "X-Forwarded-User: alice"]
        let result = run(["-c", "discover", "-i", "db-b"], api: "\(follower.url) \(leader.url)", environment: environment)
        #expect(result == ClientResult(stdout: ["db-b:3306"]))
        for request in follower.requests + leader.requests {
            #expect(request.headers["authorization"] == "Basic YWxpY2U6czNjcmV0")
            #expect(request.headers["x-forwarded-user"] == "alice")
        }
        #expect(leader.requests.count == 2)
    }

    @Test func credentialsInEachURLAreUsedForThatEndpointAndNeverPrinted() throws {
        let follower = try Self.node(leader: false)
        let leader = try Self.node(leader: true)
        defer { follower.stop(); leader.stop() }
        let api = "http://bob:hunter2@127.0.0.1:\(follower.port) http://carol:pw2@127.0.0.1:\(leader.port)"
        let result = run(["-c", "api", "-P", "no-such-path"], api: api)
        #expect(result.status == 1)
        for request in follower.requests {
            #expect(request.headers["authorization"] == "Basic " + base64("bob:hunter2"))
        }
        #expect(leader.requests.map { $0.headers["authorization"] } == ["Basic " + base64("carol:pw2"), "Basic " + base64("carol:pw2")])
        #expect(!(result.stderr + result.stdout).joined().contains("hunter2"))
        #expect(!(result.stderr + result.stdout).joined().contains("pw2"))
        // Explicit credentials win over the URL's.
        _ = run(["-c", "api", "-P", "no-such-path", "-b", "dave:pw3"], api: api)
        #expect(leader.requests.last?.headers["authorization"] == "Basic " + base64("dave:pw3"))
    }

    @Test func fallsBackToRoutedLeaderCheck() throws {
        let first = try Self.node(leader: false)
        let router = try Self.node(leader: false, routedLeader: true, routes: ["/api/raft-health": .json(200, #""healthy""#)])
        defer { first.stop(); router.stop() }
        let result = run(["-c", "raft-health"], api: "\(first.url) \(router.url)")
        #expect(result == ClientResult(stdout: ["healthy"]))
        #expect(router.paths == ["/api/leader-check", "/api/routed-leader-check", "/api/raft-health"])
    }

    @Test func noLeaderRetriesOnUpstreamScheduleThenFails() throws {
        let a = try Self.node(leader: false)
        let b = try Self.node(leader: false)
        defer { a.stop(); b.stop() }
        let sleeps = SleepRecorder()
        let result = run(["-c", "clusters"], api: "\(a.url) \(b.url)", sleeps: sleeps)
        #expect(result.status == 1)
        #expect(result.stderr.count == 1)
        #expect(result.stderr[0].hasPrefix("orchestrator-client: Cannot determine leader from"))
        #expect(sleeps.sleeps == [0.1, 0.2, 0.5, 1, 2, 2.5, 5])
        #expect(a.paths.filter { $0 == "/api/leader-check" }.count == 8)
    }

    @Test func allEndpointsDownFailsAtOnceWithOneLine() throws {
        let sleeps = SleepRecorder()
        let api = "http://127.0.0.1:\(FakeOrchestrator.closedPort()) http://127.0.0.1:\(FakeOrchestrator.closedPort())"
        let result = run(["-c", "clusters"], api: api, sleeps: sleeps)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.count == 1)
        #expect(result.stderr[0].contains("cannot reach any orchestrator endpoint"))
        #expect(result.stderr[0].contains("Connection refused"))
        #expect(sleeps.sleeps.isEmpty)
    }

    @Test func singleEndpointDownRetriesThenFails() throws {
        let sleeps = SleepRecorder()
        let result = run(["-c", "clusters"], api: "http://127.0.0.1:\(FakeOrchestrator.closedPort())", sleeps: sleeps)
        #expect(result.status == 1)
        #expect(result.stderr.count == 1)
        #expect(result.stderr[0].contains("Cannot access orchestrator at http://127.0.0.1:"))
        #expect(sleeps.sleeps == Client.upstreamRetrySleeps)
    }

    @Test func transientGatewayErrorIsRetried() throws {
        let counter = Counter()
        let server = try FakeOrchestrator { request in
            counter.next() == 0 ? .raw("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy")
                : .json(200, #"["db-a:3306"]"#)
        }
        defer { server.stop() }
        let sleeps = SleepRecorder()
        let result = run(["-c", "api", "-P", "clusters"], api: server.url, sleeps: sleeps)
        #expect(result == ClientResult(stdout: [#"[ "db-a:3306" ]"#]))
        #expect(sleeps.sleeps == [0.1])
    }

    @Test func notFoundIsReportedAtOnce() throws {
        let server = try Self.node(leader: true)
        defer { server.stop() }
        let sleeps = SleepRecorder()
        let result = run(["-c", "which-cluster", "-a", "nope"], api: server.url, sleeps: sleeps)
        #expect(result == ClientResult(stderr: ["orchestrator-client: HTTP 404 from GET /api/cluster-info/nope: 404 page not found"], status: 1))
        #expect(sleeps.sleeps.isEmpty)
    }

    @Test func errorEnvelopePrintsMessageAndDetailsAndExitsOne() throws {
        let leader = try Self.node(leader: true, routes: [
            "/api/relocate/db-b/3306/db-d/3306": .json(500, Fixtures.error("db-d:3306 cannot replicate from db-b:3306: would create a cycle")),
            "/api/recover/db-a/3306": .json(500, Fixtures.error("Recovery not attempted", details: Fixtures.key("db-a", 3306))),
        ])
        defer { leader.stop() }
        let relocate = run(["-c", "relocate", "-i", "db-b", "-d", "db-d"], api: leader.url)
        // The server's message is printed as it is, as upstream does.
        #expect(relocate == ClientResult(stderr: ["db-d:3306 cannot replicate from db-b:3306: would create a cycle"], status: 1))
        let recover = run(["-c", "recover", "-i", "db-a"], api: leader.url)
        #expect(recover == ClientResult(stdout: [#"{ "Hostname": "db-a", "Port": 3306 }"#],
                                        stderr: ["Recovery not attempted"], status: 1))
    }

    @Test func raftCommandsCheckRaftStateFirst() throws {
        let leader = try Self.node(leader: true, routes: [
            "/api/raft-state": .json(200, #""Leader""#),
            "/api/raft-leader": .json(200, #""127.0.0.3:10008""#),
            "/api/raft-yield-hint/127.0.0.2": .json(200, Fixtures.ok("Asynchronously yielded by hint 127.0.0.2", details: #""127.0.0.2""#)),
        ])
        let candidate = try Self.node(leader: false, routes: ["/api/raft-state": .json(200, #""Candidate""#)])
        defer { leader.stop(); candidate.stop() }
        #expect(run(["-c", "raft-leader"], api: leader.url) == ClientResult(stdout: ["127.0.0.3:10008"]))
        #expect(run(["-c", "raft-elect-leader", "-H", "127.0.0.2"], api: leader.url) == ClientResult(stdout: ["127.0.0.2"]))
        #expect(leader.paths.suffix(2) == ["/api/raft-state", "/api/raft-yield-hint/127.0.0.2"])
        let refused = run(["-c", "raft-leader"], api: candidate.url)
        #expect(refused.status == 1)
        #expect(refused.stderr.count == 1 && refused.stderr[0].contains("Cannot determine raft state"))
        #expect(candidate.paths == ["/api/raft-state"])

        let follower = try Self.node(leader: false, routes: ["/api/raft-state": .json(200, #""Follower""#),
                                                            "/api/raft-leader": .json(200, #""127.0.0.3:10008""#)])
        defer { follower.stop() }
        // A follower knows the leader's address, but only the leader can report its own host name.
        #expect(run(["-c", "raft-leader"], api: follower.url) == ClientResult(stdout: ["127.0.0.3:10008"]))
        #expect(run(["-c", "raft-leader-hostname"], api: follower.url).stderr == [
            "orchestrator-client: Cannot determine raft state: the node reports \"Follower\", expected Leader; list every node in ORCHESTRATOR_API so the client can find the leader",
        ])
    }

    @Test func noopReachesTheServerAndItsAnswerIsPrinted() throws {
        let leader = try Self.node(leader: true, routes: [
            "/api/relocate/db-d/3306/db-a/3306?noop=true": .json(200, Fixtures.ok("noop: would relocate db-d:3306 below db-a:3306",
                details: #"["STOP SLAVE","CHANGE MASTER TO MASTER_HOST='db-a', MASTER_PORT=3306, MASTER_USE_GTID=slave_pos","START SLAVE"]"#)),
        ])
        defer { leader.stop() }
        let result = run(["-c", "relocate", "-i", "db-d", "-d", "db-a", "--noop"], api: leader.url)
        #expect(result == ClientResult(stdout: ["STOP SLAVE", "CHANGE MASTER TO MASTER_HOST='db-a', MASTER_PORT=3306, MASTER_USE_GTID=slave_pos", "START SLAVE"]))
    }

    @Test func hungEndpointIsSkippedAfterTheLeaderCheckTimeout() throws {
        let hung = try FakeOrchestrator { _ in .hang(1.5) }
        let leader = try Self.node(leader: true, routes: ["/api/raft-health": .json(200, #""healthy""#)])
        defer { hung.stop(); leader.stop() }
        let result = run(["-c", "raft-health"], api: "\(hung.url) \(leader.url)")
        #expect(result == ClientResult(stdout: ["healthy"]))
    }

    @Test func flagMistakesFailBeforeAnyRequest() throws {
        let server = try Self.node(leader: true)
        defer { server.stop() }
        let result = run(["-c", "relocate", "-i", "db-b"], api: server.url)
        #expect(result == ClientResult(stderr: ["orchestrator-client: -c relocate needs a destination: give -d host[:port]"], status: 1))
        let unknown = run(["-c", "relocat"], api: server.url)
        #expect(unknown.status == 1)
        #expect(unknown.stderr == ["orchestrator-client: unknown command 'relocat'; did you mean: relocate, relocate-replicas? (see -h for all commands)"])
        // https with a CA file that cannot be read, or a key without its certificate: named, nothing sent.
        #expect(run(["-c", "clusters"], api: "https://127.0.0.1:\(server.port)",
                    environment: ["ORCHESTRATOR_CA_FILE": "/nonexistent/ca.pem"]).stderr
            == ["orchestrator-client: cannot load the CA file /nonexistent/ca.pem (ORCHESTRATOR_CA_FILE): No such file or directory"])
        #expect(run(["-c", "clusters"], api: "http://127.0.0.1:1 https://127.0.0.1:\(server.port)",
                    environment: ["ORCHESTRATOR_CLIENT_KEY": "/k.pem"]).stderr
            == ["orchestrator-client: ORCHESTRATOR_CLIENT_KEY is set but ORCHESTRATOR_CLIENT_CERT is not; set both to present a client certificate"])
        // Schemes other than http and https are refused.
        #expect(run(["-c", "raft-health"], api: "ftp://127.0.0.1:\(server.port)").stderr
            == ["orchestrator-client: unsupported scheme 'ftp' in ORCHESTRATOR_API endpoint ftp://127.0.0.1:\(server.port); use http://host:port or https://host:port"])
        #expect(server.requests.isEmpty)
    }
}

final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLockLike()
    func next() -> Int {
        lock.withLock {
            defer { value += 1 }
            return value
        }
    }
}
