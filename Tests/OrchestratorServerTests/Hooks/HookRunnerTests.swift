import Foundation
import OrchestratorCore
@testable import OrchestratorServer
import OrchestratorServerTestKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Real shells, real files; each test works in its own temporary directory.
@Suite("Hooks: ProcessHookRunner")
struct HookRunnerTests {
    // MARK: - Fixtures

    static func context(alias: String = "main", successful: Bool = true) -> HookContext {
        var analysis = ReplicationAnalysis(
            analyzedInstanceKey: InstanceKey(hostname: "db1", port: 3306),
            clusterDetails: ClusterInfo(clusterName: "db1:3306", clusterAlias: alias, countInstances: 3, heuristicLag: 0,
                                        hasAutomatedMasterRecovery: true, hasAutomatedIntermediateMasterRecovery: false))
        analysis.analysis = .deadMaster
        analysis.isMaster = true
        analysis.countReplicas = 2
        analysis.replicas = [InstanceKey(hostname: "db2", port: 3306), InstanceKey(hostname: "db3", port: 3306)]
        analysis.description = "Master cannot be reached by orchd and none of its replicas is replicating"
        var recovery = TopologyRecovery(id: 1, uid: "uid-1", analysisEntry: analysis, type: "MasterRecovery",
                                        start: Timestamp(secondsSinceEpoch: 1_700_000_000))
        if successful {
            recovery.resolve(successor: InstanceKey(hostname: "db2", port: 3306), successful: true,
                             at: Timestamp(secondsSinceEpoch: 1_700_000_001))
        }
        return HookContext(recovery: recovery, orchestratorHost: "orc1")
    }

    final class Scratch {
        let path: String
        init() throws {
            path = NSTemporaryDirectory() + "orchd-hooks-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func file(_ name: String) -> String { path + "/" + name }
        func read(_ name: String) -> String? { try? String(contentsOfFile: file(name), encoding: .utf8) }
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }
    }

