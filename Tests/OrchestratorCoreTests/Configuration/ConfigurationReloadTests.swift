import OrchestratorCore
import Testing

@Suite("Configuration reload: applied keys and keys that need a restart")
struct ConfigurationReloadTests {
    private func load(_ json: String) throws -> OrchestratorConfiguration {
        try OrchestratorConfiguration.load(json: Array(json.utf8), path: "orchestrator.conf.json").0
    }

    @Test func changedKeysArePartitioned() throws {
        let running = try load(#"{"RecoverMasterClusterFilters": ["a"], "ListenAddress": ":3000", "PostFailoverProcesses": ["x"]}"#)
        let reread = try load(#"{"RecoverMasterClusterFilters": ["*"], "ListenAddress": ":3001", "PostFailoverProcesses": ["x"], "RecoveryPeriodBlockSeconds": 60}"#)
        let reload = ConfigurationReload(running: running, reread: reread)
        #expect(reload.applied == ["RecoverMasterClusterFilters", "RecoveryPeriodBlockSeconds"])
        #expect(reload.needRestart == ["ListenAddress"])
        #expect(reload.summary.contains("need a restart: ListenAddress"))
        let effective = ConfigurationReload.effective(running: running, reread: reread)
        #expect(effective.recoverMasterClusterFilters == ["*"])
        #expect(effective.recoveryPeriodBlockSeconds == 60)
        #expect(effective.listenAddress == ":3000", "a key that needs a restart keeps its running value")
        #expect(ConfigurationReload(running: effective, reread: reread).needRestart == ["ListenAddress"],
                "a later reload still reports it")
        #expect(ConfigurationReload(running: reread, reread: reread).summary.contains("nothing changed"))
    }
}
