import Logging
import ServiceLifecycle

/// Carries applied operator intent into this node's discovery: a `discover` starts probing, a
/// `forget` stops it, a snapshot restore re-syncs everything. Also announces this node's HTTP address
/// whenever it becomes leader, so followers know where to proxy.
public struct IntentFollower: Service {
    let node: OrchestratorNode
    let applied: AsyncStream<IntentCommand?>
    let logger: Logger
    /// The `Authorization` header this node sends to its peers' APIs, when they require one.
    let peerAuthorization: String?

    /// Sends a request to another node's API (injectable for tests).
    let forward: @Sendable (_ address: String, _ request: APIRequest) async throws -> APIResponse

    /// Subscribe before Raft starts applying, so nothing applied is missed.
    /// - Parameters:
    ///   - httpClient: the node's client for announcing to the leader (the process-wide one when nil).
    ///   - forward: replaces sending over `httpClient` (tests route between in-process nodes).
    public init(node: OrchestratorNode, peerAuthorization: String? = nil, logger: Logger = Logger(label: "orchd.intent"),
                httpClient: HTTPClient? = nil,
                forward: (@Sendable (String, APIRequest) async throws -> APIResponse)? = nil) {
        self.node = node
        self.logger = logger
        self.peerAuthorization = peerAuthorization
        let proxy = LeaderProxy(client: httpClient ?? .shared)
        self.forward = forward ?? { try await proxy.forward($0, $1, timeoutSeconds: 5, relayedHeaders: ["authorization"]) }
        let (stream, continuation) = AsyncStream.makeStream(of: IntentCommand?.self)
        node.stateMachine.onApply { continuation.yield($0) }
        applied = stream
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.followApplied() }
                group.addTask { await self.announceLeadership() }
                group.addTask { await self.announceToLeader() }
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

    /// A follower whose API address the group does not know yet asks the leader to record it (the
    /// leader asks followers for second opinions before a master failover).
    private func announceToLeader() async {
        var lastProblem = ""
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let settings = node.settings
            guard node.intent.nodeHTTPAddresses[settings.raftID] != settings.httpAdvertise,
                  await node.raftStatus().role != .leader, let leader = await node.leaderHTTPAddress() else { continue }
            var request = APIRequest(path: "/api/announce-node/\(settings.raftID)", query: ["address": settings.httpAdvertise])
            if let peerAuthorization { request.headers["authorization"] = peerAuthorization }
            var problem = ""
            do {
                let response = try await forward(leader, request)
                if response.status != 200 { problem = "HTTP \(response.status): \(response.bodyText.prefix(200))" }
            } catch {
                problem = "\(error)"
            }
            if problem.isEmpty {
                logger.info("announced API address \(settings.httpAdvertise) to the leader")
            } else if problem != lastProblem {
                logger.warning("cannot announce API address \(settings.httpAdvertise) to the leader at \(leader): \(problem)")
            }
            lastProblem = problem
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
