import Foundation
import OrchestratorCore
@testable import OrchestratorServer
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The API over HTTPS (UseSSL), with client certificates (UseMutualTLS) and organizational units
/// (SSLValidOUs): a real Hummingbird server with TLS, called with orchd's own HTTP client.
@Suite("HTTP API over TLS", .serialized)
struct HTTPServerTLSTests {
    /// A port the kernel just handed out (bound and released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw CertificateError(message: "cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs an HTTPS API of a one-node group for `body`; stops everything after.
    func withServer(_ tls: HTTPTLSSettings, _ body: (Int) async throws -> Void) async throws {
        let orchd = try InProcessOrchd(size: 1)
        _ = try #require(await orchd.leader())
        let port = try Self.freePort()
        let server = try HTTPServer(api: orchd.api(orchd.ids[0]), listenAddress: "127.0.0.1:\(port)", tls: tls)
        let task = Task { try await server.run() }
        defer { task.cancel() }
        // Wait until it accepts connections.
        for _ in 0..<200 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(fd)
            if connected { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        try await body(port)
        task.cancel()
        _ = try? await task.value
        await orchd.stop()
    }

    func get(_ port: Int, _ tls: HTTPClientTLS, scheme: String = "https", path: String = "/api/lb-check") async throws -> HTTPClient.Response {
        let client = try HTTPClient(configuration: .init(tls: tls))
        defer { Task { await client.shutDown() } }
        return try await client.execute(.init(target: path),
                                        to: try HTTPAddress(parsing: "\(scheme)://127.0.0.1:\(port)"), timeout: .seconds(10))
    }

    @Test func httpsWithTheConfiguredCertificate() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let tls = HTTPTLSSettings(certificateFile: certificates.serverCertificate, privateKeyFile: certificates.serverKey)
        try await withServer(tls) { port in
            let answer = try await get(port, HTTPClientTLS(caFile: certificates.caFile))
            #expect(answer.status == 200)
            // Plain HTTP to the HTTPS port gets no API answer.
            await #expect(throws: (any Error).self) { _ = try await get(port, HTTPClientTLS(), scheme: "http") }
            // A client that trusts another CA refuses the server.
            await #expect(throws: HTTPClientError.self) { _ = try await get(port, HTTPClientTLS(caFile: certificates.otherCAFile)) }
        }
    }

    @Test func mutualTLSRequiresAClientCertificateFromTheCA() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let tls = HTTPTLSSettings(certificateFile: certificates.serverCertificate, privateKeyFile: certificates.serverKey,
                                  caFile: certificates.caFile, requireClientCertificate: true)
        try await withServer(tls) { port in
            await #expect(throws: HTTPClientError.self) { _ = try await get(port, HTTPClientTLS(caFile: certificates.caFile)) }
            let answer = try await get(port, HTTPClientTLS(caFile: certificates.caFile, certificateFile: certificates.clientCertificate,
                                                            privateKeyFile: certificates.clientKey))
            #expect(answer.status == 200)
        }
    }

    @Test func validOUsAdmitOnlyThoseUnits() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let tls = HTTPTLSSettings(certificateFile: certificates.serverCertificate, privateKeyFile: certificates.serverKey,
                                  caFile: certificates.caFile, requireClientCertificate: true, validOUs: ["dba"])
        try await withServer(tls) { port in
            let dba = try await get(port, HTTPClientTLS(caFile: certificates.caFile, certificateFile: certificates.dbaClientCertificate,
                                                         privateKeyFile: certificates.dbaClientKey))
            #expect(dba.status == 200)
            let other = try await get(port, HTTPClientTLS(caFile: certificates.caFile, certificateFile: certificates.clientCertificate,
                                                           privateKeyFile: certificates.clientKey))
            #expect(other.status == 403)
            #expect(other.bodyText.contains("organizational units (none) are not among SSLValidOUs"))
            // StatusOUVerify off (upstream's default): the status endpoint takes any certificate from the CA.
            let status = try await get(port, HTTPClientTLS(caFile: certificates.caFile, certificateFile: certificates.clientCertificate,
                                                            privateKeyFile: certificates.clientKey), path: "/api/status")
            #expect(status.status == 200, "\(status.bodyText)")
        }
        // StatusOUVerify on: the status endpoint is held to SSLValidOUs too.
        var strict = tls
        strict.statusOUVerify = true
        try await withServer(strict) { port in
            let status = try await get(port, HTTPClientTLS(caFile: certificates.caFile, certificateFile: certificates.clientCertificate,
                                                            privateKeyFile: certificates.clientKey), path: "/api/status")
            #expect(status.status == 403)
            let dba = try await get(port, HTTPClientTLS(caFile: certificates.caFile, certificateFile: certificates.dbaClientCertificate,
                                                         privateKeyFile: certificates.dbaClientKey), path: "/api/status")
            #expect(dba.status == 200)
        }
    }

    @Test func subjectOrganizationalUnitsAreReadFromTheCertificate() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        func units(_ file: String) throws -> [String]? {
            let pem = try String(contentsOfFile: file, encoding: .utf8)
            let base64 = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            let der = try #require(Data(base64Encoded: base64))
            return X509Subject.organizationalUnits(certificateDER: Array(der))
        }
        #expect(try units(certificates.dbaClientCertificate) == ["dba", "ops"])
        #expect(try units(certificates.clientCertificate) == [])
        #expect(X509Subject.organizationalUnits(certificateDER: [0x30, 0x03, 0x02, 0x01]) == nil, "truncated DER is refused")
    }

    @Test func configurationKeysHangTogether() {
        func refusal(_ json: String) -> String? {
            do { _ = try OrchestratorConfiguration.load(json: Array(json.utf8), path: "c.json") } catch { return error.key }
            return nil
        }
        #expect(refusal(#"{"UseSSL": true}"#) == "SSLCertFile")
        #expect(refusal(#"{"UseSSL": true, "SSLCertFile": "c.pem"}"#) == "SSLPrivateKeyFile")
        #expect(refusal(#"{"UseMutualTLS": true}"#) == "UseMutualTLS")
        #expect(refusal(#"{"UseSSL": true, "SSLCertFile": "c", "SSLPrivateKeyFile": "k", "UseMutualTLS": true}"#) == "SSLCAFile")
        #expect(refusal(#"{"UseSSL": true, "SSLCertFile": "c", "SSLPrivateKeyFile": "k", "SSLValidOUs": ["dba"]}"#) == "SSLValidOUs")
        #expect(refusal(#"{"UseSSL": true, "SSLCertFile": "c", "SSLPrivateKeyFile": "k"}"#) == nil)
    }
}
