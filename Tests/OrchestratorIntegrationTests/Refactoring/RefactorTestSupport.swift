import Foundation
import OrchestratorCore
import OrchestratorServer
import OrchestratorTestKit
import Testing

/// A MariaDB sandbox discovered by a real 3-node orchd group, driven with the real orchestrator-client;
/// replication is checked on the MariaDB side with `SHOW SLAVE STATUS`.
struct RefactorWorld {
    let harness: OperationsHarness
    let group: OrchdProcessGroup
    var sandbox: MariaDBSandbox { harness.sandbox }

    /// Starts `topology`, the group, and waits until the leader sees all instances.
    static func up(_ topology: String, alias: String, overrides: [String: Any] = [:]) async throws -> RefactorWorld {
        let sandbox = try await MariaDBSandbox.up(topology: topology, alias: alias)
        let harness = OperationsHarness(sandbox)
        let group: OrchdProcessGroup
        do {
            group = try OrchdProcessGroup(name: alias, overrides: overrides)
            try group.startAll()
        } catch {
            await harness.shutdown()
            throw error
        }
        let world = RefactorWorld(harness: harness, group: group)
        #expect(await world.eventually { await world.leader() != nil }, "a leader is elected")
        #expect(await world.eventually { (try? await world.cli(["-c", "discover", "-i", world.key(sandbox.count)]))?.status == 0 })
        #expect(await world.eventually {
            (try? await world.cli(["-c", "which-cluster-instances", "-a", alias]))?.out.split(separator: "\n").count == sandbox.count
        }, "the group sees every instance")
        return world
    }

    /// Starts `topology` and the group, runs `scenario`, and takes everything down whether it throws or not.
    static func with(_ topology: String, alias: String, _ scenario: (RefactorWorld) async throws -> Void) async throws {
        let world = try await up(topology, alias: alias)
        do {
            try await scenario(world)
        } catch {
            await world.down()
            throw error
        }
        await world.down()
    }

    func down() async {
        group.killAll()
        await harness.shutdown()
    }

    /// `127.0.0.1:<port of n>`.
    func key(_ n: Int) -> String { "127.0.0.1:\(sandbox.port(n))" }

    /// Runs the CLI on a thread of its own: the process wait must not block Swift's cooperative pool,
    /// which the other suites running in parallel need.
    func cli(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        let group = self.group
        return try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try group.cli(arguments) }) }.start()
        }
    }

    func leader() async -> String? {
        guard let r = try? await cli(["-c", "raft-leader"]), r.status == 0, !r.out.isEmpty else { return nil }
        return r.out
    }

    /// Polls until `condition` holds (a hang guard, not a timing check), sleeping without blocking.
    func eventually(seconds: Double = 30, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return await condition()
    }

    /// The CLI's answer for a single-instance refactoring: `instance<master`.
    func moved(_ n: Int, below m: Int) -> String { "\(key(n))<\(key(m))" }

    /// MariaDB says `n` replicates from `m`, both threads running; and orchd's view (the leader, as the
    /// CLI reads it) already agrees: the executor re-probes what it touched before answering.
    func expectReplicates(_ n: Int, from m: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await harness.replicates(n, from: m), "MariaDB: \(n) replicates from \(m)", sourceLocation: sourceLocation)
        let master = try await cli(["-c", "which-master", "-i", key(n)]).out
        #expect(master == key(m), "orchd: which-master \(n)", sourceLocation: sourceLocation)
    }

    /// The Master_Port of every replica, from MariaDB (to show a refusal changed nothing).
    func masterPorts() async throws -> [Int: Int64] {
        var ports: [Int: Int64] = [:]
        for n in 1...sandbox.count {
            if let row = try await harness.slaveStatus(n), let port = row.int("Master_Port") { ports[n] = port }
        }
        return ports
    }

    /// A row written on `writer` arrives on every `readers`.
    func expectRowArrives(writer: Int, readers: [Int], marker: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let found = try await harness.rowArrives(writer: writer, readers: readers, marker: marker)
        #expect(found.allSatisfy { $0 }, "row \(marker) written on \(writer) reached \(readers): \(found)", sourceLocation: sourceLocation)
    }
}
