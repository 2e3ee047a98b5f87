import OrchestratorCore

/// The transport of a Raft group of one (`RaftEnabled: false`): there is nobody to talk to, so
/// nothing arrives and anything sent is dropped. The node still takes the same Raft path for every
/// change.
final class SoloRaftTransport: RaftTransport {
    let inbound: AsyncStream<RaftFrame>
    private let continuation: AsyncStream<RaftFrame>.Continuation

    init() {
        (inbound, continuation) = AsyncStream.makeStream(of: RaftFrame.self)
    }

    func start() async throws {}
    func send(_ frame: RaftFrame) {}
    func forget(_ peer: RaftNodeID) {}
    func shutdown() async { continuation.finish() }
}
