import Foundation
import Synchronization
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

        // A follower refuses a proposal and names the leader (asked again if leadership moved meanwhile).
        var refusal: (answer: String?, leader: Int)?
        for _ in 0..<10 {
            let (leader, _) = try #require(await c.waitForLeader())
            let answer = await c.request((leader + 1) % 3, "propose nope")
            refusal = (answer, leader)
            if answer == "err notLeader \(c.id(leader))" { break }
        }
        #expect(refusal?.answer == refusal.map { "err notLeader \(c.id($0.leader))" }, "\(String(describing: refusal))")

        // kill -9 the leader while a client is proposing to it: every acknowledged proposal must survive.
        // Proposals acknowledged before the kill phase; if leadership moves before the kill (the client
        // is refused), the phase starts again on the new leader, keeping what was acknowledged.
        var acknowledged = 10
        var attempts = 0
        var killed: (index: Int, term: UInt64, acked: Int)?
        while killed == nil && attempts < 5 {
            attempts += 1
            let (leader, term) = try #require(await c.waitForLeader())
            let client = try await RaftControlClient.connect(host: "127.0.0.\(leader + 1)", port: c.controlPort(leader))
            let refused = Flag()
            let round = attempts
            let proposer = Task { () -> Int in
                var acked = 0
                for i in 0..<100_000 {
                    guard (try? await client.request("propose k\(round)-\(i)")) == "ok" else { break }
                    acked += 1
                }
                refused.set()
                return acked
            }
            // Wait well past 25 more: the leader applies a proposal before its answer reaches the client.
            let target = acknowledged + 25
            _ = await c.eventually {
                if refused.isSet { return true }
                return (await c.status(leader).flatMap { Int($0["commands"] ?? "") } ?? 0) >= target
            }
            if refused.isSet {
                // Leadership moved (or the node stopped answering) before the kill: not the scenario.
                acknowledged += await proposer.value
                await client.close()
                continue
            }
            c.kill9(leader)
            let acked = await proposer.value
            await client.close()
            acknowledged += acked
            killed = (leader, term, acked)
        }
        let (leader, term, acked) = try #require(killed, "no leader stayed leader long enough to be killed mid-load")
        #expect(acked >= 20)

        let others = [0, 1, 2].filter { $0 != leader }
        let (_, newTerm) = try #require(await c.waitForLeader(among: others, above: term), "\(c.logTail(others[0]))")
        #expect(newTerm > term)
        for i in 0..<5 { #expect(await c.proposeOnLeader("b\(i)") == "ok") }

        try c.start(leader) // restarts from its own data directory
        let total = try #require(await c.convergedCount(minimum: acknowledged + 5), "\(c.logTail(leader))")
        // At most the one proposal in flight when each kill-phase attempt ended may have committed
        // without an answer.
        #expect(total <= acknowledged + attempts + 5)
        // The restarted node follows whoever leads now.
        #expect(await c.eventually {
            guard let (now, _) = await c.waitForLeader(), now != leader, let s = await c.status(leader) else { return false }
            return s["role"] == "follower" && s["leader"] == c.id(now)
        }, "\(c.logTail(leader))")
    }

    @Test func laggingNodeCatchesUpThroughSnapshot() async throws {
        let c = try RaftProcessCluster(name: "snapshot", extraFlags: ["--snapshot-every", "5"])
        defer { c.killAll() }
        try c.startAll()
        let (leader, _) = try #require(await c.waitForLeader())
        let lagging = (leader + 2) % 3
        c.kill9(lagging)
        // Whoever leads at each proposal takes it (an election may move leadership on a loaded machine).
        for i in 0..<30 { #expect(await c.proposeOnLeader("s\(i)") == "ok") }
        let live = [0, 1, 2].filter { $0 != lagging }
        #expect(await c.converged(live, commands: 30))
        for i in live {
            let s = try #require(await c.status(i))
            #expect(UInt64(s["snapshot"] ?? "0")! >= 25, "node \(i) compacted its log: \(s)")
        }

        // The live nodes compacted their logs past what the lagging node has: the leader must send a
        // snapshot. (Let the leader's transport give up on the dead peer first, dropping stale queued appends.)
        try await Task.sleep(for: .seconds(1.5))
        try c.start(lagging)
        #expect(await c.converged(commands: 30), "\(c.logTail(lagging))")
        let s = try #require(await c.status(lagging))
        #expect(UInt64(s["snapshot"] ?? "0")! >= 25)
        let log = try String(contentsOfFile: "\(c.dir)/node\(lagging).log", encoding: .utf8)
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
        let (first, _) = try #require(await c.waitForLeader())
        #expect(await c.proposeOnLeader("t0") == "ok")
        for step in 1...2 {
            let target = (first + step) % 3
            // Ask whoever leads now; a refusal because leadership just moved is asked again.
            var answer: String?
            var asked = 0
            _ = await c.eventually {
                if await c.status(target)?["role"] == "leader" { return true }
                guard let (current, _) = await c.waitForLeader() else { return false }
                if current == target { return true }
                asked += 1
                answer = await c.request(current, "transfer \(c.id(target))")
                return answer == "ok"
            }
            #expect(asked == 0 || answer == "ok", "transfer to \(c.id(target)): \(String(describing: answer))")
            #expect(await c.eventually { await c.status(target)?["role"] == "leader" }, "\(c.id(target)) leads after the transfer")
            #expect(await c.proposeOnLeader("t\(step)") == "ok")
        }
        #expect(await c.converged(commands: 3))
    }

    @Test func leaderCutOffFromPeersStepsDownAndCommitsNothing() async throws {
        let c = try RaftProcessCluster(name: "isolated")
        defer { c.killAll() }
        try c.startAll()
        #expect(await c.proposeOnLeader("before") == "ok")
        #expect(await c.converged(commands: 1))

        // Freeze the peers of the node that leads at that moment; if it is no longer leader right after
        // the freeze (an election moved leadership first), thaw them and try again.
        var isolated: (leader: Int, peers: [Int])?
        for _ in 0..<5 where isolated == nil {
            let (leader, _) = try #require(await c.waitForLeader())
            let peers = [0, 1, 2].filter { $0 != leader }
            for p in peers { c.signal(p, SIGSTOP) }
            if await c.status(leader)?["role"] == "leader" {
                isolated = (leader, peers)
            } else {
                for p in peers { c.signal(p, SIGCONT) }
            }
        }
        let (leader, peers) = try #require(isolated, "no leader could be isolated")
        // Check-quorum: without answers from a majority the leader must give up leadership.
        #expect(await c.eventually { await c.status(leader)?["role"] != "leader" }, "\(c.logTail(leader))")
        let refused = await c.request(leader, "propose during")
        #expect(refused?.hasPrefix("err ") == true)
        let s = try #require(await c.status(leader))
        #expect(s["quorum"] == "0" && s["commands"] == "1")

        for p in peers { c.signal(p, SIGCONT) }
        #expect(await c.proposeOnLeader("after") == "ok")
        // Exactly the two proposals that were acknowledged exist everywhere.
        #expect(await c.converged(commands: 2))
    }
}

/// A flag one task sets and another reads.
private final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
