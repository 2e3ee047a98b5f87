import Foundation
import Testing
@testable import OrchestratorClient

/// TLS settings from the environment, and the transport's TLS against a real TLS server: `openssl
/// s_server -www` (answers any GET with a status page) with throwaway certificates made by openssl.
@Suite(.serialized) struct ClientTLSTests {
    @Test func settingsFromTheEnvironment() throws {
        #expect(TLSSettings.fromEnvironment([:]) == TLSSettings())
        let curl = TLSSettings.fromEnvironment(["CURL_CA_BUNDLE": "/c.pem", "SSL_CERT_FILE": "/s.pem"])
        #expect(curl.caFile == "/c.pem" && curl.caFileVariable == "CURL_CA_BUNDLE")
        let ours = TLSSettings.fromEnvironment(["ORCHESTRATOR_CA_FILE": "/o.pem", "CURL_CA_BUNDLE": "/c.pem",
                                                "ORCHESTRATOR_CLIENT_CERT": "/cert.pem", "ORCHESTRATOR_CLIENT_KEY": ""])
        #expect(ours == TLSSettings(caFile: "/o.pem", caFileVariable: "ORCHESTRATOR_CA_FILE", clientCertificate: "/cert.pem"))
        #expect(TLSSettings.fromEnvironment(["ORCHESTRATOR_CA_FILE": "", "SSL_CERT_FILE": "/s.pem"]).caFileVariable
                == "SSL_CERT_FILE")
        #expect(throws: UsageError.self) { try TLSSettings(clientKey: "/k.pem").validate() }
        try TLSSettings(clientCertificate: "/both.pem").validate()
        #expect(try ClientOptions.parse(arguments: [], environment: ["ORCHESTRATOR_CA_FILE": "/o.pem"]).tls.caFile == "/o.pem")
        #expect(TLSSettings().trustDescription(systemBundle: "/etc/ssl/certs/ca-certificates.crt")
                == "the system trust roots (/etc/ssl/certs/ca-certificates.crt)")
    }

    @Test func verifiesTheServerAndNamesWhatFails() throws {
        let certificates = try TLSTestCertificates.make()
        defer { certificates.remove() }
        let server = try OpenSSLServer(certificates: certificates)
        defer { server.stop() }
        let timeouts = HTTPTimeouts(connect: 5, response: 10)
        func get(_ url: String, _ settings: TLSSettings) throws(HTTPError) -> HTTPResponse {
            let transport = SocketHTTPTransport(tlsContext: try TLSContext(settings: settings))
            return try transport.get(try! HTTPEndpoint.parse(url), path: "/api/clusters", headers: [], timeouts: timeouts)
        }
        let trusted = TLSSettings(caFile: certificates.path("ca.pem"), caFileVariable: "ORCHESTRATOR_CA_FILE")

        // The certificate names localhost: verified, and the response read through TLS.
        let response = try get("https://localhost:\(server.port)", trusted)
        #expect(response.status == 200)
        #expect(response.bodyText.contains("s_server"), "\(response.bodyText.prefix(200))")
        // The race speaks TLS too.
        let transport = SocketHTTPTransport(tlsContext: try TLSContext(settings: trusted))
        let raced = transport.race([(try HTTPEndpoint.parse("https://localhost:\(server.port)"), "/api/leader-check")],
                                   headers: [], timeouts: timeouts) { $0.status == 200 }
        #expect(raced.winner?.index == 0, "\(raced.failures)")

        // By IP, which the certificate does not hold: a host mismatch, said so.
        #expect {
            try get("https://127.0.0.1:\(server.port)", trusted)
        } throws: { error in
            guard case let HTTPError.tls(_, reason) = error else { return false }
            return reason.contains("not valid for host 127.0.0.1 (host name mismatch)")
        }
        // Another CA: the CA file is named.
        let other = certificates.path("other-ca.pem")
        #expect {
            try get("https://localhost:\(server.port)", TLSSettings(caFile: other, caFileVariable: "ORCHESTRATOR_CA_FILE"))
        } throws: { error in
            "\(error)".contains("not signed by a CA in the CA file \(other) (ORCHESTRATOR_CA_FILE)")
        }
        // The system roots do not know a throwaway CA either.
        #expect {
            try get("https://localhost:\(server.port)", TLSSettings())
        } throws: { error in
            "\(error)".contains("not signed by a CA in the system trust roots")
        }
    }

    @Test func mutualTLSPresentsTheClientCertificate() throws {
        let certificates = try TLSTestCertificates.make()
        defer { certificates.remove() }
        let server = try OpenSSLServer(certificates: certificates, requireClientCertificate: true)
        defer { server.stop() }
        let timeouts = HTTPTimeouts(connect: 5, response: 10)
        let endpoint = try HTTPEndpoint.parse("https://localhost:\(server.port)")
        var settings = TLSSettings(caFile: certificates.path("ca.pem"))

        #expect {
            try SocketHTTPTransport(tlsContext: try TLSContext(settings: settings))
                .get(endpoint, path: "/", headers: [], timeouts: timeouts)
        } throws: { error in
            "\(error)".contains("set ORCHESTRATOR_CLIENT_CERT and ORCHESTRATOR_CLIENT_KEY")
        }
        settings.clientCertificate = certificates.path("client.pem")
        settings.clientKey = certificates.path("client.key")
        let response = try SocketHTTPTransport(tlsContext: try TLSContext(settings: settings))
            .get(endpoint, path: "/", headers: [], timeouts: timeouts)
        #expect(response.status == 200)

        // A key that does not belong to the certificate is named before connecting.
        settings.clientKey = certificates.path("server.key")
        #expect(throws: HTTPError.tlsSetup("the client key \(certificates.path("server.key")) does not match the certificate \(certificates.path("client.pem")) (ORCHESTRATOR_CLIENT_CERT, ORCHESTRATOR_CLIENT_KEY)")) {
            try TLSContext(settings: settings)
        }
    }
}

