import OrchestratorServer
import Foundation
import OrchestratorCore

/// In-memory `HookRunner` for tests of the recovery executor: runs nothing, records each call, and
/// applies the same ordering and abort rule as `ProcessHookRunner`. Commands listed in `failing` exit 1,
/// those in `timingOut` time out.
public final class RecordingHookRunner: HookRunner, @unchecked Sendable {
    /// One `run` call as received.
    public struct Call: Sendable, Equatable {
        public var phase: HookPhase
        public var commands: [String]
        public var context: HookContext
        public var timeoutSeconds: Int
        public var shell: String
    }

    private let lock = NSLock()
    private var _calls: [Call] = []
    private var _executed: [HookScript] = []
    private let failing: Set<String>
    private let timingOut: Set<String>

    public init(failing: Set<String> = [], timingOut: Set<String> = []) {
        self.failing = failing
        self.timingOut = timingOut
    }

    /// Every `run` call, in order.
    public var calls: [Call] { lock.withLock { _calls } }
    /// Every command that would have been started, in order, as prepared for the shell.
    public var executed: [HookScript] { lock.withLock { _executed } }
    /// The phases run, in order.
    public var phases: [HookPhase] { calls.map(\.phase) }

    public func run(phase: HookPhase, commands: [String], context: HookContext, timeoutSeconds: Int,
                    shell: String) async -> [HookResult] {
        lock.withLock { _calls.append(Call(phase: phase, commands: commands, context: context,
                                           timeoutSeconds: timeoutSeconds, shell: shell)) }
        return await HookPhaseSequence.run(phase: phase, commands: commands, context: context) { script in
            lock.withLock { _executed.append(script) }
            let now = Date()
            var result = HookResult(phase: phase, command: script.command, expandedCommand: script.display,
                                    isAsync: script.isAsync, startedAt: now, endedAt: now)
            if !script.isAsync {
                if timingOut.contains(script.command) { result.timedOut = true; result.signal = SIGKILL }
                else { result.exitCode = failing.contains(script.command) ? 1 : 0 }
            }
            return result
        }
    }
}
