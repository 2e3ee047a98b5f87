import Foundation
import Testing
import OrchestratorCore
@testable import OrchestratorServer

/// orchd's etcd writer against a real etcd with authentication enabled (EtcdUsername/EtcdPassword, a
/// token from /v3/auth/authenticate, renewed when etcd refuses it) and against one serving TLS with
/// client certificates (EtcdCAFile, EtcdCertFile/EtcdKeyFile).
@Suite("etcd authentication and TLS", .serialized, .disabled(if: EtcdProcess.skipped, "etcd not installed or ORCHD_SKIP_INTEGRATION=1"))
struct EtcdAuthTLSTests {
    static let pairs = ClusterMasterKV.pairs(prefix: "mysql/master/", clusterAlias: "shop",
                                             master: InstanceKey(hostname: "127.0.0.1", port: 3306))

    @Test func authenticatesRenewsAnExpiredTokenAndNeverShowsThePassword() async throws {
        // Simple tokens live 6 s here (long enough for two writes on a loaded machine), so a write after 9 s
        // must authenticate again.
        let etcd = try EtcdProcess(name: "auth", extraArguments: ["--auth-token-ttl", "6"])
        defer { etcd.stop() }
        try etcd.start()
        let password = "s3cret-orchd-pw"
        try etcd.enableAuth(rootPassword: "root-pw", user: "orchd", password: password, prefix: "mysql/master/")
        let client = try HTTPClient()
        defer { Task { await client.shutDown() } }
        let endpoint = try HTTPAddress(parsing: etcd.endpoint)

        let anonymous = EtcdKVStore(endpoints: [endpoint], client: client, timeout: .seconds(20))
        let refused = await #expect(throws: MasterKVStoreError.self) { try await anonymous.put(Self.pairs) }
        #expect("\(refused.map { "\($0)" } ?? "")".contains("set EtcdUsername and EtcdPassword"), "\(refused.map { "\($0)" } ?? "")")

        let wrong = EtcdKVStore(endpoints: [endpoint], client: client, timeout: .seconds(20),
                                credentials: EtcdCredentials(username: "orchd", password: "not-the-password"))
        let denied = await #expect(throws: MasterKVStoreError.self) { try await wrong.put(Self.pairs) }
        let deniedText = denied.map { "\($0)" } ?? ""
        #expect(deniedText.contains("cannot authenticate as etcd user orchd"), "\(deniedText)")
        #expect(!deniedText.contains("not-the-password"), "the password never appears in an error")

        let store = EtcdKVStore(endpoints: [endpoint], client: client, timeout: .seconds(20),
                                credentials: EtcdCredentials(username: "orchd", password: password))
        #expect(!"\(store)".contains(password) && !store.name.contains(password))
        try await store.put(Self.pairs)
        let first = store.tokensObtained
        #expect(first >= 1)
        try await store.put(Self.pairs)
        #expect(try etcd.get("mysql/master/shop") == "127.0.0.1:3306")
        #expect(store.tokensObtained == first, "a live token is reused")

        // The cached token expires; the next write is refused once, authenticates again and succeeds.
        try await Task.sleep(for: .seconds(9))
        let moved = ClusterMasterKV.pairs(prefix: "mysql/master/", clusterAlias: "shop",
                                          master: InstanceKey(hostname: "127.0.0.1", port: 3307))
        try await store.put(moved)
        #expect(try etcd.get("mysql/master/shop") == "127.0.0.1:3307")
        #expect(store.tokensObtained > first, "the expired token was refused and replaced")

        // Outside the user's prefix etcd says permission denied, and the error says what to grant.
        let outside = await #expect(throws: MasterKVStoreError.self) {
            try await store.put([KVPair("elsewhere/shop", "x")])
        }
        #expect("\(outside.map { "\($0)" } ?? "")".contains("permission denied"), "\(outside.map { "\($0)" } ?? "")")
    }

    @Test func talksTLSWithAClientCertificateAndRefusesAnUnknownCA() async throws {
        let base = ProcessInfo.processInfo.environment["ORCHD_TEST_DIR"] ?? NSTemporaryDirectory()
        let certificates = try GroupCertificates.make(in: (base as NSString).appendingPathComponent("etcd-tls-\(UUID().uuidString.prefix(8))"))
        let etcd = try EtcdProcess(name: "tls", certificates: certificates)
        defer { etcd.stop() }
        try etcd.start()
        let endpoint = try HTTPAddress(parsing: etcd.endpoint)
        #expect(endpoint.scheme == .https)

        let client = try HTTPClient(configuration: .init(tls: HTTPClientTLS(
            caFile: certificates.caFile, certificateFile: certificates.clientCertificate,
            privateKeyFile: certificates.clientKey)))
        defer { Task { await client.shutDown() } }
        try await EtcdKVStore(endpoints: [endpoint], client: client, timeout: .seconds(20)).put(Self.pairs)
        #expect(try etcd.get("mysql/master/shop") == "127.0.0.1:3306")

        // Without a client certificate etcd (--client-cert-auth) refuses the handshake.
        let noCertificate = try HTTPClient(configuration: .init(tls: HTTPClientTLS(caFile: certificates.caFile)))
        defer { Task { await noCertificate.shutDown() } }
        await #expect(throws: MasterKVStoreError.self) {
            try await EtcdKVStore(endpoints: [endpoint], client: noCertificate, timeout: .seconds(5)).put(Self.pairs)
        }
        // Trusting another CA, orchd refuses etcd's certificate; the error names the etcd key to set.
        let otherCA = try HTTPClient(configuration: .init(tls: HTTPClientTLS(
            caFile: certificates.otherCAFile, certificateFile: certificates.clientCertificate,
            privateKeyFile: certificates.clientKey,
            keyNames: .init(caFile: "EtcdCAFile", certificateFile: "EtcdCertFile", privateKeyFile: "EtcdKeyFile"))))
        defer { Task { await otherCA.shutDown() } }
        let untrusted = await #expect(throws: MasterKVStoreError.self) {
            try await EtcdKVStore(endpoints: [endpoint], client: otherCA, timeout: .seconds(5)).put(Self.pairs)
        }
        #expect("\(untrusted.map { "\($0)" } ?? "")".contains("EtcdCAFile"), "\(untrusted.map { "\($0)" } ?? "")")
    }
}
