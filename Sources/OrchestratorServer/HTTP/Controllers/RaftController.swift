import Foundation

/// Raft, leadership and health routes.
struct RaftController: APIController {
    func register(into routes: inout APIRoutes) {
        routes.add("/api/leader-check") { ctx in await ctx.leaderCheck(notLeaderStatus: 404) }
        routes.add("/api/leader-check/:errorStatusCode") { ctx in
            let code = Int(ctx.parameters["errorStatusCode"] ?? "") ?? 404
            guard (100...599).contains(code) else {
                return .error("invalid status code \(ctx.parameters["errorStatusCode"] ?? "")", status: 400)
            }
            return await ctx.leaderCheck(notLeaderStatus: code)
        }
        routes.add("/api/lb-check") { _ in .json("OK") }
        routes.add("/api/raft-state") { ctx in .json(RaftStateName.upstream(await ctx.node.raftStatus().role)) }
        routes.add("/api/raft-leader") { ctx in
            guard let leader = await ctx.node.raftStatus().leader else {
                return .error("no raft leader is known to this node", status: 500)
            }
            return .json(leader)
        }
        routes.add("/api/raft-health") { ctx in
            let status = await ctx.node.raftStatus()
            guard status.isPartOfQuorum else {
                return .error("raft node \(status.id) is not part of a quorum (state: \(RaftStateName.upstream(status.role)))")
            }
            return .json("healthy")
        }
        routes.add("/api/raft-peers") { ctx in .json(await ctx.node.raftStatus().voters) }
        routes.add("/api/raft-status") { ctx in .json(await RaftStatusView(ctx.node)) }
        routes.add("/api/status") { ctx in await ctx.health() }
        routes.add("/api/health") { ctx in await ctx.health() }
        routes.add("/api/raft-yield", mutating: true) { ctx in
            let status = await ctx.node.raftStatus()
            let others = status.voters.filter { $0 != status.id }.sorted { a, b in
                (status.peers[a]?.match ?? 0) > (status.peers[b]?.match ?? 0)
            }
            guard let target = others.first else { return .error("no other raft member to yield to", status: 409) }
            return await ctx.transfer(to: target)
        }
        // Upstream's raft-yield/:node (what `orchestrator-client -c raft-yield -H node` calls): the same
        // leadership transfer as raft-yield-hint.
        for pattern in ["/api/raft-yield-hint/:hint", "/api/raft-yield/:hint"] {
            routes.add(pattern, mutating: true) { ctx in
                let hint = ctx.parameters["hint"] ?? ""
                let status = await ctx.node.raftStatus()
                let addresses = ctx.node.intent.nodeHTTPAddresses
                guard let target = RaftHint.resolve(hint, voters: status.voters, httpAddresses: addresses) else {
                    return .error("no raft member matches \"\(hint)\"; members: \(status.voters.sorted().joined(separator: ", "))",
                                  status: 404)
                }
                return await ctx.transfer(to: target)
            }
        }
        // A node tells the group where its API answers (followers, so the leader can ask them for
        // second opinions; a leader announces itself).
        routes.add("/api/announce-node/:raftID", mutating: true) { ctx in
            let id = ctx.parameters["raftID"] ?? ""
            let address = ctx.request.query["address"] ?? ""
            guard await ctx.node.raftStatus().voters.contains(id) else {
                return .error("\"\(id)\" is not a member of this raft group", status: 400)
            }
            do {
                _ = try HTTPAddress(parsing: address)
            } catch {
                return .error("\(error)", status: 400)
            }
            if let failure = await ctx.submit(.announceNode(raftID: id, httpAddress: address)) { return failure }
            return .ok("Node \(id) answers at \(address)", details: address)
        }
        routes.add("/api/raft-add-peer/:addr", mutating: true) { ctx in
            await ctx.changeMembership("add", "added") { try await ctx.node.raft.addVoter($0) }
        }
        routes.add("/api/raft-remove-peer/:addr", mutating: true) { ctx in
            await ctx.changeMembership("remove", "removed") { try await ctx.node.raft.removeVoter($0) }
        }
    }
}

