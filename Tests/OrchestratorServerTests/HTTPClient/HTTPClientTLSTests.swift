import Foundation
import NIOSSL
import Testing
@testable import OrchestratorServer

/// `https://` peers: verification against a CA made by openssl here, refusal of a certificate that does
/// not verify, and a client certificate when the peer asks for one.
@Suite("HTTP client TLS")
struct HTTPClientTLSTests {
    static func serverContext(_ certificates: TestCertificates, requireClientCertificate: Bool = false) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.serverCertificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.serverKey, format: .pem)))
        if requireClientCertificate {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificates.caFile))
            configuration.certificateVerification = .noHostnameVerification
        }
        return try NIOSSLContext(configuration: configuration)
    }

    @Test("one-way TLS: the server's certificate verifies against the configured CA, by IP and by name")
    func oneWay() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try await TestHTTPServer.start(tls: try Self.serverContext(certificates))
        let client = try HTTPClient(configuration: .init(tls: HTTPClientTLS(caFile: certificates.caFile)))
        for host in ["127.0.0.1", "localhost"] {
            let response = try await client.execute(.init(target: "/api/status"),
                                                    to: try HTTPAddress(parsing: "https://\(host):\(server.port)"), timeout: .seconds(10))
            #expect(response.status == 200)
            #expect(response.bodyText.hasPrefix("GET /api/status\n"))
            #expect(response.bodyText.contains("client-certificate: none"))
        }
        await client.shutDown()
        try await server.stop()
    }

    @Test("a certificate from another CA is refused with a readable error, never sent in the clear")
    func wrongCA() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try await TestHTTPServer.start(tls: try Self.serverContext(certificates))
        let address = try HTTPAddress(parsing: "https://127.0.0.1:\(server.port)")
        for tls in [HTTPClientTLS(caFile: certificates.otherCAFile), HTTPClientTLS()] {
            let client = try HTTPClient(configuration: .init(tls: tls))
            do {
                let response = try await client.execute(.init(target: "/api/status"), to: address, timeout: .seconds(10))
                Issue.record("a certificate that does not verify was accepted: \(response.status)")
            } catch let error as HTTPClientError {
                let text = "\(error)"
                #expect(error.code == .tlsFailure, "\(text)")
                #expect(text.contains("https://127.0.0.1:\(server.port)"), "\(text)")
                #expect(text.contains("does not verify against"), "\(text)")
                #expect(text.contains(tls.caFile ?? "system's trust roots"), "\(text)")
            }
            await client.shutDown()
        }
        try await server.stop()
    }

    @Test("an address the certificate is not for is refused")
    func wrongHost() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        // The certificate names 127.0.0.1 and localhost; the server answers on 127.0.0.2.
        let server = try await TestHTTPServer.start(tls: try Self.serverContext(certificates), host: "127.0.0.2")
        let client = try HTTPClient(configuration: .init(tls: HTTPClientTLS(caFile: certificates.caFile)))
        let address = try HTTPAddress(parsing: "https://127.0.0.2:\(server.port)")
        do {
            _ = try await client.execute(.init(target: "/api/status"), to: address, timeout: .seconds(10))
            Issue.record("a certificate for 127.0.0.1/localhost was accepted for 127.0.0.2")
        } catch let error as HTTPClientError {
            #expect(error.code == .tlsFailure, "\(error)")
            #expect("\(error)".contains("https://127.0.0.2:\(server.port)"), "\(error)")
            #expect("\(error)".contains("not issued for \"127.0.0.2\""), "\(error)")
        }
        await client.shutDown()
        try await server.stop()
    }

    @Test("a client certificate is presented when configured, and needed when the server asks")
    func clientCertificate() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try await TestHTTPServer.start(tls: try Self.serverContext(certificates, requireClientCertificate: true))
        let address = try HTTPAddress(parsing: "https://127.0.0.1:\(server.port)")

        let withCertificate = try HTTPClient(configuration: .init(tls: HTTPClientTLS(
            caFile: certificates.caFile, certificateFile: certificates.clientCertificate, privateKeyFile: certificates.clientKey)))
        let response = try await withCertificate.execute(.init(target: "/api/status"), to: address, timeout: .seconds(10))
        #expect(response.status == 200)
        #expect(response.bodyText.contains("common_name=orchd-test-client"), "\(response.bodyText)")
        await withCertificate.shutDown()

        let without = try HTTPClient(configuration: .init(tls: HTTPClientTLS(caFile: certificates.caFile)))
        do {
            _ = try await without.execute(.init(target: "/api/status"), to: address, timeout: .seconds(10))
            Issue.record("the server answered a client without a certificate")
        } catch let error as HTTPClientError {
            #expect(error.code == .tlsFailure || error.code == .connectionClosed, "\(error)")
            #expect("\(error)".contains("SSLCertFile"), "the message points at the setting: \(error)")
        }
        await without.shutDown()
        try await server.stop()
    }

    @Test("TLS files that cannot be read are an error naming the file and its setting")
    func unreadableFiles() throws {
        #expect {
            _ = try HTTPClient(configuration: .init(tls: HTTPClientTLS(caFile: "/nonexistent/ca.pem")))
        } throws: { error in
            "\(error)".contains("/nonexistent/ca.pem") && "\(error)".contains("SSLCAFile")
        }
        #expect {
            _ = try HTTPClient(configuration: .init(tls: HTTPClientTLS(certificateFile: "/tmp/x.pem")))
        } throws: { error in
            "\(error)".contains("SSLPrivateKeyFile")
        }
    }
}
