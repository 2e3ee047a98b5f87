import Foundation

/// What one hook command did, kept in the recovery audit. Holds no secrets: hooks receive only the
/// recovery's placeholders and `ORC_*` values (never credentials), and the environment is not recorded.
public struct HookResult: Sendable, Codable, Equatable {
    public var phase: HookPhase
    /// The command as configured (including a trailing `&`).
    public var command: String
    /// The command with placeholders filled in with their raw values, for people reading the audit.
    /// What actually ran is `HookScript.script`, which refers to the values through the environment.
    public var expandedCommand: String
    /// Launched with a trailing `&`: not waited for, output discarded, errors ignored.
    public var isAsync: Bool
    /// Exit status of a command that exited normally; nil if killed by a signal, async, or not started.
    public var exitCode: Int32?
    /// The signal that ended the shell (for a timeout: SIGKILL).
    public var signal: Int32?
    /// Still running after the timeout, so its process group was killed.
    public var timedOut: Bool
    /// Why the shell could not be started (e.g. `ProcessesShellCommand` not found).
    public var launchError: String?
    /// stdout and stderr interleaved, the last `outputLimitBytes` only.
    public var output: String
    /// More output was produced than kept.
    public var outputTruncated: Bool
    public var startedAt: Date
    public var endedAt: Date
    /// This command failed in a "pre" phase: the remaining commands were skipped and the recovery must
    /// not go on.
    public var abortsRecovery: Bool

    public init(phase: HookPhase, command: String, expandedCommand: String, isAsync: Bool, exitCode: Int32? = nil,
                signal: Int32? = nil, timedOut: Bool = false, launchError: String? = nil, output: String = "",
                outputTruncated: Bool = false, startedAt: Date, endedAt: Date, abortsRecovery: Bool = false) {
        self.phase = phase
        self.command = command
        self.expandedCommand = expandedCommand
        self.isAsync = isAsync
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.launchError = launchError
        self.output = output
        self.outputTruncated = outputTruncated
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.abortsRecovery = abortsRecovery
    }

    /// Ran to a zero exit status within the timeout (an async command: was started).
    public var succeeded: Bool {
        guard launchError == nil, !timedOut else { return false }
        return isAsync || exitCode == 0
    }

    /// Wall time the runner spent on it (for an async command: the launch only).
    public var durationSeconds: Double { endedAt.timeIntervalSince(startedAt) }

    /// One line for logs and errors: `PreFailoverProcesses "cmd": exit 3` / `timed out after ...`.
    public var summary: String {
        let outcome: String
        if let launchError { outcome = "could not start: \(launchError)" }
        else if timedOut { outcome = "timed out after \(String(format: "%.1f", durationSeconds)) s and was killed" }
        else if isAsync { outcome = "started asynchronously" }
        else if let exitCode { outcome = "exit \(exitCode)" }
        else if let signal { outcome = "killed by signal \(signal)" }
        else { outcome = "unknown outcome" }
        return "\(phase.rawValue) \"\(command)\": \(outcome)"
    }
}

extension Array where Element == HookResult {
    /// A pre-hook failed: the recovery must abort.
    public var abortsRecovery: Bool { contains { $0.abortsRecovery } }
}
