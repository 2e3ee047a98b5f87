import Foundation
import Testing
@testable import OrchestratorServer

/// `reload-configuration`: the file is re-read, run-time keys reach the node and the recovery service,
/// the others are reported as needing a restart; a broken file changes nothing.
@Suite("Configuration reload: node settings, hooks, API", .serialized)
struct ConfigurationReloaderTests {
    @Test func reloadAppliesRuntimeKeysAndReportsTheRest() async throws {
        let fixture = try await RecoveryHookAbortTests.Fixture(failingPreHook: false)
        let path = NSTemporaryDirectory() + "orchd-reload-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(#"{"RecoverMasterClusterFilters": ["alias=shop"], "ListenAddress": ":3000"}"#.utf8).write(to: URL(fileURLWithPath: path))
        let running = try ConfigurationFile.load(explicitPath: path, logger: .init(label: "test"))
        fixture.service.apply(reloaded: running)
        let reloader = ConfigurationReloader(path: path, running: running, node: fixture.node, recovery: fixture.service)
        fixture.node.setReloadHandler { try await reloader.reload() }
        #expect(!fixture.node.settings.recoveryFilters.allowsMasterRecovery(clusterName: "db:1", alias: "other"))

        try Data(#"{"RecoverMasterClusterFilters": ["*"], "PostFailoverProcesses": ["new-hook"], "ListenAddress": ":3999", "RecoveryPeriodBlockSeconds": 60}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        let api = OrchestratorAPI(node: fixture.node, recovery: fixture.service)
        let response = await api.handle(APIRequest(target: "/api/reload-configuration"))
        #expect(response.status == 200, "\(response.bodyText)")
        #expect(response.bodyText.contains("need a restart: ListenAddress"), "\(response.bodyText)")
        #expect(fixture.node.settings.recoveryFilters.allowsMasterRecovery(clusterName: "db:1", alias: "other"))
        #expect(fixture.node.settings.recoveryPeriodBlockSeconds == 60)
        #expect(fixture.service.configuration.postFailoverProcesses == ["new-hook"])
        #expect(fixture.service.configuration.listenAddress == running.listenAddress, "ListenAddress waits for a restart")

        // A file that no longer loads: an error, and the running configuration stays.
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: path))
        let broken = await api.handle(APIRequest(target: "/api/reload-configuration"))
        #expect(broken.status == 500, "\(broken.bodyText)")
        #expect(fixture.service.configuration.postFailoverProcesses == ["new-hook"])
        await fixture.stop()
    }
}
