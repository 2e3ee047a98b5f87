import Foundation
import OrchestratorCore

/// Runs the commands configured for a recovery phase. The seam between the recovery executor and the
/// operating system: `ProcessHookRunner` runs real shells, `RecordingHookRunner` (in OrchestratorServerTestKit) is the in-memory twin.
public protocol HookRunner: Sendable {
    /// Runs `commands` in order, each as `<shell> -c <command>` with placeholders and `ORC_*` values
    /// from `context` (see `HookScript` for how values are passed without shell injection).
    ///
    /// - In a "pre" phase (`HookPhase.isPre`) the first failing command (non-zero exit, timeout, or not
    ///   startable) ends the phase; its result has `abortsRecovery` set and later commands do not run.
    /// - In the other phases every command runs; failures are only recorded.
    /// - A command ending in `&` is started and not waited for; its errors are ignored and its output
    ///   discarded, but it is still killed after `timeoutSeconds`.
    /// - Returns one result per command that ran, in order.
    func run(phase: HookPhase, commands: [String], context: HookContext, timeoutSeconds: Int,
             shell: String) async -> [HookResult]
}

extension HookRunner {
    /// `run` with upstream's default `ProcessesShellCommand`, `bash`.
    public func run(phase: HookPhase, commands: [String], context: HookContext,
                    timeoutSeconds: Int) async -> [HookResult] {
        await run(phase: phase, commands: commands, context: context, timeoutSeconds: timeoutSeconds, shell: "bash")
    }

    /// Runs the phase's commands as configured (`ProcessesShellCommand`, `HookTimeoutSeconds`).
    public func run(phase: HookPhase, configuration: OrchestratorConfiguration, context: HookContext) async -> [HookResult] {
        await run(phase: phase, commands: phase.commands(in: configuration), context: context,
                  timeoutSeconds: configuration.hookTimeoutSeconds, shell: configuration.processesShellCommand)
    }
}

/// The ordering and abort rule shared by every `HookRunner`.
package enum HookPhaseSequence {
    package static func run(phase: HookPhase, commands: [String], context: HookContext,
                    execute: (HookScript) async -> HookResult) async -> [HookResult] {
        var results: [HookResult] = []
        for command in commands where !command.trimmingCharacters(in: .whitespaces).isEmpty {
            var result = await execute(HookScript(command: command, context: context))
            if phase.isPre && !result.isAsync && !result.succeeded {
                result.abortsRecovery = true
                results.append(result)
                break
            }
            results.append(result)
        }
        return results
    }
}

/// Runs hooks as real processes (see `HookProcess`).
public struct ProcessHookRunner: HookRunner {
    /// Output kept per command: the last this many bytes.
    public var outputLimitBytes: Int
    /// Variables of orchd's own environment that hooks must not inherit, e.g. those named by
    /// `${ENV_VAR}` password values in the configuration. Everything else is inherited, as upstream does.
    public var withheldEnvironment: Set<String>

    public init(outputLimitBytes: Int = 64 * 1024, withheldEnvironment: Set<String> = []) {
        self.outputLimitBytes = outputLimitBytes
        self.withheldEnvironment = withheldEnvironment
    }

    public func run(phase: HookPhase, commands: [String], context: HookContext, timeoutSeconds: Int,
                    shell: String) async -> [HookResult] {
        await HookPhaseSequence.run(phase: phase, commands: commands, context: context) { script in
            await execute(script, phase: phase, timeoutSeconds: timeoutSeconds, shell: shell)
        }
    }

    private func execute(_ script: HookScript, phase: HookPhase, timeoutSeconds: Int, shell: String) async -> HookResult {
        let startedAt = Date()
        var result = HookResult(phase: phase, command: script.command, expandedCommand: script.display,
                                isAsync: script.isAsync, startedAt: startedAt, endedAt: startedAt)
        let process: HookProcess
        do {
            process = try HookProcess(shell: shell, script: script.script, environment: script.environment,
                                      withholding: withheldEnvironment, captureOutput: !script.isAsync)
        } catch {
            result.launchError = "\(error)"
            result.endedAt = Date()
            return result
        }
        if script.isAsync {
            process.detach(timeout: timeoutSeconds)
            result.endedAt = Date()
            return result
        }
        let outcome = await process.wait(timeout: timeoutSeconds, outputLimit: outputLimitBytes)
        result.endedAt = Date()
        result.exitCode = outcome.timedOut ? nil : outcome.exitCode
        result.signal = outcome.signal
        result.timedOut = outcome.timedOut
        result.output = outcome.output
        result.outputTruncated = outcome.outputTruncated
        return result
    }
}
