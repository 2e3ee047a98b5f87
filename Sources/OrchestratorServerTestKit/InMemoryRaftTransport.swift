import OrchestratorServer
import OrchestratorCore
import Synchronization

/// An in-process network of `InMemoryRaftTransport` endpoints, for tests of the service without
/// sockets. Links can be cut (one-way or both ways) to simulate partitions.
public final class InMemoryRaftNetwork: Sendable {
    private struct State {
        var endpoints: [RaftNodeID: @Sendable (RaftFrame) -> Void] = [:]
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

    func register(_ id: RaftNodeID, _ sink: @escaping @Sendable (RaftFrame) -> Void) {
        state.withLock { $0.endpoints[id] = sink }
    }

    func unregister(_ id: RaftNodeID) {
        _ = state.withLock { $0.endpoints.removeValue(forKey: id) }
    }

    /// Hands the frame to its receiver at once, on the sender's thread (as a socket's event loop
    /// would): no task in between, whose delay under a loaded test run would look like a slow link.
    func deliver(_ frame: RaftFrame) {
        let target = state.withLock { s in
            s.blocked.contains([frame.from, frame.to]) ? nil : s.endpoints[frame.to]
        }
        target?(frame)
    }
}

/// In-memory twin of `NIORaftTransport`.
public final class InMemoryRaftTransport: RaftTransport {
    public let id: RaftNodeID
    public let inbound: AsyncStream<RaftFrame>
    private let continuation: AsyncStream<RaftFrame>.Continuation
    private let network: InMemoryRaftNetwork
    private let direct = Mutex<(@Sendable (RaftFrame) -> Void)?>(nil)

    init(id: RaftNodeID, network: InMemoryRaftNetwork) {
        self.id = id
        self.network = network
        (inbound, continuation) = AsyncStream.makeStream(of: RaftFrame.self, bufferingPolicy: .bufferingNewest(8192))
    }

    public func start() async throws {
        let continuation = continuation
        let handler: (@Sendable (RaftFrame) -> Void)? = direct.withLock { current in current }
        if let handler {
            network.register(id, handler)
        } else {
            network.register(id) { frame in continuation.yield(frame) }
        }
    }

    public func send(_ frame: RaftFrame) { network.deliver(frame) }
    public func forget(_ peer: RaftNodeID) {}

    public func deliverInbound(to handler: @escaping @Sendable (RaftFrame) -> Void) -> Bool {
        direct.withLock { $0 = handler }
        return true
    }

    public func shutdown() async {
        network.unregister(id)
        continuation.finish()
    }
}
