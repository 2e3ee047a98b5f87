import Foundation
import Testing
@testable import OrchestratorServer

/// Upstream paths scripts call: topology-tabulated, downtimed, async-discover, cluster-osc-replicas,
/// can-replicate-from, raft-yield/:node, and the 501s for what orchd does not serve.
@Suite("HTTP API: upstream's other paths", .serialized)
struct UpstreamPathsAPITests {
    func discoveredSingleNode() async throws -> (InProcessOrchd, RaftNodeID) {
        try await InProcessOrchd.discoveredSingleNode()
    }

    func keys(_ response: APIResponse) -> [String] {
        response.array.compactMap { ($0 as? [String: Any])?["Key"] as? [String: Any] }
            .map { "\($0["Hostname"] ?? ""):\($0["Port"] ?? "")" }
    }

    @Test func topologyTabulatedAndDowntimed() async throws {
        let (orchd, id) = try await discoveredSingleNode()
        defer { Task { await orchd.stop() } }
        let tabulated = await orchd.get(id, "/api/topology-tabulated/shop")
        #expect(tabulated.status == 200)
        let text = try #require(tabulated.object["Details"] as? String)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { $0.split(separator: "|", omittingEmptySubsequences: false).count == 7 }, "\(text)")
        #expect(lines[0].hasPrefix("db:3306 "))
        #expect(await orchd.get(id, "/api/topology-tabulated/db/3308").status == 200)

        #expect(keys(await orchd.get(id, "/api/downtimed")).isEmpty)
        #expect(await orchd.get(id, "/api/begin-downtime/db/3307/alice/upgrade/1h").status == 200)
        #expect(keys(await orchd.get(id, "/api/downtimed")) == ["db:3307"])
        #expect(keys(await orchd.get(id, "/api/downtimed/shop")) == ["db:3307"])
        #expect(await orchd.get(id, "/api/downtimed/nosuchcluster").status == 404)
    }

    @Test func canReplicateFromSaysTrueOrFalseWithTheReason() async throws {
        let (orchd, id) = try await discoveredSingleNode()
        defer { Task { await orchd.stop() } }
        let yes = await orchd.get(id, "/api/can-replicate-from/db/3309/db/3306")
        #expect(yes.object["Message"] as? String == "true", "\(yes.bodyText)")
        #expect((yes.object["Details"] as? [String: Any])?["Port"] as? Int == 3306)
        // The master below its own grandchild: a cycle.
        let no = await orchd.get(id, "/api/can-replicate-from-gtid/db/3306/db/3309")
        #expect(no.status == 200)
        #expect(no.object["Message"] as? String == "false")
        #expect(no.headers["X-Orchd-Reason"]?.contains("cycle") == true)
        #expect(await orchd.get(id, "/api/can-replicate-from/db/3309/db/4000").status == 404)
    }

    @Test func oscReplicasAndAsyncDiscover() async throws {
        let (orchd, id) = try await discoveredSingleNode()
        defer { Task { await orchd.stop() } }
        // The tree: db:3308 is the only intermediate master; then its replica; then the depth-1 leaf.
        #expect(keys(await orchd.get(id, "/api/cluster-osc-replicas/shop")) == ["db:3308", "db:3309", "db:3307"])
        let queued = await orchd.get(id, "/api/async-discover/db/3306")
        #expect(queued.status == 200)
        #expect(queued.object["Message"] as? String == "Asynchronous discovery initiated for Instance: db:3306")
    }

    @Test func unservedUpstreamPathsAnswer501WithTheReason() async throws {
        let (orchd, id) = try await discoveredSingleNode()
        defer { Task { await orchd.stop() } }
        for path in ["/api/match-up/db/3309", "/api/tags/db/3309", "/api/snapshot-topologies"] {
            let answer = await orchd.get(id, path)
            #expect(answer.status == 501, "\(path)")
            #expect((answer.object["Message"] as? String)?.contains("is not served by orchd: ") == true)
        }
        #expect(await orchd.get(id, "/api/no-such-path").status == 404)
        // Served now; without a store configured it says which key to set.
        let kv = await orchd.get(id, "/api/submit-masters-to-kv-stores")
        #expect(kv.status == 400)
        #expect((kv.object["Message"] as? String)?.contains("EtcdEndpoints") == true, "\(kv.object)")
    }
}
