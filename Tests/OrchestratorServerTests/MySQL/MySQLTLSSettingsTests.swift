import OrchestratorCore
@testable import OrchestratorServer
import Testing

/// How the `MySQLTopology*` TLS keys map onto the client's settings (the connections themselves are
/// tested against a `--tls` sandbox in MySQLTLSIntegrationTests).
struct MySQLTLSSettingsTests {
    private func settings(_ json: String) throws -> MySQLTLSSettings {
        let (config, _) = try OrchestratorConfiguration.load(json: Array(json.utf8), path: "/etc/orchestrator.conf.json")
        return DiscoverySettings(configuration: config).mysql.tls
    }

    @Test("MutualTLS means TLS on every connection, MixedTLS (upstream's default) TLS when required, neither plain")
    func modes() throws {
        #expect(try settings("{}").mode == .mixed)
        #expect(try settings(#"{"MySQLTopologyUseMixedTLS": false}"#).mode == .disabled)
        #expect(try settings(#"{"MySQLTopologyUseMutualTLS": true}"#).mode == .required)
        #expect(try settings(#"{"MySQLTopologyUseMutualTLS": true, "MySQLTopologyUseMixedTLS": false}"#).mode == .required)
    }

    @Test("the files and SkipVerify are carried as given, and the description says what is verified")
    func filesAndVerification() throws {
        let tls = try settings(#"{"MySQLTopologyUseMutualTLS": true, "MySQLTopologySSLCAFile": "/etc/ca.pem", "#
            + #""MySQLTopologySSLCertFile": "/etc/c.pem", "MySQLTopologySSLPrivateKeyFile": "/etc/k.pem"}"#)
        #expect(tls == MySQLTLSSettings(mode: .required, caFile: "/etc/ca.pem", certificateFile: "/etc/c.pem",
                                        privateKeyFile: "/etc/k.pem"))
        #expect(tls.description.contains("verified against /etc/ca.pem"))
        let skip = try settings(#"{"MySQLTopologyUseMutualTLS": true, "MySQLTopologySSLSkipVerify": true}"#)
        #expect(skip.skipVerify && skip.description.contains("NOT verified"))
        // Files that cannot be read are named with their key, before any connection is tried.
        let missing = tls.unreadableFiles().map(\.key)
        #expect(missing == ["MySQLTopologySSLCAFile", "MySQLTopologySSLCertFile", "MySQLTopologySSLPrivateKeyFile"])
        #expect(MySQLTLSSettings.disabled.unreadableFiles().isEmpty)
    }

    @Test("mixed mode retries over TLS after 3159 (MySQL) or 1045 (MariaDB's require_secure_transport), not otherwise")
    func mixedRetries() {
        for (code, retries) in [(UInt32(3159), true), (1045, true), (2003, false), (1227, false)] {
            let error = MySQLError(code: code, message: "x", endpoint: "db:3306")
            #expect(MySQLTLSSettings.plainRefusalMayNeedTLS(error) == retries, "\(code)")
        }
    }
}
