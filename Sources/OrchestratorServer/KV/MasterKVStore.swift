import OrchestratorCore

/// A key-value store applications read their cluster's master from. `put` writes all `pairs` or
/// throws (naming the store and why); a store that is down must fail fast rather than hang.
public protocol MasterKVStore: Sendable {
    /// How logs and audits name the store, e.g. `etcd http://127.0.0.1:2379`.
    var name: String { get }
    func put(_ pairs: [KVPair]) async throws
}

/// A store write that failed, naming the store.
public struct MasterKVStoreError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
