import Testing
@testable import OrchestratorServer

@Suite("Where the leader asks a peer that never announced its API")
struct PeerAddressTests {
    @Test func raftHostOnThisNodesAPIPort() {
        #expect(RecoveryService.derivedHTTPAddress(of: "10.0.0.2:10008", like: "http://10.0.0.1:3000") == "http://10.0.0.2:3000")
        #expect(RecoveryService.derivedHTTPAddress(of: "db-orc-3", like: "https://db-orc-1:3443") == "https://db-orc-3:3443")
        #expect(RecoveryService.derivedHTTPAddress(of: "[::1]:10008", like: "http://[::2]:3000") == "http://[::1]:3000")
        #expect(RecoveryService.derivedHTTPAddress(of: "10.0.0.2:10008", like: "http://10.0.0.1:3000/api") == nil)
    }
}
