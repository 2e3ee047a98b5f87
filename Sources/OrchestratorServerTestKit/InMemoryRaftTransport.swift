import OrchestratorServer
import OrchestratorCore
import Synchronization

/// An in-process network of `InMemoryRaftTransport` endpoints, for tests of the service without
/// sockets. Links can be cut (one-way or both ways) to simulate partitions.
public final class InMemoryRaftNetwork: Sendable {
    private struct State {
        var endpoints: [RaftNodeID: AsyncStream<RaftFrame>.Continuation] = [:]
        var blocked: Set<[RaftNodeID]> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// A new endpoint for `id` on this network.
    public func endpoint(_ id: RaftNodeID) -> InMemoryRaftTransport {
        InMemoryRaftTransport(id: id, network: self)
    }

    /// Stops delivery from `from` to `to` (one way).
    public func block(from: RaftNodeID, to: RaftNodeID) {
        _ = state.withLock { $0.blocked.insert([from, to]) }
    }

    /// Cuts `id` off from everyone, both ways.
    public func isolate(_ id: RaftNodeID) {
        state.withLock { s in
            for other in s.endpoints.keys where other != id {
                s.blocked.insert([id, other])
                s.blocked.insert([other, id])
            }
        }
    }

    /// Restores every link.
    public func heal() {
        state.withLock { $0.blocked.removeAll() }
    }

    func register(_ id: RaftNodeID, _ continuation: AsyncStream<RaftFrame>.Continuation) {
        state.withLock { $0.endpoints[id] = continuation }
    }

    func unregister(_ id: RaftNodeID) {
        let c = state.withLock { $0.endpoints.removeValue(forKey: id) }
        c?.finish()
    }

    func deliver(_ frame: RaftFrame) {
        let target = state.withLock { s in
            s.blocked.contains([frame.from, frame.to]) ? nil : s.endpoints[frame.to]
        }
        target?.yield(frame)
    }
}

/// In-memory twin of `NIORaftTransport`.
public final class InMemoryRaftTransport: RaftTransport {
    public let id: RaftNodeID
    public let inbound: AsyncStream<RaftFrame>
    private let continuation: AsyncStream<RaftFrame>.Continuation
    private let network: InMemoryRaftNetwork

    init(id: RaftNodeID, network: InMemoryRaftNetwork) {
        self.id = id
        self.network = network
        (inbound, continuation) = AsyncStream.makeStream(of: RaftFrame.self, bufferingPolicy: .bufferingNewest(8192))
    }

    public func start() async throws { network.register(id, continuation) }
    public func send(_ frame: RaftFrame) { network.deliver(frame) }
    public func forget(_ peer: RaftNodeID) {}
    public func shutdown() async { network.unregister(id) }
}
