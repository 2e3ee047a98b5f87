import Foundation
import OrchestratorCore
import Testing

/// Every key orchd reads is honoured, accepted with a warning, or refused: one table, walked here.
@Suite("Configuration key status")
struct ConfigurationStatusTests {
    let path = "/etc/orchestrator.conf.json"

    func load(_ json: String) throws(ConfigurationError) -> (OrchestratorConfiguration, [ConfigurationWarning]) {
        try OrchestratorConfiguration.load(json: Array(json.utf8), path: path, environment: ["P": "hunter2"])
    }

    func refusal(_ json: String) -> ConfigurationError? {
        do { _ = try load(json) } catch { return error }
        return nil
    }

    @Test func everySchemaKeyHasAStatus() {
        let missing = ConfigurationSchema.keys.map(\.name).filter { ConfigurationSchema.status(of: $0) == nil }
        #expect(missing.isEmpty, "keys without a status: \(missing)")
        #expect(ConfigurationSchema.status(of: "NoSuchKey") == nil)
    }

    @Test func everyStatusHasAReasonUnlessHonoured() {
        for spec in ConfigurationSchema.keys {
            guard let status = ConfigurationSchema.status(of: spec.name) else { continue }
            if status == .honoured { continue }
            #expect(status.reason.count > 20, "\(spec.name) needs a reason an operator can act on")
        }
    }

    @Test func securityAndSafetyKeysAreNeverMerelyAccepted() {
        for key in ConfigurationSchema.securityAndSafetyKeys {
            #expect(ConfigurationSchema.byName[key] != nil, "\(key) is not a schema key")
            if case .accepted? = ConfigurationSchema.status(of: key) {
                Issue.record("\(key) is security- or safety-relevant and must be honoured or refused")
            }
        }
    }

