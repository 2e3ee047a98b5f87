import Foundation
import Testing
@testable import OrchestratorServer

/// The peer HTTP client against a real NIO server on 127.0.0.1.
@Suite("HTTP client")
struct HTTPClientTests {
    func address(_ server: TestHTTPServer, scheme: String = "http", host: String = "127.0.0.1") throws -> HTTPAddress {
        try HTTPAddress(parsing: "\(scheme)://\(host):\(server.port)")
    }

    @Test("GET sends the target and headers and returns status, headers and body")
    func getWithHeaders() async throws {
        let server = try await TestHTTPServer.start()
        let client = try HTTPClient()
        let response = try await client.execute(
            HTTPClient.Request(target: "/api/status?x=1", headers: [("Authorization", "Basic dXNlcjpwdw==")]),
            to: try address(server), timeout: .seconds(10))
        #expect(response.status == 200)
        #expect(response.header("x-test") == "yes")
        let lines = response.bodyText.split(separator: "\n").map(String.init)
        #expect(lines.first == "GET /api/status?x=1")
        #expect(lines.contains("authorization: Basic dXNlcjpwdw=="))
        #expect(lines.contains("host: 127.0.0.1:\(server.port)"))
        await client.shutDown()
        try await server.stop()
    }

    @Test("requests reuse a kept-alive connection; Connection: close is honoured")
    func keepAliveReuse() async throws {
        let server = try await TestHTTPServer.start()
        let client = try HTTPClient()
        let target = try address(server)
        for _ in 0..<5 {
            #expect(try await client.execute(.init(target: "/api/x"), to: target, timeout: .seconds(10)).status == 200)
        }
        #expect(server.accepted.value == 1, "five sequential requests, one connection")
        #expect(try await client.execute(.init(target: "/close"), to: target, timeout: .seconds(10)).status == 200)
        #expect(await client.pool.idleCount(target) == 0, "a connection the server closes is not kept")
        #expect(try await client.execute(.init(target: "/api/x"), to: target, timeout: .seconds(10)).status == 200)
        #expect(server.accepted.value == 2)
        await client.shutDown()
        try await server.stop()
    }

    @Test("a GET on a kept-alive connection the server drops unanswered is sent again on a fresh one")
    func staleConnectionRetry() async throws {
        let server = try await TestHTTPServer.start()
        let client = try HTTPClient()
        let target = try address(server)
        #expect(try await client.execute(.init(target: "/drop-reused"), to: target, timeout: .seconds(10)).status == 200)
        #expect(try await client.execute(.init(target: "/drop-reused"), to: target, timeout: .seconds(10)).status == 200)
        #expect(server.accepted.value == 2, "the second request went out twice: reused, then fresh")
        // Not repeated when it is not idempotent.
        await #expect(throws: HTTPClientError.self) {
            _ = try await client.execute(.init(method: "POST", target: "/drop-reused"), to: target, timeout: .seconds(10))
        }
        await client.shutDown()
        try await server.stop()
    }

    @Test("parallel requests leave at most maxIdleConnectionsPerHost connections idle")
    func poolIsBounded() async throws {
        let server = try await TestHTTPServer.start()
        let client = try HTTPClient(configuration: .init(maxIdleConnectionsPerHost: 2))
        let target = try address(server)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { try await client.execute(.init(target: "/api/x"), to: target, timeout: .seconds(10)).status }
            }
            for try await status in group { #expect(status == 200) }
        }
        #expect(await client.pool.idleCount(target) <= 2)
        #expect(await client.pool.idleCount(target) >= 1)
        await client.shutDown()
        try await server.stop()
    }

    @Test("a server that never answers: the request times out, naming the address")
    func timeout() async throws {
        let server = try await TestHTTPServer.start(.silent)
        let client = try HTTPClient()
        let target = try address(server)
        do {
            _ = try await client.execute(.init(target: "/api/x"), to: target, timeout: .milliseconds(300))
            Issue.record("a silent server answered")
        } catch let error as HTTPClientError {
            #expect(error.code == .timeout)
            #expect("\(error)".contains("http://127.0.0.1:\(server.port)"), "\(error)")
        }
        #expect(server.accepted.value == 1)
        await client.shutDown()
        try await server.stop()
    }

    @Test("nothing listening: connection refused, naming the address")
    func connectionRefused() async throws {
        let server = try await TestHTTPServer.start()
        let target = try address(server)
        try await server.stop()
        let client = try HTTPClient()
        do {
            _ = try await client.execute(.init(target: "/api/x"), to: target, timeout: .seconds(5))
            Issue.record("a closed port answered")
        } catch let error as HTTPClientError {
            #expect(error.code == .connectRefused)
            #expect("\(error)".contains("connection refused by http://127.0.0.1:\(target.port)"), "\(error)")
        }
        await client.shutDown()
    }

    @Test("after shutDown the client refuses requests")
    func shutDown() async throws {
        let server = try await TestHTTPServer.start()
        let client = try HTTPClient()
        let target = try address(server)
        #expect(try await client.execute(.init(target: "/api/x"), to: target, timeout: .seconds(10)).status == 200)
        await client.shutDown()
        await #expect(throws: HTTPClientError.self) {
            _ = try await client.execute(.init(target: "/api/x"), to: target, timeout: .seconds(10))
        }
        try await server.stop()
    }
}
