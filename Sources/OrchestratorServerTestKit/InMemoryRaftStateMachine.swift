import OrchestratorServer
import OrchestratorCore
import Synchronization

/// A tiny deterministic state machine for tests and the raft harness: it counts applied commands
/// and folds their bytes into a running digest, so two nodes hold the same state exactly when
/// they applied the same commands in the same order. Not durable (a restart begins empty and is
/// rebuilt from the snapshot and the log).
public final class InMemoryRaftStateMachine: RaftStateMachine {
    /// The whole state.
    public struct State: Sendable, Equatable {
        public var lastApplied: UInt64 = 0
        public var commands: UInt64 = 0
        public var digest: UInt64 = 0xcbf2_9ce4_8422_2325
        public var last: [UInt8] = []
    }

    private let state = Mutex(State())

    public init() {}

    public var current: State { state.withLock { $0 } }
    public var lastApplied: UInt64 { state.withLock { $0.lastApplied } }

    public func apply(_ entry: RaftEntry) throws {
        state.withLock { s in
            precondition(entry.index == s.lastApplied + 1, "applied \(entry.index) after \(s.lastApplied)")
            s.lastApplied = entry.index
            guard entry.kind == .normal else { return }
            s.commands += 1
            s.digest = fnv1a64(withUnsafeBytes(of: s.digest.littleEndian, Array.init) + entry.data)
            s.last = entry.data
        }
    }

    public func snapshot() throws -> [UInt8] {
        state.withLock { s in
            var w = RaftBinaryWriter()
            w.u64(s.lastApplied)
            w.u64(s.commands)
            w.u64(s.digest)
            w.blob(s.last)
            return w.bytes
        }
    }

    public func restore(_ snapshot: RaftSnapshot) throws {
        var r = RaftBinaryReader(snapshot.data)
        var new = State()
        if !snapshot.data.isEmpty {
            _ = try r.u64()
            new.commands = try r.u64()
            new.digest = try r.u64()
            new.last = try r.blob()
        }
        new.lastApplied = snapshot.metadata.index
        state.withLock { $0 = new }
    }
}
