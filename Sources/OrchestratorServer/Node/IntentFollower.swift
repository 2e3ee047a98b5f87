import Logging
import ServiceLifecycle

/// Carries applied operator intent into this node's discovery: a `discover` starts probing, a
/// `forget` stops it, a snapshot restore re-syncs everything. Also announces this node's HTTP address
/// whenever it becomes leader, so followers know where to proxy.
public struct IntentFollower: Service {
    let node: OrchestratorNode
    let applied: AsyncStream<ReplicatedCommand?>
    let logger: Logger

    /// Subscribe before Raft starts applying, so nothing applied is missed.
    public init(node: OrchestratorNode, logger: Logger = Logger(label: "orchd.intent")) {
        self.node = node
        self.logger = logger
        let (stream, continuation) = AsyncStream.makeStream(of: ReplicatedCommand?.self)
        node.stateMachine.onApply { continuation.yield($0) }
        applied = stream
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.followApplied() }
                group.addTask { await self.announceLeadership() }
                group.addTask { await self.resync() }
            }
        }
    }

    private func followApplied() async {
        for await command in applied {
            switch command {
            case .discover(let key):
                do {
                    _ = try await node.discovery.discover(key)
                } catch {
                    logger.warning("discovery of \(key) failed: \(error)")
                }
            case .forget(let keys):
                for key in keys { await node.discovery.forget(key) }
            case nil:
                await resync()
            default:
                break
            }
        }
    }

    /// Makes discovery probe every instance operators asked for (after start-up or a snapshot).
    private func resync() async {
        let wanted = node.intent.discoveredKeys
        let known = Set(await node.discovery.instances().map { (instance: Instance) in instance.key })
        for key in wanted.subtracting(known).sorted() {
            do {
                _ = try await node.discovery.discover(key)
            } catch {
                logger.warning("discovery of \(key) failed: \(error)")
            }
        }
    }

    private func announceLeadership() async {
        for await change in await node.raft.leadershipChanges() {
            guard change.isLeader else { continue }
            let settings = node.settings
            guard node.intent.nodeHTTPAddresses[settings.raftID] != settings.httpAdvertise else { continue }
            do {
                try await node.submit(.announceNode(raftID: settings.raftID, httpAddress: settings.httpAdvertise))
                logger.info("announced leader API address \(settings.httpAdvertise)")
            } catch {
                logger.warning("could not announce leader API address: \(error)")
            }
        }
    }
}
