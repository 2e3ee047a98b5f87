/// How `https://` endpoints are verified, and the certificate the client presents, from the environment.
///
/// Upstream's bash client runs `curl -s` with no TLS flags, so curl's own environment decides: its CA
/// bundle (`CURL_CA_BUNDLE`, else `SSL_CERT_FILE`, else the system's) and no client certificate. We read
/// the same two variables, and our own names first. There is no switch that turns verification off
/// (upstream has none): a certificate that does not verify is an error.
public struct TLSSettings: Equatable, Sendable {
    /// PEM file of the CA certificates to trust; nil means the system trust roots.
    public var caFile: String?
    /// The environment variable `caFile` came from, for messages.
    public var caFileVariable: String?
    /// PEM certificate (chain) presented for mutual TLS, and its private key (PEM; defaults to the
    /// certificate's file, which may hold both).
    public var clientCertificate: String?
    public var clientKey: String?

    public init(caFile: String? = nil, caFileVariable: String? = nil, clientCertificate: String? = nil,
                clientKey: String? = nil) {
        self.caFile = caFile
        self.caFileVariable = caFileVariable
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
    }

    /// Variables for the CA file, in order of precedence.
    public static let caFileVariables = ["ORCHESTRATOR_CA_FILE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"]
    public static let clientCertificateVariable = "ORCHESTRATOR_CLIENT_CERT"
    public static let clientKeyVariable = "ORCHESTRATOR_CLIENT_KEY"

    /// System CA bundles, the first readable one is used when no CA file is given (Debian/Ubuntu,
    /// RHEL/Fedora, Alpine/macOS-style).
    public static let systemCABundles = [
        "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem",
    ]

    /// Reads the variables; empty ones count as unset.
    public static func fromEnvironment(_ environment: [String: String]) -> TLSSettings {
        var settings = TLSSettings()
        for name in caFileVariables {
            if let value = environment[name], !value.isEmpty {
                settings.caFile = value
                settings.caFileVariable = name
                break
            }
        }
        if let value = environment[clientCertificateVariable], !value.isEmpty { settings.clientCertificate = value }
        if let value = environment[clientKeyVariable], !value.isEmpty { settings.clientKey = value }
        return settings
    }

    /// A key without a certificate is a mistake worth naming before anything is sent.
    public func validate() throws(UsageError) {
        if clientKey != nil && clientCertificate == nil {
            throw UsageError("\(Self.clientKeyVariable) is set but \(Self.clientCertificateVariable) is not; set both to present a client certificate")
        }
    }

    /// Where trust comes from, for messages: `the CA file /x (ORCHESTRATOR_CA_FILE)`.
    public func trustDescription(systemBundle: String?) -> String {
        if let caFile { return "the CA file \(caFile) (\(caFileVariable ?? Self.caFileVariables[0]))" }
        return "the system trust roots (\(systemBundle ?? "none found"))"
    }
}
