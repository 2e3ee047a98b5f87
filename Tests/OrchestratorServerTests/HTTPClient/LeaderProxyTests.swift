import Testing
@testable import OrchestratorServer

/// Forwarding over the real client: only the relayed headers go along, the query is encoded, the
/// leader's challenge comes back.
@Suite("Leader proxy")
struct LeaderProxyTests {
    @Test("relays chosen headers and the encoded query; other headers stay behind")
    func relays() async throws {
        let server = try await TestHTTPServer.start()
        let client = try HTTPClient()
        let proxy = LeaderProxy(client: client)
        let request = APIRequest(path: "/api/discover/db1/3306", query: ["b": "x&y=z+1", "a": "é"],
                                 headers: ["Authorization": "Basic abc", "Cookie": "secret", OrchestratorAPI.proxiedHeader: "n2"])
        let answer = try await proxy.forward("http://127.0.0.1:\(server.port)", request, timeoutSeconds: 10)
        let lines = answer.bodyText.split(separator: "\n").map(String.init)
        #expect(lines.first == "GET /api/discover/db1/3306?a=%C3%A9&b=x%26y%3Dz%2B1")
        #expect(lines.contains("authorization: Basic abc"))
        #expect(lines.contains("x-orchd-proxied-by: n2"))
        #expect(!lines.contains { $0.hasPrefix("cookie") })
        #expect(answer.contentType == "text/plain")
        await client.shutDown()
        try await server.stop()
    }

    @Test("relays the leader's WWW-Authenticate challenge")
    func challenge() async throws {
        let server = try await TestHTTPServer.start()
        let client = try HTTPClient()
        let answer = try await LeaderProxy(client: client).forward("http://127.0.0.1:\(server.port)",
                                                                   APIRequest(path: "/challenge"), timeoutSeconds: 10)
        #expect(answer.status == 401)
        #expect(answer.headers["WWW-Authenticate"] == "Basic realm=\"orchd-test\"")
        await client.shutDown()
        try await server.stop()
    }
}
