import Foundation
import OrchestratorCore

/// TLS for connections to MySQL servers, from upstream's `MySQLTopology*` TLS keys.
///
/// How orchd maps the keys (upstream: go/config/config.go, go/db/tls.go):
/// - `MySQLTopologyUseMutualTLS` true: every connection is TLS (``Mode/required``). Despite its name the
///   key asks for TLS, not necessarily for a client certificate; a server without TLS, or whose certificate
///   does not verify, is a connection error naming the TLS failure, never a plain connection.
/// - `MySQLTopologyUseMixedTLS` (upstream default true), when `MySQLTopologyUseMutualTLS` is false: a
///   connection starts plain and is retried over TLS when the server refuses the plain one the way a server
///   demanding TLS does (MySQL 3159 "insecure transport prohibited", or 1045 access denied, which is what
///   MariaDB's `require_secure_transport` and a user's `REQUIRE SSL` answer) (``Mode/mixed``). Upstream
///   remembers per server that TLS was needed for `TLSCacheTTLFactor` poll intervals; orchd keeps no such
///   cache: it reuses pooled connections, so the extra plain attempt happens only when it opens a new one.
/// - Both false: plain connections only (``Mode/disabled``).
/// - `MySQLTopologySSLCAFile`: the CAs a server certificate must chain to; empty means the system's trust
///   roots (as upstream, whose empty CA falls back to Go's system pool).
/// - `MySQLTopologySSLSkipVerify`: the server's certificate is not verified at all (neither chain nor
///   name): encryption without authentication. Otherwise orchd verifies the chain and that the
///   certificate names the host orchd connects to (libmariadb's MYSQL_OPT_SSL_VERIFY_SERVER_CERT).
/// - `MySQLTopologySSLCertFile` / `MySQLTopologySSLPrivateKeyFile`: a client certificate orchd presents
///   (for users created `REQUIRE X509`). Upstream presents it only with `MySQLTopologyUseMutualTLS`; orchd
///   presents it on every TLS connection when both files are set, so mixed mode works with such users too.
public struct MySQLTLSSettings: Sendable, Equatable, CustomStringConvertible {
    public enum Mode: String, Sendable, Equatable {
        /// Plain TCP only.
        case disabled
        /// TLS on every connection.
        case required
        /// Plain first; TLS when the server refuses plain connections.
        case mixed
    }

    public var mode: Mode
    /// PEM CA bundle server certificates must chain to; empty: the system's trust roots.
    public var caFile: String
    /// PEM client certificate presented to servers (with `privateKeyFile`); empty: none.
    public var certificateFile: String
    public var privateKeyFile: String
    /// Do not verify the server's certificate (chain nor host name).
    public var skipVerify: Bool

    public init(mode: Mode = .disabled, caFile: String = "", certificateFile: String = "", privateKeyFile: String = "",
                skipVerify: Bool = false) {
        self.mode = mode
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.skipVerify = skipVerify
    }

    /// Plain connections only.
    public static let disabled = MySQLTLSSettings()

    public var description: String {
        guard mode != .disabled else { return "plain" }
        var parts = [mode == .required ? "TLS required" : "TLS when the server requires it"]
        parts.append(skipVerify ? "server certificate NOT verified"
                                : "server certificate verified against \(caFile.isEmpty ? "the system's trust roots" : caFile)")
        if !certificateFile.isEmpty { parts.append("client certificate \(certificateFile)") }
        return parts.joined(separator: ", ")
    }

    /// Files that are set but cannot be read, as (configuration key, path, reason) — checked at start-up
    /// so that a typo is an error before the first probe, not a TLS failure on every server.
    public func unreadableFiles() -> [(key: String, path: String, reason: String)] {
        guard mode != .disabled else { return [] }
        let files = [("MySQLTopologySSLCAFile", caFile), ("MySQLTopologySSLCertFile", certificateFile),
                     ("MySQLTopologySSLPrivateKeyFile", privateKeyFile)]
        return files.compactMap { key, path in
            guard !path.isEmpty else { return nil }
            return FileManager.default.isReadableFile(atPath: path) ? nil : (key, path, "cannot be read")
        }
    }

    /// Whether a failed plain connection looks like a server that demands TLS (mixed mode retries it).
    static func plainRefusalMayNeedTLS(_ error: MySQLError) -> Bool {
        error.code == 3159 || error.code == 1045
    }
}

extension MySQLTLSSettings {
    /// The `MySQLTopology*` TLS keys of `orchestrator.conf.json`, mapped as the type's documentation says.
    public init(configuration c: OrchestratorConfiguration) {
        let mode: Mode = c.mysqlTopologyUseMutualTLS ? .required : (c.mysqlTopologyUseMixedTLS ? .mixed : .disabled)
        self.init(mode: mode, caFile: c.mysqlTopologySSLCAFile, certificateFile: c.mysqlTopologySSLCertFile,
                  privateKeyFile: c.mysqlTopologySSLPrivateKeyFile, skipVerify: c.mysqlTopologySSLSkipVerify)
    }
}