    /// Bounded wait for something that happens in another process.
    static func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return condition()
    }

    /// True while `pid` is a live (non-zombie) process.
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    let runner = ProcessHookRunner()

    // MARK: - Values reach the command

    @Test func placeholdersAndEnvironmentReachTheCommand() async throws {
        let dir = try Scratch()
        let results = await runner.run(
            phase: .postFailover,
            commands: ["echo {failedHost}:{failedPort} $ORC_FAILURE_TYPE {successorHost} \"{failureClusterAlias}\" '{countReplicas}' > \(dir.file("out"))"],
            context: Self.context(), timeoutSeconds: 10)
        #expect(results.count == 1)
        #expect(results[0].succeeded && results[0].exitCode == 0)
        #expect(dir.read("out") == "db1:3306 DeadMaster db2 main 2\n")
        #expect(results[0].expandedCommand.hasPrefix("echo db1:3306 $ORC_FAILURE_TYPE db2 \"main\" '2' > "))
    }

    @Test func hooksInheritNoDescriptorBeyondTheStandardThree() async throws {
        let dir = try Scratch()
        // A descriptor orchd holds without close-on-exec (as a library might open one).
        let held = open(dir.file("held"), O_CREAT | O_WRONLY, 0o600)
        #expect(held > 2)
        defer { close(held) }
        let results = await runner.run(
            phase: .postFailover, commands: ["ls /proc/self/fd > \(dir.file("fds"))"],
            context: Self.context(), timeoutSeconds: 10)
        #expect(results.first?.succeeded == true)
        // ls itself opens one directory descriptor; everything else must be 0, 1 and 2.
        let fds = (dir.read("fds") ?? "").split(separator: "\n").compactMap { Int($0) }.filter { $0 > 2 }
        #expect(fds.count <= 1, "hook inherited descriptors \(fds)")
        if held > 3 { #expect(!fds.contains(Int(held))) }
    }

    @Test func upstreamSampleCommandStillReadsNaturally() async throws {
        let dir = try Scratch()
        // Upstream's sample configuration writes placeholders inside single quotes.
        let command = "echo 'Recovered from {failureType} on {failureCluster}. Failed: {failedHost}:{failedPort}; "
            + "Successor: {successorHost}:{successorPort}' >> \(dir.file("log"))"
        let results = await runner.run(phase: .postFailover, commands: [command], context: Self.context(), timeoutSeconds: 10)
        #expect(results.first?.succeeded == true)
        #expect(dir.read("log") == "Recovered from DeadMaster on db1:3306. Failed: db1:3306; Successor: db2:3306\n")
    }

    @Test(arguments: ["x; touch PWNED", "x' ; touch PWNED; echo '", "x\" ; touch PWNED; echo \"", "$(touch PWNED)",
                      "`touch PWNED`", "x\\'; touch PWNED #", "a b  *"])
    func hostileValuesAreDataNotCode(alias: String) async throws {
        let dir = try Scratch()
        let commands = [
            "cd \(dir.path) && printf '%s\\n' {failureClusterAlias} > unquoted",
            "cd \(dir.path) && printf '%s\\n' \"{failureClusterAlias}\" > double",
            "cd \(dir.path) && printf '%s\\n' '{failureClusterAlias}' > single",
            "cd \(dir.path) && printf '%s\\n' \"alias=[{failureClusterAlias}]\" 'alias=[{failureClusterAlias}]' > embedded",
        ]
        let results = await runner.run(phase: .postFailover, commands: commands, context: Self.context(alias: alias),
                                       timeoutSeconds: 10)
        #expect(results.count == 4)
        let summaries = results.map { $0.summary }
        #expect(results.allSatisfy { $0.succeeded }, "\(summaries)")
        #expect(!dir.exists("PWNED"))
        // Each form passes exactly the value, as one argument.
        #expect(dir.read("unquoted") == alias + "\n")
        #expect(dir.read("double") == alias + "\n")
        #expect(dir.read("single") == alias + "\n")
        #expect(dir.read("embedded") == "alias=[\(alias)]\nalias=[\(alias)]\n")
    }

    @Test func scriptNeverContainsTheValue() {
        let script = HookScript(command: "notify {failureClusterAlias}", context: Self.context(alias: "evil; rm -rf /"))
        #expect(!script.script.contains("evil"))
        #expect(script.environment["ORCHD_HOOK_failureClusterAlias"] == "evil; rm -rf /")
        #expect(script.environment["ORC_FAILURE_CLUSTER_ALIAS"] == "evil; rm -rf /")
        #expect(script.display == "notify evil; rm -rf /")
    }

    @Test func unknownPlaceholdersAndShellVariablesStayAsWritten() async throws {
        let context = Self.context(successful: false)
        let script = HookScript(command: "echo ${HOME} {successorHost} {nope}", context: context)
        #expect(script.script == "echo ${HOME} {successorHost} {nope}")
        let results = await runner.run(phase: .postUnsuccessfulFailover, commands: ["echo {successorHost} {isSuccessful}"],
                                       context: context, timeoutSeconds: 10)
        #expect(results.first?.output == "{successorHost} false\n")
    }

    // MARK: - Order and failure rules

    @Test func commandsRunInOrder() async throws {
        let dir = try Scratch()
        let commands = (1...5).map { "echo \($0) >> \(dir.file("order"))" }
        let results = await runner.run(phase: .postMasterFailover, commands: commands, context: Self.context(), timeoutSeconds: 10)
        #expect(results.map(\.command) == commands)
        #expect(dir.read("order") == "1\n2\n3\n4\n5\n")
        #expect(!results.abortsRecovery)
    }

    @Test(arguments: [HookPhase.onFailureDetection, .preFailover, .preGracefulTakeover])
    func failingPreHookAbortsAndSkipsTheRest(phase: HookPhase) async throws {
        let dir = try Scratch()
        let commands = ["touch \(dir.file("a"))", "echo refusing; exit 3", "touch \(dir.file("c"))"]
        let results = await runner.run(phase: phase, commands: commands, context: Self.context(), timeoutSeconds: 10)
        #expect(results.count == 2)
        #expect(results[1].exitCode == 3 && results[1].output == "refusing\n")
        #expect(results[1].abortsRecovery && !results[0].abortsRecovery)
        #expect(results.abortsRecovery)
        #expect(dir.exists("a") && !dir.exists("c"))
    }

    @Test(arguments: [HookPhase.postMasterFailover, .postIntermediateMasterFailover, .postFailover,
                      .postUnsuccessfulFailover, .postGracefulTakeover])
    func failingPostHookIsRecordedAndTheRestRun(phase: HookPhase) async throws {
        let dir = try Scratch()
        let commands = ["exit 7", "touch \(dir.file("b"))"]
        let results = await runner.run(phase: phase, commands: commands, context: Self.context(), timeoutSeconds: 10)
        #expect(results.map(\.exitCode) == [7, 0])
        #expect(!results.abortsRecovery)
        #expect(dir.exists("b"))
    }

    @Test func missingShellIsAFailureThatAbortsAPrePhase() async throws {
        let results = await runner.run(phase: .preFailover, commands: ["true", "true"], context: Self.context(),
                                       timeoutSeconds: 10, shell: "/nonexistent/orchd-shell")
        #expect(results.count == 1)
        #expect(results[0].launchError?.contains("ProcessesShellCommand") == true)
        #expect(results.abortsRecovery)
    }

    // MARK: - Timeouts, async, output

    @Test func timeoutKillsTheCommandAndItsChildren() async throws {
        let dir = try Scratch()
        let command = "sleep 30 & echo $! > \(dir.file("child")); echo started; sleep 30"
        let results = await runner.run(phase: .preFailover, commands: [command, "touch \(dir.file("after"))"],
                                       context: Self.context(), timeoutSeconds: 1)
        #expect(results.count == 1)
        let result = try #require(results.first)
        #expect(result.timedOut && result.exitCode == nil && result.signal == SIGKILL)
        #expect(result.abortsRecovery)
        #expect(result.output == "started\n")
        #expect(result.durationSeconds < 30)  // not a timing threshold: the sleeps would take 30 s
        #expect(!dir.exists("after"))
        let child = try #require(Int32(dir.read("child")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        #expect(await Self.eventually { !Self.isRunning(child) })
    }

    @Test func asyncCommandIsNotWaitedForButStillBoundedByTheTimeout() async throws {
        let dir = try Scratch()
        let command = "echo $$ > \(dir.file("pid")); sleep 30; touch \(dir.file("finished")) &"
        let results = await runner.run(phase: .preFailover, commands: [command, "exit 1 &", "touch \(dir.file("next"))"],
                                       context: Self.context(), timeoutSeconds: 1)
        // Returned while the first command still sleeps; the failing async one does not abort.
        #expect(results.count == 3)
        #expect(results[0].isAsync && results[0].exitCode == nil && results[0].succeeded)
        #expect(results[1].isAsync && !results.abortsRecovery)
        #expect(dir.exists("next"))
        #expect(await Self.eventually { dir.read("pid")?.hasSuffix("\n") == true })
        let pid = try #require(Int32(dir.read("pid")!.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!dir.exists("finished"))
        // Killed at the timeout.
        #expect(await Self.eventually { !Self.isRunning(pid) })
        #expect(!dir.exists("finished"))
    }

    @Test func outputIsCapturedInterleavedAndBounded() async throws {
        let small = await runner.run(phase: .postFailover, commands: ["echo out; echo err >&2; echo out2"],
                                     context: Self.context(), timeoutSeconds: 10)
        #expect(small.first?.output == "out\nerr\nout2\n")
        #expect(small.first?.outputTruncated == false)

        let bounded = ProcessHookRunner(outputLimitBytes: 1000)
        let big = await bounded.run(phase: .postFailover, commands: ["seq 1 100000"], context: Self.context(), timeoutSeconds: 10)
        let result = try #require(big.first)
        #expect(result.exitCode == 0 && result.outputTruncated)
        #expect(result.output.utf8.count == 1000)
        #expect(result.output.hasSuffix("99999\n100000\n"))
    }

    @Test func backgroundChildHoldingTheOutputDoesNotDelayTheResult() async throws {
        let dir = try Scratch()
        // Not an async hook: the shell exits at once, leaving a child that keeps stdout open.
        let results = await runner.run(phase: .postFailover,
                                       commands: ["(sleep 30; touch \(dir.file("late"))) & echo $$ > \(dir.file("pid")); echo done"],
                                       context: Self.context(), timeoutSeconds: 20)
        #expect(results.first?.exitCode == 0 && results.first?.timedOut == false)
        #expect(results.first?.output == "done\n")
        #expect(results.first.map { $0.durationSeconds < 20 } == true)  // well inside the timeout
        // Clean up the leftover child: the hook's shell led its own process group.
        if let pid = Int32(dir.read("pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") { kill(-pid, SIGKILL) }
    }

    @Test func withheldVariablesDoNotReachHooks() async throws {
        setenv("ORCHD_HOOK_TEST_SECRET", "s3cret", 1)
        setenv("ORCHD_HOOK_TEST_VISIBLE", "visible", 1)
        let runner = ProcessHookRunner(withheldEnvironment: ["ORCHD_HOOK_TEST_SECRET"])
        let results = await runner.run(phase: .postFailover,
                                       commands: ["echo \"${ORCHD_HOOK_TEST_SECRET-withheld} $ORCHD_HOOK_TEST_VISIBLE\""],
                                       context: Self.context(), timeoutSeconds: 10)
        #expect(results.first?.output == "withheld visible\n")
    }

    @Test func variablesTheConfigurationExpandedIntoCredentialsDoNotReachHooks() async throws {
        let name = "ZQH_" + String(UInt64.random(in: 1...UInt64.max), radix: 36).uppercased()
        setenv(name, "topo-\(name)", 1)
        setenv("ORCHD_HOOK_TEST_COPY", "topo-\(name)", 1)
        defer { unsetenv(name); unsetenv("ORCHD_HOOK_TEST_COPY") }
        let environment = ProcessInfo.processInfo.environment
        let (config, _) = try OrchestratorConfiguration.load(
            json: Array(#"{"MySQLTopologyPassword": "${\#(name)}"}"#.utf8), path: "c.json", environment: environment)
        let runner = ProcessHookRunner(withheldEnvironment: config.credentialEnvironmentNames(in: environment))
        let results = await runner.run(phase: .postFailover,
                                       commands: ["echo \"${\(name)-withheld} ${ORCHD_HOOK_TEST_COPY-withheld} $HOME\""],
                                       context: Self.context(), timeoutSeconds: 10)
        #expect(results.first?.output == "withheld withheld \(environment["HOME"] ?? "")\n")
    }

    @Test func resultIsCodableForTheAudit() async throws {
        let results = await runner.run(phase: .postFailover, commands: ["echo {failedHost}"], context: Self.context(), timeoutSeconds: 10)
        let data = try JSONEncoder().encode(results)
        let decoded = try JSONDecoder().decode([HookResult].self, from: data)
        #expect(decoded.map(\.command) == ["echo {failedHost}"])
        #expect(decoded.first?.output == "db1\n")
        #expect(decoded.first?.phase == .postFailover)
        #expect(String(decoding: data, as: UTF8.self).contains("PostFailoverProcesses"))
    }
}

@Suite("Hooks: RecordingHookRunner")
struct RecordingHookRunnerTests {
    @Test func recordsCallsAndAppliesTheAbortRule() async {
        let runner = RecordingHookRunner(failing: ["check"])
        let context = HookRunnerTests.context()
        let pre = await runner.run(phase: .preFailover, commands: ["ok {failedHost}", "check", "never"], context: context,
                                   timeoutSeconds: 5)
        let post = await runner.run(phase: .postFailover, commands: ["check", "after &"], context: context, timeoutSeconds: 5)
        #expect(pre.map(\.command) == ["ok {failedHost}", "check"])
        #expect(pre.abortsRecovery)
        #expect(post.map(\.command) == ["check", "after &"] && !post.abortsRecovery && post[1].isAsync)
        #expect(runner.phases == [.preFailover, .postFailover])
        #expect(runner.executed.map(\.display) == ["ok db1", "check", "check", "after"])
        #expect(runner.calls.first?.shell == "bash")
    }
}
