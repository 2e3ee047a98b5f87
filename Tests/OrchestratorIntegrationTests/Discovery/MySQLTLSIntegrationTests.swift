import Foundation
import OrchestratorCore
import OrchestratorServer
import OrchestratorTestKit
import Testing

/// TLS to MySQL (`MySQLTopologyUseMutualTLS`, `MySQLTopologyUseMixedTLS`, `MySQLTopologySSL*`) against a
/// sandbox whose servers require TLS (`Scripts/sandbox --tls`).
@Suite(.serialized, .enabled(if: !MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct MySQLTLSIntegrationTests {
    static func config(_ tls: MySQLTLSSettings) -> MySQLClientConfig {
        MySQLClientConfig(user: MariaDBSandbox.topologyUser, password: MariaDBSandbox.topologyPassword, tls: tls)
    }

    static func required(_ sandbox: MariaDBSandbox, clientCertificate: Bool = false) -> MySQLTLSSettings {
        let dir = sandbox.tlsDirectory
        return MySQLTLSSettings(mode: .required, caFile: dir + "/ca.pem",
                                certificateFile: clientCertificate ? dir + "/client-cert.pem" : "",
                                privateKeyFile: clientCertificate ? dir + "/client-key.pem" : "")
    }

    /// The cipher the server reports for this session (`Ssl_cipher`), empty for a plain one.
    static func sessionCipher(_ connection: MySQLConnection) async throws -> String {
        try await connection.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'").first?["Value"] ?? ""
    }

    static func connectError(_ endpoint: MySQLEndpoint, _ config: MySQLClientConfig) async -> MySQLError? {
        do {
            let connection = try await MySQLConnection.connect(to: endpoint, config: config)
            await connection.close()
            return nil
        } catch {
            return error as? MySQLError
        }
    }

    @Test("discovery over TLS finds the whole tree, and the server says orchd's sessions are encrypted")
    func discoveryOverTLS() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "tree", tls: true)
        defer { sandbox.down() }
        var settings = DiscoveryHarness.settings()
        settings.mysql.tls = Self.required(sandbox, clientCertificate: true)
        let harness = try DiscoveryHarness(settings: settings)
        defer { Task { await harness.shutdown() } }

        let deepest = try await harness.discovery.discover(sandbox.key(4))
        #expect(deepest.masterKey == sandbox.key(3))
        let instances = await harness.discovery.instances()
        #expect(instances.map(\.key) == (1...4).map { sandbox.key($0) })
        #expect(instances.allSatisfy { $0.isLastCheckValid })
        #expect(instances.first { $0.key == sandbox.key(1) }?.replicas == [sandbox.key(2), sandbox.key(3)])

        // The probes' own pooled connection is encrypted, as the server sees it.
        for n in 1...4 {
            let endpoint = MySQLEndpoint(host: "127.0.0.1", port: sandbox.port(n))
            let cipher = try await harness.pool.withConnection(to: endpoint) { connection in
                #expect(connection.tlsCipher?.isEmpty == false)
                return try await Self.sessionCipher(connection)
            }
            #expect(!cipher.isEmpty, "Ssl_cipher on instance \(n)")
        }
        // The servers really refuse plain TCP (so replication, which runs, runs over TLS too).
        let required = try await sandbox.sql(1, "SELECT @@require_secure_transport")
        #expect(required.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }

    @Test("mixed TLS (upstream's default): plain is refused by a TLS-only server, orchd retries over TLS")
    func mixedRetriesOverTLS() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:1", tls: true)
        defer { sandbox.down() }
        let endpoint = MySQLEndpoint(host: "127.0.0.1", port: sandbox.port(1))
        var mixed = Self.required(sandbox)
        mixed.mode = .mixed
        let connection = try await MySQLConnection.connect(to: endpoint, config: Self.config(mixed))
        let cipher = try await Self.sessionCipher(connection)
        #expect(!cipher.isEmpty)
        await connection.close()

        // With both keys false orchd connects plain only, and the server refuses it: never a silent downgrade
        // the other way either.
        let plain = await Self.connectError(endpoint, Self.config(.disabled))
        #expect(plain?.code == 1045)
    }

    @Test("TLS required: no CA, a wrong CA, or a server without TLS are TLS errors, never a plain connection")
    func tlsFailuresAreNamed() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:1", tls: true)
        defer { sandbox.down() }
        let endpoint = MySQLEndpoint(host: "127.0.0.1", port: sandbox.port(1))

        // No CA: the sandbox's CA is not among the system's trust roots.
        var noCA = Self.required(sandbox)
        noCA.caFile = ""
        let untrusted = try #require(await Self.connectError(endpoint, Self.config(noCA)))
        #expect(untrusted.code == 2026, "\(untrusted)")
        #expect(untrusted.message.contains("TLS connection failed"), "\(untrusted)")
        #expect(untrusted.message.contains("system's trust roots"), "\(untrusted)")

        // Another CA than the one that signed the server's certificate.
        let otherCA = try Self.makeOtherCA()
        defer { try? FileManager.default.removeItem(atPath: (otherCA as NSString).deletingLastPathComponent) }
        var wrongCA = Self.required(sandbox)
        wrongCA.caFile = otherCA
        let wrong = try #require(await Self.connectError(endpoint, Self.config(wrongCA)))
        #expect(wrong.code == 2026, "\(wrong)")
        #expect(wrong.message.contains("TLS connection failed") && wrong.message.contains(otherCA), "\(wrong)")

        // Without verification the same wrong CA connects: encrypted, unauthenticated (MySQLTopologySSLSkipVerify).
        wrongCA.skipVerify = true
        let unverified = try await MySQLConnection.connect(to: endpoint, config: Self.config(wrongCA))
        let unverifiedCipher = try await Self.sessionCipher(unverified)
        #expect(!unverifiedCipher.isEmpty)
        await unverified.close()

        // A server without TLS at all.
        let plainSandbox = try await MariaDBSandbox.up(topology: "star:1")
        defer { plainSandbox.down() }
        let plainEndpoint = MySQLEndpoint(host: "127.0.0.1", port: plainSandbox.port(1))
        let noTLS = try #require(await Self.connectError(plainEndpoint, Self.config(Self.required(sandbox))))
        #expect(noTLS.code == 2026, "\(noTLS)")
        #expect(noTLS.message.contains("TLS connection failed"), "\(noTLS)")
        // Mixed mode against that server stays plain (it accepts plain connections).
        var mixed = Self.required(sandbox)
        mixed.mode = .mixed
        let mixedPlain = try await MySQLConnection.connect(to: plainEndpoint, config: Self.config(mixed))
        #expect(mixedPlain.tlsCipher == nil)
        await mixedPlain.close()

        // Discovery records the TLS error as the instance's last error.
        var settings = DiscoveryHarness.settings()
        settings.mysql.tls = noCA
        let harness = try DiscoveryHarness(settings: settings)
        defer { Task { await harness.shutdown() } }
        await #expect(throws: DiscoveryError.self) { try await harness.discovery.discover(sandbox.key(1)) }
        let record = try #require(try await harness.store.record(sandbox.key(1)))
        #expect(record.instance.lastError.contains("TLS connection failed"), "\(record.instance.lastError)")
    }

    /// A throwaway CA that signed nothing the sandbox uses.
    static func makeOtherCA() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("orchd-other-ca-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-days", "2", "-subj", "/CN=some other CA", "-keyout", dir + "/key.pem", "-out", dir + "/ca.pem"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        struct OpenSSLFailed: Error {}
        guard process.terminationStatus == 0 else { throw OpenSSLFailed() }
        return dir + "/ca.pem"
    }
}
