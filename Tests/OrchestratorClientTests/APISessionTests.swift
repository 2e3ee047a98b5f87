import Testing
@testable import OrchestratorClient

/// A transport answering from a script of (endpoint port, path) -> outcomes, consumed in order.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    enum Outcome { case status(Int, String), down }
    private let lock = NSLockLike()
    private var script: [String: [Outcome]]
    private(set) var log: [String] = []

    init(_ script: [String: [Outcome]]) { self.script = script }

    func get(_ endpoint: HTTPEndpoint, path: String, headers: [(String, String)], timeouts: HTTPTimeouts)
        throws(HTTPError) -> HTTPResponse
    {
        let id = "\(endpoint.port)\(path)"
        let outcome: Outcome = lock.withLock {
            log.append(id)
            guard var queue = script[id], !queue.isEmpty else { return .down }
            let next = queue.removeFirst()
            script[id] = queue.isEmpty ? [next] : queue  // the last outcome repeats
            return next
        }
        switch outcome {
        case let .status(status, body): return HTTPResponse(status: status, body: Array(body.utf8))
        case .down: throw HTTPError.connectFailed("127.0.0.1:\(endpoint.port)", "Connection refused")
        }
    }
}

@Suite struct APISessionTests {
    @Test func aLeaderThatDiesMidCallIsReplacedByTheNewOne() {
        let transport = ScriptedTransport([
            "1/api/leader-check": [.status(200, #""OK""#), .down],
            "1/api/clusters-info": [.down],
            "2/api/leader-check": [.status(200, #""OK""#)],
            "2/api/clusters-info": [.status(200, Fixtures.clustersInfo)],
        ])
        let sleeps = SleepRecorder()
        let client = Client(transport: transport, sleep: sleeps.function)
        let result = client.run(arguments: ["-c", "clusters"], environment: ["ORCHESTRATOR_API": "http://h:1 http://h:2"])
        #expect(result == ClientResult(stdout: ["db-a:3306", "db-x:3307"]))
        #expect(sleeps.sleeps == [0.1])
        #expect(transport.log == [
            "1/api/leader-check", "1/api/clusters-info",
            "1/api/leader-check", "2/api/leader-check", "2/api/clusters-info",
        ])
    }

    @Test func electionInProgressIsWaitedOut() {
        let transport = ScriptedTransport([
            "1/api/leader-check": [.status(404, #""Not leader""#)],
            "1/api/routed-leader-check": [.status(404, #""Not leader""#)],
            "2/api/leader-check": [.status(404, #""Not leader""#), .status(404, #""Not leader""#), .status(200, #""OK""#)],
            "2/api/routed-leader-check": [.status(404, #""Not leader""#)],
            "2/api/raft-leader": [.status(200, #""127.0.0.2:10008""#)],
            "2/api/raft-state": [.status(200, #""Leader""#)],
        ])
        let sleeps = SleepRecorder()
        let client = Client(transport: transport, sleep: sleeps.function)
        let result = client.run(arguments: ["-c", "raft-leader"], environment: ["ORCHESTRATOR_API": "http://h:1 http://h:2"])
        #expect(result == ClientResult(stdout: ["127.0.0.2:10008"]))
        #expect(sleeps.sleeps == [0.1, 0.2])
    }

    @Test func unauthorizedFailsAtOnceNamingTheFix() {
        let transport = ScriptedTransport(["1/api/clusters-info": [.status(401, "Unauthorized")]])
        let sleeps = SleepRecorder()
        let result = Client(transport: transport, sleep: sleeps.function)
            .run(arguments: ["-c", "clusters"], environment: ["ORCHESTRATOR_API": "http://h:1"])
        #expect(result.status == 1)
        #expect(result.stderr == ["orchestrator-client: Cannot access orchestrator at http://h:1/api: 401 Unauthorized; check ORCHESTRATOR_AUTH_USER/ORCHESTRATOR_AUTH_PASSWORD (or -b user:password)"])
        #expect(sleeps.sleeps.isEmpty)
    }

    @Test func headerAuthIsValidated() throws {
        var options = ClientOptions()
        options.headerAuth = "X-User: bob"
        options.basicAuth = "u:p"
        let headers = try Client.authHeaders(options: options)
        #expect(headers.map { "\($0.0): \($0.1)" } == ["Authorization: Basic dTpw", "X-User: bob"])
        options.headerAuth = "no colon here"
        #expect(throws: UsageError("-e expects 'Header-Name: value', got 'no colon here'")) {
            try Client.authHeaders(options: options)
        }
    }

    @Test func helpNeedsNoServer() {
        let transport = ScriptedTransport([:])
        let result = Client(transport: transport, sleep: { _ in }).run(arguments: ["-c", "help"], environment: [:])
        #expect(result.status == 0)
        #expect(result.stdout.count > 100)
        #expect(transport.log.isEmpty)
    }
}