extension APIContext {
    /// Adds or removes the voter named by `:addr` (`host` or `host:port`).
    func changeMembership(_ verb: String, _ done: String,
                          _ change: (RaftNodeID) async throws -> Void) async -> APIResponse {
        let addr = parameters["addr"] ?? ""
        guard let id = RaftHint.normalize(addr) else { return .error("invalid raft address \"\(addr)\"", status: 400) }
        // A new leader must commit an entry of its term (and any earlier change) before the next
        // membership change: wait for that briefly rather than failing the operator's call.
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while true {
            do {
                try await change(id)
                return .ok("Peer \(done): \(id)", details: id)
            } catch RaftServiceError.refused(.configurationChangePending) where ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            } catch {
                return .error("cannot \(verb) raft peer \(id): \(error)")
            }
        }
    }

    func leaderCheck(notLeaderStatus: Int) async -> APIResponse {
        await node.raftStatus().role == .leader ? .json("OK") : .json("Not leader", status: notLeaderStatus)
    }

    func transfer(to target: RaftNodeID) async -> APIResponse {
        if target == node.settings.raftID { return .ok("Already leader: \(target)", details: target) }
        do {
            try await node.raft.transferLeadership(to: target)
        } catch {
            return .error("leadership transfer to \(target) failed: \(error)")
        }
        return .ok("Leadership transferred to \(target)", details: target)
    }

    func health() async -> APIResponse {
        let view = await HealthView(node)
        return view.Healthy ? .ok("Application node is healthy", details: view)
            : APIResponse.envelope(code: "ERROR", message: "Application node is unhealthy", details: view, status: 500)
    }
}

enum RaftStateName {
    /// Upstream reports hashicorp/raft's names.
    static func upstream(_ role: RaftRole) -> String {
        switch role {
        case .leader: return "Leader"
        case .follower: return "Follower"
        case .candidate, .preCandidate: return "Candidate"
        }
    }
}

/// Finds the raft member an operator named: by its advertised raft address (`host:port`), its host
/// alone when unique, or its advertised HTTP address. Matching on addresses, not the OS host name,
/// keeps co-hosted nodes (127.0.0.1/.2/.3) distinguishable.
enum RaftHint {
    static func resolve(_ hint: String, voters: [RaftNodeID], httpAddresses: [RaftNodeID: String]) -> RaftNodeID? {
        let hint = hint.trimmingCharacters(in: .whitespaces)
        if voters.contains(hint) { return hint }
        if let id = normalize(hint), voters.contains(id) { return id }
        let byHost = voters.filter { host(of: $0) == hint }
        if byHost.count == 1 { return byHost[0] }
        for (id, address) in httpAddresses where voters.contains(id) {
            let bare = address.replacingOccurrences(of: "http://", with: "")
            if address == hint || bare == hint || host(of: bare) == hint && byHost.isEmpty { return id }
        }
        return nil
    }

    /// `host` -> `host:10008`; `host:port` unchanged; nil when empty or malformed.
    static func normalize(_ text: String) -> RaftNodeID? {
        guard let key = try? InstanceKey(parsing: text, defaultPort: 10008) else { return nil }
        return key.displayString
    }

    static func host(of address: String) -> String {
        (try? InstanceKey(parsing: address, defaultPort: 10008))?.hostname ?? address
    }
}

/// `/api/raft-status` in upstream's shape.
struct RaftStatusView: Encodable, Sendable {
    var RaftBind: String
    var RaftAdvertise: String
    var State: String
    var Healthy: Bool
    var IsPartOfQuorum: Bool
    var Leader: String
    var LeaderURI: String
    var Peers: [String]
    var Term: UInt64
    var CommitIndex: UInt64
    var AppliedIndex: UInt64

    init(_ node: OrchestratorNode) async {
        let status = await node.raftStatus()
        RaftBind = node.settings.raftBind
        RaftAdvertise = node.settings.raftID
        State = RaftStateName.upstream(status.role)
        Healthy = status.isPartOfQuorum
        IsPartOfQuorum = status.isPartOfQuorum
        Leader = status.leader ?? ""
        LeaderURI = await node.leaderHTTPAddress() ?? ""
        Peers = status.voters.sorted()
        Term = status.term
        CommitIndex = status.commitIndex
        AppliedIndex = status.appliedIndex
    }
}

/// `/api/status` (upstream's HealthStatus).
struct HealthView: Encodable, Sendable {
    var Healthy: Bool
    var Hostname: String
    var Token: String
    var IsActiveNode: Bool
    var RaftLeader: String
    var IsRaftLeader: Bool
    var RaftLeaderURI: String
    var RaftAdvertise: String
    var RaftHealthyMembers: [String]
    var AvailableNodes: [String]

    init(_ node: OrchestratorNode) async {
        let status = await node.raftStatus()
        Healthy = status.isPartOfQuorum
        Hostname = ProcessInfo.processInfo.hostName
        Token = node.settings.raftID
        IsActiveNode = status.role == .leader
        RaftLeader = status.leader ?? ""
        IsRaftLeader = status.role == .leader
        RaftLeaderURI = await node.leaderHTTPAddress() ?? ""
        RaftAdvertise = node.settings.raftID
        RaftHealthyMembers = status.role == .leader
            ? status.voters.filter { $0 == status.id || ((status.peers[$0]?.ticksSinceHeard ?? Int.max) < 40) }.sorted() : []
        AvailableNodes = status.voters.sorted()
    }
}
