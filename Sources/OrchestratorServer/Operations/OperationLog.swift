import Foundation
import OrchestratorCore

/// One step an operation took on one instance: what ran (secrets masked), when, and how it ended.
/// Codable, so the executor can keep the steps in the recovery audit.
public struct OperationLogEntry: Sendable, Codable, Equatable {
    /// The operation, e.g. `change-master`.
    public var name: String
    public var instance: InstanceKey
    /// The changing statements, as shown (passwords masked); waits appear as the SELECT that waits.
    public var statements: [String]
    public var startedAt: Date
    public var endedAt: Date
    /// True when the statements were only shown, not run (`--noop`).
    public var dryRun: Bool
    /// Nil on success, else the error's description.
    public var error: String?
    /// A short outcome worth showing besides ok/error, e.g. `timed out`, `caught up`.
    public var note: String?

    public var succeeded: Bool { error == nil }
    public var durationMilliseconds: Int64 { Int64((endedAt.timeIntervalSince(startedAt) * 1000).rounded()) }
}

/// An ordered, thread-safe record of the steps of one recovery or refactoring. Hand it to
/// ``ReplicationOperations`` (``ReplicationOperations/recording(into:)``); every operation appends an entry
/// when it ends, successful or not.
public final class OperationLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [OperationLogEntry] = []

    public init() {}

    /// The entries in the order the operations ended.
    public var entries: [OperationLogEntry] { lock.withLock { stored } }

    public func append(_ entry: OperationLogEntry) { lock.withLock { stored.append(entry) } }

    /// One line per entry, for `--noop` output and logs:
    /// `ok 12ms stop-replica 127.0.0.1:3307: STOP SLAVE`.
    public var lines: [String] {
        entries.map { e in
            let status = e.dryRun ? "noop" : (e.succeeded ? "ok" : "error")
            var line = "\(status) \(e.durationMilliseconds)ms \(e.name) \(e.instance.displayString)"
            if !e.statements.isEmpty { line += ": " + e.statements.joined(separator: "; ") }
            if let note = e.note { line += " (\(note))" }
            if let error = e.error { line += " -- " + error }
            return line
        }
    }
}
