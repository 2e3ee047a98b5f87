import Foundation
import Synchronization
import Testing
@testable import OrchestratorServer
import OrchestratorServerTestKit

/// A scripted MySQL side: probes answer from a fixed topology; unknown keys fail like a closed port.
struct ScriptedProber: TopologyProber {
    let instances: [InstanceKey: Instance]

    func probe(_ key: InstanceKey) async -> ProbeResult {
        guard let instance = instances[key] else {
            return ProbeResult(key: key, error: ProbeError(code: 2003, message: "Can't connect to MySQL server on \(key)"))
        }
        return ProbeResult(key: key, instance: instance)
    }

    /// 1 master (:3306), replicas :3307 and :3308, and :3309 below :3308; alias "shop".
    static func tree(host: String = "db") -> ScriptedProber {
        func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: host, port: port) }
        func instance(_ port: Int, master: Int?, replicas: [Int]) -> Instance {
            var i = Instance(key: key(port))
            i.serverID = Int64(port)
            i.version = "10.11.6-MariaDB-log"
            i.readOnly = master != nil
            i.logBinEnabled = true
            i.logReplicationUpdatesEnabled = true
            i.binlogFormat = "ROW"
            i.masterKey = master.map(key)
            i.replicas = replicas.map(key)
            i.usingMariaDBGTID = master != nil
            if master != nil {
                i.replicationIOThreadRunning = true
                i.replicationSQLThreadRunning = true
                i.replicationIOThreadState = .running
                i.replicationSQLThreadState = .running
                i.secondsBehindMaster = 0
            } else {
                i.suggestedClusterAlias = "shop"
            }
            return i
        }
        let all = [
            instance(3306, master: nil, replicas: [3307, 3308]),
            instance(3307, master: 3306, replicas: []),
            instance(3308, master: 3306, replicas: [3309]),
            instance(3309, master: 3308, replicas: []),
        ]
        return ScriptedProber(instances: Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) }))
    }
}

/// Where forwarded requests go: the API object of each node, by advertised address.
final class APIRegistry: Sendable {
    private let byAddress = Mutex<[String: OrchestratorAPI]>([:])
    func withLock<T>(_ body: (inout [String: OrchestratorAPI]) -> T) -> T { byAddress.withLock { body(&$0) } }
}

/// orchd nodes in one process: Raft over the in-memory network, scripted probes, the API called
/// directly, and follower -> leader forwarding routed to the leader's API object.
final class InProcessOrchd: @unchecked Sendable {
    let network = InMemoryRaftNetwork()
    let ids: [RaftNodeID]
    let apis = APIRegistry()
    var nodes: [RaftNodeID: OrchestratorNode] = [:]
    var tasks: [Task<Void, any Error>] = []

    init(size: Int, prober: ScriptedProber = .tree(), access: HTTPAccessPolicy = .open,
         statusEndpoint: String = "/api/status") throws {
        ids = (1...size).map { "10.0.0.\($0):10008" }
        for id in ids {
            let database = try BackendDatabase()
            let machine = try IntentStateMachine(database: database)
            var settings = RaftService.Settings(id: id, voters: ids)
            settings.tickInterval = .milliseconds(10)
            settings.requestTimeout = .seconds(10)
            let raft = try RaftService(settings: settings, storage: InMemoryRaftStorage(),
                                       transport: network.endpoint(id), stateMachine: machine)
            let discovery = Discovery(
                settings: DiscoverySettings(mysql: MySQLClientConfig(user: "u", password: "p")),
                prober: prober, store: InstanceStore(database: database))
            var nodeSettings = OrchestratorNode.Settings(raftID: id, httpAdvertise: "http://\(id)")
            nodeSettings.recoveryFilters = RecoveryFilters(masterFilters: ["alias=shop"])
            let node = OrchestratorNode(settings: nodeSettings, raft: raft, stateMachine: machine, discovery: discovery)
            let apis = self.apis
            let route: @Sendable (String, APIRequest) async throws -> APIResponse = { address, request in
                guard let target = apis.withLock({ $0[address] }) else { throw HTTPServerError(message: "no node at \(address)") }
                return await target.handle(request)
            }
            let follower = IntentFollower(node: node, forward: route)
            let api = OrchestratorAPI(node: node, access: access, statusEndpoint: statusEndpoint, forward: route)
            apis.withLock { $0["http://\(id)"] = api }
            nodes[id] = node
            tasks.append(Task { try await raft.run() })
            tasks.append(Task { try await follower.run() })
        }
    }

    func api(_ id: RaftNodeID) -> OrchestratorAPI { apis.withLock { $0["http://\(id)"]! } }

    /// A single-node group with the scripted tree discovered through its API.
    static func discoveredSingleNode() async throws -> (InProcessOrchd, RaftNodeID) {
        let orchd = try InProcessOrchd(size: 1)
        let id = try #require(await orchd.leader())
        let response = await orchd.get(id, "/api/discover/db/3309")
        #expect(response.status == 200, "\(response.bodyText)")
        return (orchd, id)
    }

    func leader() async -> RaftNodeID? {
        _ = await eventually {
            for node in nodes.values where await node.raftStatus().role == .leader { return true }
            return false
        }
        for (id, node) in nodes where await node.raftStatus().role == .leader { return id }
        return nil
    }

    func stop() async {
        for task in tasks { task.cancel() }
        for task in tasks { _ = try? await task.value }
    }

    /// GET `target` on node `id`.
    func get(_ id: RaftNodeID, _ target: String, headers: [String: String] = [:]) async -> APIResponse {
        await api(id).handle(APIRequest(target: target, headers: headers))
    }
}

extension APIResponse {
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var array: [Any] { json as? [Any] ?? [] }
}
