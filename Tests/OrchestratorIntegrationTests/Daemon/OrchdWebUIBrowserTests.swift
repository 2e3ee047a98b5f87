import Foundation
import Testing
import OrchestratorTestKit

/// The web UI in a real browser: Tests/WebUI/e2e.py drives Debian's headless Chromium with Playwright
/// against three real orchd processes (AuthenticationMethod multi, so the user `readonly` exists) and
/// a MariaDB tree sandbox: a drag-and-drop relocate with its preview and confirmation (checked on
/// MariaDB's side), a refused move with its reason, the keyboard "move below...", stop/start replica
/// from the instance panel (previewed, confirmed, checked on MariaDB), a downtime from the panel, a
/// leadership transfer from the Raft view, search, and a read-only user seeing no action. Missing
/// Chromium or Playwright fail the test (run `Scripts/setup --test-tools`).
/// Screenshots land in `$ORCHD_TEST_DIR/artifacts/`.
@Suite("orchd web UI in headless Chromium (3 real processes + MariaDB sandbox)", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct OrchdWebUIBrowserTests {
    @Test func browserScenarios() async throws {
        let browser = try BrowserTools.locate()
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: "webui-test")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "webui", overrides: [
            "AuthenticationMethod": "multi", "HTTPAuthUser": "dba", "HTTPAuthPassword": "ui-secret",
        ])
        defer { group.killAll() }
        group.clientEnvironment = ["ORCHESTRATOR_AUTH_USER": "dba", "ORCHESTRATOR_AUTH_PASSWORD": "ui-secret"]
        try group.startDiscovering(sandbox, through: 1, alias: "webui-test", instances: 4)

        let base = ProcessInfo.processInfo.environment["ORCHD_TEST_DIR"] ?? NSTemporaryDirectory()
        let artifacts = base + "/artifacts"
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        var arguments = [BrowserTools.script, "--user", "dba", "--password", "ui-secret", "--alias", "webui-test",
                         "--sandbox-script", MariaDBSandbox.scriptPath, "--sandbox-dir", sandbox.directory,
                         "--chromium", browser.chromium, "--artifacts", artifacts]
        for i in 0..<OrchdProcessGroup.size { arguments += ["--api", group.api(i)] }
        for n in 1...4 { arguments += ["--port", String(sandbox.port(n))] }
        let run = try BrowserTools.run(browser.python, arguments, timeoutSeconds: 300)
        print(run.output)  // each scenario and its time, for the CI log
        #expect(run.status == 0, "Tests/WebUI/e2e.py failed:\n\(run.output)")
        #expect(run.output.contains("all 9 scenarios passed"), "\(run.output)")
        for page in ["clusters", "cluster", "relocate-preview", "refused", "stop-replica-preview", "instance-panel", "raft", "audit", "search",
                     "readonly-cluster"] {
            #expect(FileManager.default.fileExists(atPath: "\(artifacts)/\(page).png"), "screenshot of \(page)")
        }
        // The API password never reaches a node's log.
        for i in 0..<OrchdProcessGroup.size {
            #expect(!group.log(i).contains("ui-secret"), "node \(i)'s log holds no API password")
        }
    }
}

/// Chromium and the Playwright virtualenv `Scripts/setup --test-tools` installs. A missing piece is
/// an error (never a skip): a browser test that passes because it did not run hides a broken UI.
enum BrowserTools {
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("WebUI/e2e.py").path
    }

    static func locate() throws -> (python: String, chromium: String) {
        let env = ProcessInfo.processInfo.environment
        let venv = env["ORCHD_TEST_VENV"] ?? ((env["HOME"] ?? "/root") + "/.cache/orchd-test-venv")
        let python = venv + "/bin/python"
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let chromium else {
            throw GroupError("the web UI browser tests need Debian's chromium (/usr/bin/chromium): run `Scripts/setup --test-tools`")
        }
        guard FileManager.default.isExecutableFile(atPath: python),
              try run(python, ["-c", "import playwright.sync_api"], timeoutSeconds: 60).status == 0 else {
            throw GroupError("the web UI browser tests need Playwright in the virtualenv \(venv): run `Scripts/setup --test-tools`")
        }
        return (python, chromium)
    }

    /// Runs a program; its stdout and stderr together; killed after `timeoutSeconds`.
    static func run(_ program: String, _ arguments: [String], timeoutSeconds: Double) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        let outPath = NSTemporaryDirectory() + "/webui-\(UUID().uuidString).out"
        guard FileManager.default.createFile(atPath: outPath, contents: nil) else {
            throw GroupError("cannot create \(outPath)")
        }
        defer { try? FileManager.default.removeItem(atPath: outPath) }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while p.isRunning && Date() < deadline { usleep(100_000) }
        var timedOut = false
        if p.isRunning {
            timedOut = true
            p.terminate()
            p.waitUntilExit()
        }
        try out.close()
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        return (timedOut ? -1 : p.terminationStatus, timedOut ? text + "\n(killed after \(Int(timeoutSeconds)) s)" : text)
    }
}
