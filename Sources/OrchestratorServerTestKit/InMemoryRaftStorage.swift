import OrchestratorServer
import OrchestratorCore
import Synchronization

/// In-memory twin of `SQLiteRaftStorage`, with the same log rules; for tests and simulations.
/// `crash()`-free by nature: what it holds is what a durable store would hold.
public final class InMemoryRaftStorage: RaftStorage {
    private struct State {
        var stored = RaftStoredState()
        var snapshotData: [UInt8] = []
    }

    private let state = Mutex(State())

    public init(_ initial: RaftStoredState = RaftStoredState()) {
        state.withLock { $0.stored = initial }
    }

    public func load() throws -> RaftStoredState {
        state.withLock { $0.stored.trimmed }
    }

    public func persist(hardState: RaftHardState?, entries: [RaftEntry]) throws {
        try state.withLock { s in
            var copy = s.stored
            try copy.append(entries)
            if let hardState { copy.hardState = hardState }
            s.stored = copy
        }
    }

    public func saveSnapshot(_ snapshot: RaftSnapshot) throws {
        state.withLock { s in
            s.stored.snapshot = snapshot.metadata
            s.snapshotData = snapshot.data
        }
    }

    public func installSnapshot(_ snapshot: RaftSnapshot) throws {
        state.withLock { s in
            s.stored.snapshot = snapshot.metadata
            s.stored.entries.removeAll()
            s.snapshotData = snapshot.data
        }
    }

    public func loadSnapshot() throws -> RaftSnapshot? {
        state.withLock { s in
            s.stored.snapshot.map { RaftSnapshot(metadata: $0, data: s.snapshotData) }
        }
    }

    public func compact(through index: UInt64) throws {
        try state.withLock { s in
            let snap = s.stored.snapshot?.index ?? 0
            guard index <= snap else { throw RaftStorageError.compactBeyondSnapshot(index: index, snapshot: snap) }
            s.stored.entries.removeAll { $0.index <= index }
        }
    }
}
