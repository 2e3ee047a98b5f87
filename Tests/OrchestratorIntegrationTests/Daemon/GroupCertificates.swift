import Foundation

/// Throwaway certificates for an orchd group served over HTTPS, made with `openssl` in `directory`: a CA,
/// one node certificate for 127.0.0.1-3 (server and client use: under mutual TLS a follower presents it
/// when it forwards to the leader), a client certificate for orchestrator-client, and an unrelated CA
/// with a client certificate of its own. (The same generator as OrchestratorServerTests' TestCertificates,
/// which this target cannot import.)
struct GroupCertificates {
    let directory: String

    var caFile: String { path("ca.pem") }
    var otherCAFile: String { path("other-ca.pem") }
    var nodeCertificate: String { path("node.pem") }
    var nodeKey: String { path("node.key") }
    var clientCertificate: String { path("client.pem") }
    var clientKey: String { path("client.key") }
    var rogueClientCertificate: String { path("rogue.pem") }
    var rogueClientKey: String { path("rogue.key") }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// Runs openssl in `directory` (created); fails with openssl's output when it does.
    static func make(in directory: String) throws -> GroupCertificates {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
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
              openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2"
              printf '%s\\n' "basicConstraints=CA:FALSE" "extendedKeyUsage=$3" "subjectAltName=$4" > "$1.ext"
              openssl x509 -req -in "$1.csr" -CA "${5:-ca}.pem" -CAkey "${5:-ca}.key" -CAcreateserial -out "$1.pem" \
                -days 2 -extfile "$1.ext" 2>/dev/null
            }
            ca ca orchd-group-ca
            ca other-ca orchd-other-ca
            leaf node orchd-node serverAuth,clientAuth "IP:127.0.0.1,IP:127.0.0.2,IP:127.0.0.3,DNS:localhost"
            leaf client orchd-client clientAuth "DNS:orchd-client"
            leaf rogue orchd-rogue clientAuth "DNS:orchd-rogue" other-ca
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw GroupError("openssl failed (\(process.terminationStatus)): \(text)")
        }
        return GroupCertificates(directory: directory)
    }
}
