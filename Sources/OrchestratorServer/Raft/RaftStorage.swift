import Foundation
import OrchestratorCore

// MARK: - Storage seam

/// Everything a Raft node reloads after a restart.
public struct RaftStoredState: Sendable, Equatable {
    /// Term, vote and commit index as last persisted.
    public var hardState: RaftHardState
    /// The newest snapshot's metadata, or `nil` when no snapshot was ever taken or installed.
    public var snapshot: RaftSnapshotMetadata?
    /// Log entries after the snapshot, in index order, without gaps (as returned by `load`).
    public var entries: [RaftEntry]

    public init(hardState: RaftHardState = RaftHardState(), snapshot: RaftSnapshotMetadata? = nil, entries: [RaftEntry] = []) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.entries = entries
    }

    /// Index of the last entry known (log or snapshot).
    public var lastIndex: UInt64 { max(entries.last?.index ?? 0, snapshot?.index ?? 0) }
}

/// Durable Raft state: hard state, log, snapshot. Every mutating call is durable when it returns
/// (that is what lets the service send messages that depend on it).
///
/// Log rule: `append` writes entries starting at `entries.first.index`; any stored entry at or after
/// that index is replaced (the conflicting suffix is truncated), as Raft's AppendEntries demands.
public protocol RaftStorage: Sendable {
    /// Reloads the persisted state (called once at start).
    func load() throws -> RaftStoredState
    /// Persists the hard state (if given) and entries (if any) in one atomic, durable step.
    func persist(hardState: RaftHardState?, entries: [RaftEntry]) throws
    /// Saves a snapshot the local state machine took (`RaftAction.persistSnapshot`). The log is left
    /// as is; `compact(through:)` drops the covered entries afterwards.
    func saveSnapshot(_ snapshot: RaftSnapshot) throws
    /// Saves a snapshot received from the leader (`RaftAction.installSnapshot`) and deletes the whole
    /// log, in one durable step as far as the log is concerned.
    func installSnapshot(_ snapshot: RaftSnapshot) throws
    /// Reads the newest snapshot (metadata and data), if any.
    func loadSnapshot() throws -> RaftSnapshot?
    /// Drops log entries with index <= `index` (never beyond the newest snapshot).
    func compact(through index: UInt64) throws
}

/// Errors raised by Raft storage.
public enum RaftStorageError: Error, CustomStringConvertible, Equatable {
    case gap(expected: UInt64, got: UInt64)
    case compactBeyondSnapshot(index: UInt64, snapshot: UInt64)
    case corruptSnapshot(path: String, reason: String)
    case io(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case let .gap(expected, got):
            return "raft log append would leave a gap: expected index <= \(expected), got \(got)"
        case let .compactBeyondSnapshot(index, snapshot):
            return "cannot compact the raft log through \(index): the newest snapshot covers only \(snapshot); take a snapshot first"
        case let .corruptSnapshot(path, reason):
            return "raft snapshot \(path) is corrupt (\(reason)); remove it and let the leader send a new one"
        case let .io(path, operation, errno):
            return "raft storage: \(operation) \(path) failed: \(String(cString: strerror(errno))) (errno \(errno)); check RaftDataDir permissions and free space"
        }
    }
}

// MARK: - Shared log rules

extension RaftStoredState {
    /// Applies the storage log rules to an in-memory state (used by the in-memory twin and for checks).
    package mutating func append(_ new: [RaftEntry]) throws {
        guard let first = new.first else { return }
        let next = lastIndex + 1
        guard first.index <= next else { throw RaftStorageError.gap(expected: next, got: first.index) }
        entries.removeAll { $0.index >= first.index }
        if let snap = snapshot, first.index <= snap.index {
            // Entries at or before the snapshot are already covered; keep only the tail.
            entries.append(contentsOf: new.filter { $0.index > snap.index })
        } else {
            entries.append(contentsOf: new)
        }
    }

    /// The stored state as a node reloads it: entries the snapshot covers are left out.
    package var trimmed: RaftStoredState {
        var copy = self
        if let snap = snapshot { copy.entries.removeAll { $0.index <= snap.index } }
        return copy
    }
}
