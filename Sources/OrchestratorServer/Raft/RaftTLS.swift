import NIOSSL

/// Mutual TLS between Raft members (orchd's own keys `RaftTLSCertFile`, `RaftTLSPrivateKeyFile`,
/// `RaftTLSCAFile`; upstream's Raft is plain TCP). Every connection, in and out, presents this node's
/// certificate and requires the peer's to chain to the CA; a peer that does not verify never gets a
/// frame decoded. Host names are not checked: membership in the group is proven by the certificate
/// the group's own CA signed.
public struct RaftTLS: Sendable {
    let serverContext: NIOSSLContext
    let clientContext: NIOSSLContext

    /// Loads the files once; a file that cannot be used is an error naming it and its key.
    public init(certificateFile: String, privateKeyFile: String, caFile: String) throws(RaftTLSError) {
        func load<T>(_ file: String, _ key: String, _ body: () throws -> T) throws(RaftTLSError) -> T {
            do { return try body() } catch { throw RaftTLSError(file: file, key: key, reason: "\(error)") }
        }
        let chain = try load(certificateFile, "RaftTLSCertFile") { try NIOSSLCertificate.fromPEMFile(certificateFile) }
        let key = try load(privateKeyFile, "RaftTLSPrivateKeyFile") { try NIOSSLPrivateKey(file: privateKeyFile, format: .pem) }
        let roots = try load(caFile, "RaftTLSCAFile") { try NIOSSLCertificate.fromPEMFile(caFile) }
        var server = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                              privateKey: .privateKey(key))
        server.trustRoots = .certificates(roots)
        server.certificateVerification = .noHostnameVerification  // a client certificate is required
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateChain = chain.map { .certificate($0) }
        client.privateKey = .privateKey(key)
        client.trustRoots = .certificates(roots)
        client.certificateVerification = .noHostnameVerification
        serverContext = try load(certificateFile, "RaftTLSCertFile") { try NIOSSLContext(configuration: server) }
        clientContext = try load(certificateFile, "RaftTLSCertFile") { try NIOSSLContext(configuration: client) }
    }
}

/// A Raft TLS file that cannot be used.
public struct RaftTLSError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var key: String
    public var reason: String
    public var description: String { "cannot use \(file) (\(key)) for Raft's TLS: \(reason)" }
}