/// A CA, a server certificate for DNS:localhost only, a client certificate, and another CA (openssl).
struct TLSTestCertificates {
    let directory: String
    func path(_ name: String) -> String { directory + "/" + name }

    static func make() throws -> TLSTestCertificates {
        let directory = NSTemporaryDirectory() + "orchestrator-client-tls-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = """
            set -e
            key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
            ca() {
              key "$1.key"
              openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=$1" \
                -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
            }
            leaf() {
              key "$1.key"
              openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$1"
              printf '%s\\n' "basicConstraints=CA:FALSE" "extendedKeyUsage=$2" "subjectAltName=$3" > "$1.ext"
              openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 2 \
                -extfile "$1.ext" 2>/dev/null
            }
            ca ca
            ca other-ca
            leaf server serverAuth "DNS:localhost"
            leaf client clientAuth "DNS:client"
            """
        let (status, output) = try runProcess("/bin/sh", ["-c", script], directory: directory)
        guard status == 0 else { throw TLSTestError("openssl failed (\(status)): \(output)") }
        return TLSTestCertificates(directory: directory)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// `openssl s_server -www` on a free port of 127.0.0.1 (and ::1 when it binds both).
final class OpenSSLServer: @unchecked Sendable {
    let process = Process()
    let port: Int

    init(certificates: TLSTestCertificates, requireClientCertificate: Bool = false) throws {
        port = FakeOrchestrator.closedPort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        var arguments = ["s_server", "-accept", String(port), "-cert", certificates.path("server.pem"),
                         "-key", certificates.path("server.key"), "-www", "-quiet"]
        if requireClientCertificate { arguments += ["-Verify", "1", "-CAfile", certificates.path("ca.pem")] }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Ready once it accepts connections (a hang guard, not a timing check).
        for _ in 0..<100 {
            if (try? SocketHTTPTransport().connectable(port: port)) == true { return }
            usleep(50_000)
        }
        stop()
        throw TLSTestError("openssl s_server did not start on port \(port)")
    }

    func stop() {
        // SIGKILL: s_server does not end on SIGTERM here.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

extension SocketHTTPTransport {
    /// True when a TCP connection to 127.0.0.1:`port` is accepted.
    func connectable(port: Int) throws -> Bool {
        let address = try SocketAddress.resolve(host: "127.0.0.1", port: port)[0]
        let fd = try address.startConnect(target: "probe")
        defer { closeSocket(fd) }
        try wait(fd: fd, events: Int16(POLLOUT), deadline: Monotonic.now() + 1, onTimeout: .connectTimeout("probe"))
        return SocketAddress.pendingError(fd) == 0
    }
}

struct TLSTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func runProcess(_ path: String, _ arguments: [String], directory: String) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}
