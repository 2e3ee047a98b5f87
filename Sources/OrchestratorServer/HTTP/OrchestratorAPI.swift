import Foundation
import Logging

/// orchd's HTTP API with upstream orchestrator's paths and JSON shapes. Library-independent: the
/// HTTP server hands it `APIRequest`s; tests call `handle` directly.
///
/// Reads are served from this node's own view. Routes that change state run on the Raft leader: a
/// follower forwards them to the leader's advertised HTTP address and relays the answer.
public struct OrchestratorAPI: Sendable {
    public typealias Handler = @Sendable (APIContext) async -> APIResponse

    let node: OrchestratorNode
    let recovery: RecoveryService?
    /// Who may read and who may change things (AuthenticationMethod, ReadOnly).
    let access: HTTPAccessPolicy
    let logger: Logger
    private(set) var router = APIRouter<Handler>()
    /// Forwards a request to another node (the leader); injectable for tests.
    let forward: @Sendable (_ address: String, _ request: APIRequest) async throws -> APIResponse

    /// Header marking a request already forwarded once, so two nodes that disagree on the leader
    /// never bounce a request between them.
    static let proxiedHeader = "x-orchd-proxied-by"

    /// Load-balancer probes: answered without credentials (they tell alive / leader / in a quorum).
    static let probePatterns: Set<String> = ["/api/lb-check", "/api/leader-check", "/api/leader-check/:errorStatusCode",
                                             "/api/raft-health"]

    /// Routes that change this node only (served locally, never forwarded) but need write access.
    static let localChangePatterns: Set<String> = ["/api/reload-configuration"]

    /// - Parameters:
    ///   - statusEndpoint: upstream's `StatusEndpoint`: the health answer is served there too.
    ///   - httpClient: the node's client for reaching the leader (the process-wide one when nil).
    ///   - forward: replaces forwarding over `httpClient` (tests route between in-process nodes).
    public init(node: OrchestratorNode, recovery: RecoveryService? = nil, access: HTTPAccessPolicy = .open,
                statusEndpoint: String = "/api/status", logger: Logger = Logger(label: "orchd.api"),
                httpClient: HTTPClient? = nil,
                forward: (@Sendable (String, APIRequest) async throws -> APIResponse)? = nil) {
        self.node = node
        self.recovery = recovery
        self.access = access
        self.logger = logger
        let timeout = node.settings.proxyTimeoutSeconds
        // The leader decides again on what the follower relays: the caller's credentials go along.
        let relayed: Set<String> = ["authorization", Self.proxiedHeader, access.userHeader.lowercased()]
        let proxy = LeaderProxy(client: httpClient ?? .shared)
        self.forward = forward ?? { try await proxy.forward($0, $1, timeoutSeconds: timeout, relayedHeaders: relayed) }
        for controller in Self.controllers { controller.register(into: &router) }
        registerWebUISupport()
        if statusEndpoint.hasPrefix("/"), router.match(statusEndpoint) == nil {
            add(statusEndpoint) { ctx in await ctx.health() }
        }
    }

    /// The API's routes, one controller per concern. Each registers its paths; the router composes them.
    static let controllers: [any APIController] = [
        InstancesController(), IntentController(), RaftController(), RecoveryController(), FailoverController(),
        TakeoverController(), DrillController(), ReplicationControlController(), ErrantGTIDController(), RefactorController(),
        MaintenanceController(), MetricsController(), ConfigurationController(), WebUIController(), KVController(),
        UnsupportedController(),
    ]

    mutating func add(_ pattern: String, mutating: Bool = false, _ handler: @escaping Handler) {
        router.add(pattern, mutating: mutating, handler)
    }

    /// Answers one request.
    public func handle(_ request: APIRequest) async -> APIResponse {
        var path = request.path
        if path.count > 1, path.hasSuffix("/") { path.removeLast() }
        let matched = router.match(path)
        let isProbe = matched.map { Self.probePatterns.contains($0.route.pattern) } ?? false
        // A change of this node only (not forwarded to the leader) still needs a user allowed to change things.
        let changesState = matched.map { $0.route.mutating || Self.localChangePatterns.contains($0.route.pattern) } ?? false
        switch access.decide(headers: request.headers, changesState: changesState, isProbe: isProbe) {
        case .allow:
            break
        case .unauthenticated(let reason):
            logger.debug("401 \(request.path): \(reason)")
            return .unauthorized(reason)
        case .forbidden(let reason):
            logger.notice("403 \(request.path): \(reason)")
            return .error("Forbidden: \(reason)", status: 403)
        }
        guard let (route, parameters) = matched else {
            return .error("unknown API path \(request.path)", status: 404)
        }
        if route.mutating, let reason = HTTPAccessPolicy.crossSiteReason(headers: request.headers) {
            logger.notice("403 \(request.path): \(reason)")
            return .error("Forbidden: \(reason)", status: 403)
        }
        if route.mutating, let proxied = await proxyIfFollower(request) { return proxied }
        return await route.handler(APIContext(request: request, parameters: parameters, node: node, recovery: recovery))
    }

    /// nil when this node should serve the request itself.
    private func proxyIfFollower(_ request: APIRequest) async -> APIResponse? {
        let status = await node.raftStatus()
        if status.role == .leader { return nil }
        if request.headers[Self.proxiedHeader] != nil {
            return .error("this node (\(node.settings.raftID)) is not the raft leader; not forwarding a forwarded request",
                          status: 503)
        }
        guard let address = await node.leaderHTTPAddress() else {
            return .error("no raft leader is known to \(node.settings.raftID); cannot apply a change now", status: 503)
        }
        var forwarded = request
        forwarded.headers[Self.proxiedHeader] = node.settings.raftID
        do {
            return try await forward(address, forwarded)
        } catch {
            return .error("cannot reach the raft leader at \(address): \(error)", status: 502)
        }
    }
}

/// The routes of one concern of the API (instances, intent, raft, recovery, refactoring, ...). Controllers
/// hold no state: handlers get the node and services from their `APIContext`.
protocol APIController: Sendable {
    func register(into routes: inout APIRoutes)
}

typealias APIRoutes = APIRouter<OrchestratorAPI.Handler>

/// What a handler gets: the request, the path parameters and the node.
public struct APIContext: Sendable {
    public var request: APIRequest
    public var parameters: [String: String]
    public var node: OrchestratorNode
    public var recovery: RecoveryService?

    /// `:host`/`:port` as an InstanceKey, or a 400 response naming the bad part.
    func instanceKey(host: String = "host", port: String = "port") -> Result<InstanceKey, APIFailure> {
        guard let hostname = parameters[host], !hostname.isEmpty else {
            return .failure(APIFailure(.error("missing host name", status: 400)))
        }
        guard let portText = parameters[port] else {
            return .success(InstanceKey(hostname: hostname, port: node.settings.defaultInstancePort))
        }
        guard let value = Int(portText), (1...65535).contains(value) else {
            return .failure(APIFailure(.error("invalid port \"\(portText)\": expected a number from 1 to 65535", status: 400)))
        }
        return .success(InstanceKey(hostname: hostname, port: value))
    }
}

/// A response that ends a handler early (a bad parameter, a missing instance).
struct APIFailure: Error {
    var response: APIResponse
    init(_ response: APIResponse) { self.response = response }
}
