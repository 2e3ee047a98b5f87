/// How orchd's API speaks TLS (upstream's `UseSSL`, `SSLCertFile`, `SSLPrivateKeyFile`, `SSLCAFile`,
/// `UseMutualTLS`, `SSLValidOUs`, `SSLSkipVerify`).
public struct HTTPTLSSettings: Sendable, Equatable {
    /// PEM certificate (chain) the API serves, and presents to peers under mutual TLS.
    public var certificateFile: String
    /// PEM private key of `certificateFile`.
    public var privateKeyFile: String
    /// PEM certificate authorities: client certificates must chain to them (mutual TLS), and peers'
    /// certificates are verified against them; empty means the system's trust roots for peers.
    public var caFile: String
    /// Every client must present a certificate signed by `caFile` (`UseMutualTLS`).
    public var requireClientCertificate: Bool
    /// When not empty, a client certificate's subject must hold one of these organizational units.
    public var validOUs: [String]
    /// Peers' certificates are not verified when this node calls them (`SSLSkipVerify`): encryption
    /// without authentication, said loudly at start-up.
    public var skipVerify: Bool
    /// `StatusOUVerify`: the status endpoint is held to `validOUs` too. Off (upstream's default), a
    /// load balancer's health check needs a certificate from the CA (under mutual TLS) but no listed unit.
    public var statusOUVerify: Bool
    /// The path of the status endpoint (`StatusEndpoint`).
    public var statusEndpoint: String

    public init(certificateFile: String, privateKeyFile: String, caFile: String = "",
                requireClientCertificate: Bool = false, validOUs: [String] = [], skipVerify: Bool = false,
                statusOUVerify: Bool = false, statusEndpoint: String = "/api/status") {
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.caFile = caFile
        self.requireClientCertificate = requireClientCertificate
        self.validOUs = validOUs
        self.skipVerify = skipVerify
        self.statusOUVerify = statusOUVerify
        self.statusEndpoint = statusEndpoint
    }

    /// Whether a client certificate with these organizational units may use the API.
    public func allows(organizationalUnits: [String]) -> Bool {
        validOUs.isEmpty || organizationalUnits.contains { validOUs.contains($0) }
    }

    /// Whether a request for `path` (no query) is held to `validOUs`: every path, except the status
    /// endpoint unless `statusOUVerify`.
    public func checksOrganizationalUnits(path: String) -> Bool {
        guard !validOUs.isEmpty else { return false }
        return statusOUVerify || path != statusEndpoint
    }
}

extension OrchestratorConfiguration {
    /// `UseSSL`: the API is served over HTTPS.
    public var useSSL: Bool { bool("UseSSL") }

    /// The API's TLS settings, nil when `UseSSL` is false (plain HTTP).
    public var httpTLS: HTTPTLSSettings? {
        guard useSSL else { return nil }
        return HTTPTLSSettings(
            certificateFile: string("SSLCertFile"), privateKeyFile: string("SSLPrivateKeyFile"), caFile: string("SSLCAFile"),
            requireClientCertificate: bool("UseMutualTLS"), validOUs: strings("SSLValidOUs"), skipVerify: bool("SSLSkipVerify"),
            statusOUVerify: bool("StatusOUVerify"), statusEndpoint: statusEndpoint.isEmpty ? "/api/status" : statusEndpoint)
    }

    /// The TLS keys hang together: HTTPS needs a certificate and key; mutual TLS needs HTTPS and a CA;
    /// OUs are checked only under mutual TLS.
    func validateHTTPTLS(fail: (String, String) -> ConfigurationError) throws(ConfigurationError) {
        if useSSL {
            if string("SSLCertFile").isEmpty { throw fail("SSLCertFile", "is required when UseSSL is true; give the PEM certificate the API serves") }
            if string("SSLPrivateKeyFile").isEmpty { throw fail("SSLPrivateKeyFile", "is required when UseSSL is true; give the certificate's PEM private key") }
        }
        if bool("UseMutualTLS") {
            if !useSSL { throw fail("UseMutualTLS", "needs UseSSL true: client certificates are checked only over HTTPS") }
            if string("SSLCAFile").isEmpty { throw fail("SSLCAFile", "is required when UseMutualTLS is true; give the CA that signs client certificates") }
        }
        if !strings("SSLValidOUs").isEmpty, !bool("UseMutualTLS") {
            throw fail("SSLValidOUs", "needs UseMutualTLS true: organizational units are read from client certificates")
        }
    }
}

/// Mutual TLS between Raft members: the three files of orchd's `RaftTLS*` keys.
public struct RaftTLSSettings: Sendable, Equatable {
    public var certificateFile: String
    public var privateKeyFile: String
    public var caFile: String
}

extension OrchestratorConfiguration {
    /// Raft's TLS files, nil when Raft is plain TCP (none of the keys set).
    public var raftTLS: RaftTLSSettings? {
        let files = (string("RaftTLSCertFile"), string("RaftTLSPrivateKeyFile"), string("RaftTLSCAFile"))
        if files.0.isEmpty && files.1.isEmpty && files.2.isEmpty { return nil }
        return RaftTLSSettings(certificateFile: files.0, privateKeyFile: files.1, caFile: files.2)
    }

    /// All three Raft TLS keys, or none: a half-configured Raft TLS would silently stay plain TCP.
    func validateRaftTLS(fail: (String, String) -> ConfigurationError) throws(ConfigurationError) {
        let keys = ["RaftTLSCertFile", "RaftTLSPrivateKeyFile", "RaftTLSCAFile"]
        let set = keys.filter { !string($0).isEmpty }
        guard !set.isEmpty, set.count < keys.count else { return }
        let missing = keys.filter { string($0).isEmpty }
        throw fail(missing[0], "is required when \(set.joined(separator: " and ")) is set: Raft's mutual TLS needs a "
            + "certificate, its private key and the CA that signs every member's certificate")
    }
}
