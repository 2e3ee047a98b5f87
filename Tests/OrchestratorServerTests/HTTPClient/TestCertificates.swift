import Foundation

/// Throwaway certificates made with `openssl` for the TLS tests: a CA, a server certificate for
/// 127.0.0.1 and localhost signed by it, a client certificate signed by it, and an unrelated CA.
struct TestCertificates {
    let directory: URL

    var caFile: String { path("ca.pem") }
    var otherCAFile: String { path("other-ca.pem") }
    var serverCertificate: String { path("server.pem") }
    var serverKey: String { path("server.key") }
    var clientCertificate: String { path("client.pem") }
    var clientKey: String { path("client.key") }
    /// A client certificate whose subject holds the organizational units "dba" and "ops".
    var dbaClientCertificate: String { path("dba-client.pem") }
    var dbaClientKey: String { path("dba-client.key") }
    /// A Raft member's certificate (server and client use) signed by the CA, and one signed by the other CA.
    var memberCertificate: String { path("member.pem") }
    var memberKey: String { path("member.key") }
    var rogueCertificate: String { path("rogue.pem") }
    var rogueKey: String { path("rogue.key") }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs openssl in a fresh temporary directory; fails with openssl's output when it does.
    static func make() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("orchd-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = """
            set -e
            key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
            ca() {
              key "$1.key"
              openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=$2" \
                -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
            }
            leaf() {
              key "$1.key"
              openssl req -new -key "$1.key" -out "$1.csr" -subj "${5:-/CN=$2}"
              printf '%s\\n' "basicConstraints=CA:FALSE" "extendedKeyUsage=$3" "subjectAltName=$4" > "$1.ext"
              openssl x509 -req -in "$1.csr" -CA "${6:-ca}.pem" -CAkey "${6:-ca}.key" -CAcreateserial -out "$1.pem" -days 2 \
                -extfile "$1.ext" 2>/dev/null
            }
            ca ca orchd-test-ca
            ca other-ca orchd-other-ca
            leaf server orchd-test-server serverAuth "IP:127.0.0.1,DNS:localhost"
            leaf client orchd-test-client clientAuth "DNS:orchd-test-client"
            leaf dba-client orchd-dba clientAuth "DNS:orchd-dba" "/O=Example/OU=dba/OU=ops/CN=orchd-dba"
            leaf member orchd-member serverAuth,clientAuth "IP:127.0.0.1"
            leaf rogue orchd-rogue serverAuth,clientAuth "IP:127.0.0.1" "/CN=orchd-rogue" other-ca
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CertificateError(message: "openssl failed (\(process.terminationStatus)): \(text)")
        }
        return TestCertificates(directory: directory)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

struct CertificateError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
