import NIOSSL

/// How the HTTP client speaks TLS to `https://` addresses: whom it trusts and what it presents.
/// Mirrors upstream's `SSLCAFile`, `SSLCertFile`, `SSLPrivateKeyFile` and `SSLSkipVerify` (a later change
/// wires the configuration keys to it).
public struct HTTPClientTLS: Equatable, Sendable {
    /// PEM file of the certificate authorities to trust; nil means the system's trust roots.
    public var caFile: String?
    /// PEM certificate (chain) to present when a peer asks for one; needs `privateKeyFile`.
    public var certificateFile: String?
    /// PEM private key of `certificateFile`.
    public var privateKeyFile: String?
    /// Accept any certificate and any host name. Encrypts without authenticating the peer: for
    /// tests and emergencies only (upstream's `SSLSkipVerify`).
    public var skipVerify: Bool
    /// The configuration keys the files come from, for messages.
    public var keyNames: KeyNames

    /// Configuration key names of the CA file, the certificate and its key.
    public struct KeyNames: Equatable, Sendable {
        public var caFile, certificateFile, privateKeyFile: String
        public init(caFile: String, certificateFile: String, privateKeyFile: String) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.privateKeyFile = privateKeyFile
        }
        /// Upstream's `SSLCAFile`, `SSLCertFile`, `SSLPrivateKeyFile`.
        public static let ssl = KeyNames(caFile: "SSLCAFile", certificateFile: "SSLCertFile", privateKeyFile: "SSLPrivateKeyFile")
    }

    public init(caFile: String? = nil, certificateFile: String? = nil, privateKeyFile: String? = nil,
                skipVerify: Bool = false, keyNames: KeyNames = .ssl) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.skipVerify = skipVerify
        self.keyNames = keyNames
    }

    /// Whom a failed verification was checked against, for messages.
    var trustDescription: String {
        caFile.map { "the CA file \($0) (\(keyNames.caFile))" } ?? "the system's trust roots (set \(keyNames.caFile) for a private CA)"
    }

    /// The NIOSSL context: loads the files once, so a missing or unreadable file is an error at start-up.
    func makeContext() throws(HTTPClientTLSError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = skipVerify ? .none : .fullVerification
        if let caFile {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw HTTPClientTLSError(file: caFile, role: "CA certificates (\(keyNames.caFile))", reason: "\(error)")
            }
        }
        switch (certificateFile, privateKeyFile) {
        case (nil, nil):
            break
        case let (certificateFile?, privateKeyFile?):
            do {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
            } catch {
                throw HTTPClientTLSError(file: certificateFile, role: "client certificate (\(keyNames.certificateFile))", reason: "\(error)")
            }
            do {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKeyFile, format: .pem))
            } catch {
                throw HTTPClientTLSError(file: privateKeyFile, role: "client private key (\(keyNames.privateKeyFile))", reason: "\(error)")
            }
        case (let certificateFile?, nil):
            throw HTTPClientTLSError(file: certificateFile, role: "client certificate (\(keyNames.certificateFile))",
                                     reason: "no private key given; set \(keyNames.privateKeyFile) too")
        case (nil, let privateKeyFile?):
            throw HTTPClientTLSError(file: privateKeyFile, role: "client private key (\(keyNames.privateKeyFile))",
                                     reason: "no certificate given; set \(keyNames.certificateFile) too")
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw HTTPClientTLSError(file: certificateFile ?? caFile ?? "(system trust roots)", role: "TLS settings",
                                     reason: "\(error)")
        }
    }
}

/// A TLS setting that cannot be used: names the file, what it was for, and why.
public struct HTTPClientTLSError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var role: String
    public var reason: String

    public var description: String { "cannot use \(file) as the \(role) of orchd's HTTP client: \(reason)" }
}
