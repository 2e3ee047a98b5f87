import Foundation
import Testing
import OrchestratorServer
import OrchestratorServerTestKit

let skipIntegration = ProcessInfo.processInfo.environment["ORCHD_SKIP_INTEGRATION"] == "1"

/// Three real raft-harness processes over loopback TCP with fsync on.
@Suite("Raft real processes", .serialized, .enabled(if: !skipIntegration, "ORCHD_SKIP_INTEGRATION=1"))
struct RaftProcessTests {
    @Test func electsCommitsFailsOverAndCatchesUp() async throws {
        let c = try RaftProcessCluster(name: "failover")
        defer { c.killAll() }
        try c.startAll()
        #expect(await c.waitForLeader() != nil)
        for i in 0..<10 { #expect(await c.proposeOnLeader("a\(i)") == "ok") }
        #expect(await c.converged(commands: 10))
        let (leader, term) = try #require(await c.waitForLeader())

        let follower = (leader + 1) % 3
        #expect(await c.request(follower, "propose nope") == "err notLeader \(c.id(leader))")

        // kill -9 the leader while a client is proposing to it: every acknowledged proposal must survive.
        let client = try await RaftControlClient.connect(host: "127.0.0.\(leader + 1)", port: 24051 + leader)
        let proposer = Task { () -> Int in
            var acked = 0
            for i in 0..<100_000 {
                guard (try? await client.request("propose k\(i)")) == "ok" else { break }
                acked += 1
            }
            return acked
        }
        // Wait well past 30: the leader applies a proposal before its answer reaches the client.
        _ = await c.eventually { await c.status(leader).flatMap { Int($0["commands"] ?? "") } ?? 0 >= 35 }
        c.kill9(leader)
        let acked = await proposer.value
        await client.close()
        #expect(acked >= 20)

        let others = [0, 1, 2].filter { $0 != leader }
        let (newLeader, newTerm) = try #require(await c.waitForLeader(among: others, above: term), "\(c.logTail(others[0]))")
        #expect(newTerm > term)
        for i in 0..<5 { #expect(await c.request(newLeader, "propose b\(i)") == "ok") }

        try c.start(leader) // restarts from its own data directory
        let total = try #require(await c.convergedCount(minimum: 10 + acked + 5), "\(c.logTail(leader))")
        // At most the one proposal in flight at the kill may have committed without an answer.
        #expect(total <= 10 + acked + 1 + 5)
        let s = try #require(await c.status(leader))
        #expect(s["role"] == "follower" && s["leader"] == c.id(newLeader))
    }

    @Test func laggingNodeCatchesUpThroughSnapshot() async throws {
        let c = try RaftProcessCluster(name: "snapshot", extraFlags: ["--snapshot-every", "5"])
        defer { c.killAll() }
        try c.startAll()
        let (leader, _) = try #require(await c.waitForLeader())
        let lagging = (leader + 2) % 3
        c.kill9(lagging)
        for i in 0..<30 { #expect(await c.request(leader, "propose s\(i)") == "ok") }
        let ls = try #require(await c.status(leader))
        #expect(UInt64(ls["snapshot"] ?? "0")! >= 25)

        // The leader compacted its log past what the lagging node has: it must send a snapshot.
        // (Let the leader's transport give up on the dead peer first, dropping stale queued appends.)
        try await Task.sleep(for: .seconds(1.5))
        try c.start(lagging)
        #expect(await c.converged(commands: 30), "\(c.logTail(lagging))")
        let s = try #require(await c.status(lagging))
        #expect(UInt64(s["snapshot"] ?? "0")! >= 25)
        let log = (try? String(contentsOfFile: "\(c.dir)/node\(lagging).log", encoding: .utf8)) ?? ""
        #expect(log.contains("installed snapshot from leader"))

        // A full restart rebuilds every node from snapshot + log on disk.
        c.killAll()
        try c.startAll()
        _ = try #require(await c.waitForLeader())
        #expect(await c.converged(commands: 30))
    }

    @Test func transferMakesNamedNodeLeader() async throws {
        let c = try RaftProcessCluster(name: "transfer")
        defer { c.killAll() }
        try c.startAll()
        let (leader, _) = try #require(await c.waitForLeader())
        #expect(await c.request(leader, "propose t0") == "ok")
        for step in 1...2 {
            let target = (leader + step) % 3
            let current = try #require(await c.waitForLeader())
            guard current.index != target else { continue }
            #expect(await c.request(current.index, "transfer \(c.id(target))") == "ok")
            #expect(await c.eventually { await c.status(target)?["role"] == "leader" })
            #expect(await c.request(target, "propose t\(step)") == "ok")
        }
        #expect(await c.converged(commands: 3))
    }

    @Test func leaderCutOffFromPeersStepsDownAndCommitsNothing() async throws {
        let c = try RaftProcessCluster(name: "isolated")
        defer { c.killAll() }
        try c.startAll()
        let (leader, _) = try #require(await c.waitForLeader())
        #expect(await c.request(leader, "propose before") == "ok")
        #expect(await c.converged(commands: 1))

        let peers = [0, 1, 2].filter { $0 != leader }
        for p in peers { c.signal(p, SIGSTOP) }
        // Check-quorum: without answers from a majority the leader must give up leadership.
        #expect(await c.eventually { await c.status(leader)?["role"] != "leader" }, "\(c.logTail(leader))")
        let refused = await c.request(leader, "propose during")
        #expect(refused?.hasPrefix("err ") == true)
        let s = try #require(await c.status(leader))
        #expect(s["quorum"] == "0" && s["commands"] == "1")

        for p in peers { c.signal(p, SIGCONT) }
        let (now, _) = try #require(await c.waitForLeader())
        #expect(await c.request(now, "propose after") == "ok")
        // Exactly the two proposals that were acknowledged exist everywhere.
        #expect(await c.converged(commands: 2))
    }
}