    @Test(arguments: [
        (#"{"PowerAuthGroups": ["dba"]}"#, "PowerAuthGroups"),
        (#"{"AutoPseudoGTID": true}"#, "AutoPseudoGTID"),
        (#"{"ConsulAddress": "127.0.0.1:8500"}"#, "ConsulAddress"),
        (#"{"URLPrefix": "/orc"}"#, "URLPrefix"),
    ])
    func refusedKeysStopStartUpNamingKeyFileAndFix(json: String, key: String) {
        let error = refusal(json)
        #expect(error?.key == key)
        #expect(error?.description.hasPrefix("cannot read \(path): key \"\(key)\" is not supported: ") == true,
                "\(error?.description ?? "loaded")")
    }

    @Test func severalRefusalsAreAllNamed() {
        let error = refusal(#"{"URLPrefix": "/orc", "ConsulAddress": "consul1:8500", "GraphiteAddr": "g:2003"}"#)
        #expect(error?.key == "URLPrefix")
        #expect(error?.description.contains("also not supported: ConsulAddress") == true)
        #expect(error?.description.contains("GraphiteAddr") == false, "accepted keys are not refusals")
    }

    @Test func aRefusedKeyAtItsDefaultIsFine() throws {
        let (config, warnings) = try load(#"{"StatusOUVerify": false, "ConsulAddress": "", "MySQLTopologyUseMixedTLS": true}"#)
        #expect(!config.differsFromDefault("StatusOUVerify"))
        #expect(warnings.isEmpty)
    }

    @Test func acceptedKeysWarnOnceWithTheReason() throws {
        let (_, warnings) = try load(#"{"GraphiteAddr": "graphite:2003", "GraphitePollSeconds": 60, "AgentPollMinutes": 5}"#)
        #expect(Set(warnings.map(\.key)) == ["GraphiteAddr", "AgentPollMinutes"], "a default value is not warned about")
        #expect(warnings.count == 2)
        #expect(warnings.first { $0.key == "GraphiteAddr" }?.message.contains("Prometheus") == true)
    }

    @Test func checkConfigTableMasksSecretsAndMarksRefusals() throws {
        let (config, _) = try OrchestratorConfiguration.load(
            json: Array(#"{"MySQLTopologyPassword": "${P}", "URLPrefix": "/orc", "GraphiteAddr": "g:2003"}"#.utf8),
            path: path, environment: ["P": "hunter2"], refuseUnsupportedKeys: false)
        let table = config.keyReportTable()
        #expect(!table.contains("hunter2"))
        let rows = table.split(separator: "\n")
        #expect(rows.count == ConfigurationSchema.keys.count + 1)
        #expect(rows.contains { $0.hasPrefix("! URLPrefix") && $0.contains("refused") })
        #expect(rows.contains { $0.hasPrefix("* GraphiteAddr") && $0.contains("accepted") })
        #expect(rows.contains { $0.hasPrefix("* MySQLTopologyPassword") && $0.contains("********") })
        #expect(config.keyReport.filter(\.blocksStartup).map(\.key) == ["URLPrefix"])
    }

    @Test("The MySQLTopology TLS keys load as honoured keys; a client certificate needs its key and vice versa")
    func mysqlTopologyTLSKeysAreHonoured() throws {
        let keys = ["MySQLTopologyUseMutualTLS", "MySQLTopologyUseMixedTLS", "MySQLTopologySSLCAFile",
                    "MySQLTopologySSLCertFile", "MySQLTopologySSLPrivateKeyFile", "MySQLTopologySSLSkipVerify"]
        for key in keys { #expect(ConfigurationSchema.status(of: key) == .honoured, "\(key)") }
        let (config, warnings) = try load(#"{"MySQLTopologyUseMutualTLS": true, "MySQLTopologySSLCAFile": "/etc/ca.pem", "#
            + #""MySQLTopologySSLCertFile": "/etc/c.pem", "MySQLTopologySSLPrivateKeyFile": "/etc/k.pem", "#
            + #""MySQLTopologySSLSkipVerify": true, "MySQLTopologyUseMixedTLS": false}"#)
        #expect(warnings.isEmpty)
        #expect(config.mysqlTopologyUseMutualTLS && !config.mysqlTopologyUseMixedTLS && config.mysqlTopologySSLSkipVerify)
        #expect(config.mysqlTopologySSLCAFile == "/etc/ca.pem" && config.mysqlTopologySSLCertFile == "/etc/c.pem"
                && config.mysqlTopologySSLPrivateKeyFile == "/etc/k.pem")
        let (defaults, _) = try load("{}")
        #expect(!defaults.mysqlTopologyUseMutualTLS && defaults.mysqlTopologyUseMixedTLS, "upstream's defaults")

        #expect(refusal(#"{"MySQLTopologySSLCertFile": "/etc/c.pem"}"#)?.key == "MySQLTopologySSLPrivateKeyFile")
        #expect(refusal(#"{"MySQLTopologySSLPrivateKeyFile": "/etc/k.pem"}"#)?.key == "MySQLTopologySSLCertFile")
    }

    @Test("DiscoverySeeds, ReplicationLagQuery and its synonym SlaveLagQuery load as honoured keys")
    func seedsAndLagQueryAreHonoured() throws {
        for key in ["DiscoverySeeds", "ReplicationLagQuery", "SlaveLagQuery"] {
            #expect(ConfigurationSchema.status(of: key) == .honoured, "\(key)")
        }
        let (config, warnings) = try load(#"{"DiscoverySeeds": ["db1", "db2:3307"], "SlaveLagQuery": "SELECT 1", "#
            + #""FailMasterPromotionOnLagMinutes": 1}"#)
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(config.keyReport.filter(\.blocksStartup).isEmpty)
        #expect(config.replicationLagQuery == "SELECT 1")
        #expect(config.discoverySeedKeys == [InstanceKey(hostname: "db1", port: 3306), InstanceKey(hostname: "db2", port: 3307)])
    }

    @Test func theExampleConfigsPass() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".conf.json") }
        #expect(files.count >= 3)
        for file in files {
            let data = try Data(contentsOf: examples.appendingPathComponent(file))
            let (config, warnings) = try OrchestratorConfiguration.load(json: Array(data), path: file,
                                                                        environment: ["ORCHD_TOPOLOGY_PASSWORD": "x", "ORCHD_REPLICATION_PASSWORD": "y"])
            #expect(config.keyReport.filter(\.blocksStartup).isEmpty)
            #expect(warnings.isEmpty, "\(file): \(warnings)")
        }
    }
}
