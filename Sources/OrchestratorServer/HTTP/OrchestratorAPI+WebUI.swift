import Foundation

/// Two read-only routes of orchd's own (not upstream's) that the web UI needs:
///
/// - `/api/webui/session`: who the caller is and whether they may change anything, so the UI shows
///   action buttons only to users the API would let act (the API still decides each request).
/// - `/api/raft-nodes`: every raft member's `/api/raft-status`, asked by this node (a page may only
///   talk to its own origin under the UI's Content-Security-Policy). The caller's credentials go along,
///   as when a follower relays a change; a member that does not answer is listed with the reason.
extension OrchestratorAPI {
    mutating func registerWebUISupport() {
        let access = self.access
        add("/api/webui/session") { ctx in
            let decision = access.decide(headers: ctx.request.headers, changesState: true)
            var user: String?
            if case .allow(let identity) = access.decide(headers: ctx.request.headers, changesState: false) { user = identity.user }
            switch decision {
            case .allow:
                return .json(WebUISession(User: user ?? "", MayChange: true, Reason: ""))
            case .forbidden(let reason), .unauthenticated(let reason):
                return .json(WebUISession(User: user ?? "", MayChange: false, Reason: reason))
            }
        }
        let forward = self.forward
        add("/api/raft-nodes") { ctx in
            let status = await ctx.node.raftStatus()
            let addresses = ctx.node.intent.nodeHTTPAddresses
            let selfID = ctx.node.settings.raftID
            let local = await RaftStatusView(ctx.node)
            var request = APIRequest(path: "/api/raft-status", headers: ctx.request.headers)
            request.headers[Self.proxiedHeader] = selfID
            let asked = request
            let members = await withTaskGroup(of: WebUIRaftMember.self) { group in
                for id in status.voters.sorted() {
                    group.addTask {
                        if id == selfID { return WebUIRaftMember(RaftID: id, HTTPAddress: addresses[id] ?? "", Status: local, Error: "") }
                        guard let address = addresses[id] else {
                            return WebUIRaftMember(RaftID: id, HTTPAddress: "", Status: nil,
                                                   Error: "this node does not know where \(id)'s API answers yet")
                        }
                        do {
                            let answer = try await forward(address, asked)
                            guard answer.status == 200 else {
                                return WebUIRaftMember(RaftID: id, HTTPAddress: address, Status: nil,
                                                       Error: "answered HTTP \(answer.status)")
                            }
                            let view = try JSONDecoder().decode(WebUIRaftStatus.self, from: Data(answer.body))
                            return WebUIRaftMember(RaftID: id, HTTPAddress: address, Status: view, Error: "")
                        } catch {
                            return WebUIRaftMember(RaftID: id, HTTPAddress: address, Status: nil, Error: "unreachable: \(error)")
                        }
                    }
                }
                var all: [WebUIRaftMember] = []
                for await member in group { all.append(member) }
                return all.sorted { $0.RaftID < $1.RaftID }
            }
            return .json(members)
        }
    }
}

struct WebUISession: Encodable, Sendable {
    var User: String
    var MayChange: Bool
    var Reason: String
}

/// One member as `/api/raft-status` describes it (decoded from a peer, or this node's own view).
struct WebUIRaftStatus: Codable, Sendable {
    var RaftAdvertise: String
    var State: String
    var Healthy: Bool
    var Leader: String
    var Term: UInt64
    var CommitIndex: UInt64
    var AppliedIndex: UInt64
}

extension WebUIRaftStatus {
    init(_ view: RaftStatusView) {
        self.init(RaftAdvertise: view.RaftAdvertise, State: view.State, Healthy: view.Healthy, Leader: view.Leader,
                  Term: view.Term, CommitIndex: view.CommitIndex, AppliedIndex: view.AppliedIndex)
    }
}

struct WebUIRaftMember: Encodable, Sendable {
    var RaftID: String
    var HTTPAddress: String
    var Status: WebUIRaftStatus?
    var Error: String

    init(RaftID: String, HTTPAddress: String, Status: WebUIRaftStatus?, Error: String) {
        self.RaftID = RaftID
        self.HTTPAddress = HTTPAddress
        self.Status = Status
        self.Error = Error
    }

    init(RaftID: String, HTTPAddress: String, Status: RaftStatusView, Error: String) {
        self.init(RaftID: RaftID, HTTPAddress: HTTPAddress, Status: WebUIRaftStatus(Status), Error: Error)
    }
}
