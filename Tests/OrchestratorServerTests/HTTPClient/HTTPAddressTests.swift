import Testing
@testable import OrchestratorServer

@Suite("HTTP address")
struct HTTPAddressTests {
    @Test("parses scheme, host, port and path; default ports per scheme")
    func parses() throws {
        #expect(try HTTPAddress(parsing: "http://orc1:3000") == HTTPAddress(scheme: .http, host: "orc1", port: 3000))
        #expect(try HTTPAddress(parsing: "HTTPS://orc1") == HTTPAddress(scheme: .https, host: "orc1", port: 443))
        #expect(try HTTPAddress(parsing: "http://orc1/api") == HTTPAddress(scheme: .http, host: "orc1", port: 80, path: "/api"))
        let v6 = try HTTPAddress(parsing: "https://[::1]:3443/")
        #expect(v6.host == "::1" && v6.port == 3443 && v6.description == "https://[::1]:3443")
    }

    @Test("refuses what is not an API address, saying why", arguments: [
        ("orc1:3000", "no scheme"), ("ftp://orc1", "unsupported scheme"), ("http://user:pw@orc1:3000", "credentials"),
        ("http://orc1:0", "invalid port"), ("http://orc1:x", "invalid port"), ("http://:3000", "no valid host"),
        ("http://[::1:3000", "unclosed"),
    ])
    func refuses(text: String, reason: String) {
        #expect {
            _ = try HTTPAddress(parsing: text)
        } throws: { error in
            (error as? HTTPClientError)?.code == .invalidAddress && "\(error)".contains(reason)
        }
    }
}
