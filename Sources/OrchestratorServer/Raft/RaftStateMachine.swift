import OrchestratorCore

/// The replicated application driven by `RaftService`. Implementations must be deterministic:
/// the same entries in the same order give the same state on every node.
///
/// Durability contract: `lastApplied` must be persisted together with the effect of the entry
/// that advanced it (one transaction), so a restart never re-applies or skips an entry.
public protocol RaftStateMachine: Sendable {
    /// Index of the last entry applied (or restored from a snapshot); 0 when empty.
    var lastApplied: UInt64 { get }
    /// Applies one committed entry and records `entry.index` as `lastApplied`. Called for every
    /// committed entry in order, including `.noop` and `.configuration` entries (which carry no
    /// application data but still advance `lastApplied`).
    func apply(_ entry: RaftEntry) throws
    /// The state as of `lastApplied`, as opaque bytes.
    func snapshot() throws -> [UInt8]
    /// Replaces the whole state with `snapshot.data`; `lastApplied` becomes `snapshot.metadata.index`.
    func restore(_ snapshot: RaftSnapshot) throws
}
