import Foundation
import Testing
import OrchestratorTestKit

/// Master discovery for applications end to end: three real orchd nodes, a real MariaDB sandbox and a
/// real etcd, each started by the test. Every check acts on whoever leads at that moment.
@Suite("orchd publishes masters to etcd", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped || EtcdProcess.skipped, "ORCHD_SKIP_INTEGRATION=1 or no etcd"))
struct OrchdKVTests {
    static let prefix = "mysql/master/"

    /// A hook script that appends "kv <value of the master key>" as etcd shows it when the hook runs.
    static func hookReadingEtcd(_ etcd: EtcdProcess, alias: String, dir: String) throws -> String {
        let script = "\(dir)/read-etcd.sh"
        let key = Data((prefix + alias).utf8).base64EncodedString()
        try """
            #!/bin/sh
            value=$(curl -s --max-time 2 -X POST \(etcd.endpoint)/v3/kv/range -d '{"key":"\(key)"}' \\
              | sed -n 's/.*"value":"\\([^"]*\\)".*/\\1/p' | base64 -d)
            echo "kv $value" >> "\(dir)/hooks.log"
            """.write(toFile: script, atomically: true, encoding: .utf8)
        return "sh \(script)"
    }

    @Test func discoveryFailoverStoreOutageAndSubmit() async throws {
        let etcd = try EtcdProcess(name: "orchd")
        defer { etcd.stop() }
        try etcd.start()
        let alias = "kv-test"
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: alias)
        defer { sandbox.down() }
        let base = ProcessInfo.processInfo.environment["ORCHD_TEST_DIR"] ?? NSTemporaryDirectory()
        let hookDir = (base as NSString).appendingPathComponent("kv-hooks-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: hookDir, withIntermediateDirectories: true)
        let hook = try Self.hookReadingEtcd(etcd, alias: alias, dir: hookDir)
        let group = try OrchdProcessGroup(name: "kv", overrides: [
            "EtcdEndpoints": [etcd.endpoint], "KVClusterMasterPrefix": "mysql/master",
            "PostMasterFailoverProcesses": [hook],
        ])
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 4, alias: alias, instances: 4)
        let key = Self.prefix + alias
        let hookLog = { ((try? String(contentsOfFile: "\(hookDir)/hooks.log", encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init) }

        // Discovery publishes the master, with upstream's sub-keys.
        let first = "127.0.0.1:\(sandbox.port(1))"
        #expect(group.eventually { try etcd.get(key) == first }, "the discovered master is published")
        #expect(try etcd.get(key + "/hostname") == "127.0.0.1")
        #expect(try etcd.get(key + "/port") == "\(sandbox.port(1))")
        #expect(try etcd.get(key + "/ipv4") == "127.0.0.1")

        // submit-masters-to-kv-stores writes them again on demand (the leader's cache says they are there).
        try etcd.deleteAll(prefix: Self.prefix)
        let submitted = try group.cli(["-c", "submit-masters-to-kv-stores", "-a", alias])
        #expect(submitted.status == 0, "\(submitted.err)")
        #expect(submitted.out.split(separator: "\n").contains("\(key):\(first)"), "\(submitted.out)")
        #expect(try etcd.get(key) == first)
        #expect(try etcd.get(key + "/port") == "\(sandbox.port(1))")
        let all = try group.cli(["-c", "submit-masters-to-kv-stores"])
        #expect(all.status == 0, "\(all.err)")

        // Failover: the store says the new master before the post-failover hooks run.
        try await sandbox.kill(1)
        var second = ""
        #expect(group.eventually(seconds: 60) {
            second = try group.cli(["-c", "which-cluster-master", "-a", alias]).out
            return !second.isEmpty && second != first
        }, "a new master is promoted")
        #expect(group.eventually { hookLog().contains("kv \(second)") }, "the hook read the new master from etcd: \(hookLog())")
        #expect(try etcd.get(key) == second)
        #expect(try recoveries(group).last?.kvStep?["OK"] as? Bool == true)

        // A store that is down does not hold a recovery back, and is caught up when it is back.
        etcd.stop()
        #expect(try group.cli(["-c", "ack-cluster-recoveries", "-a", alias, "-r", "kv test"]).status == 0)
        let secondN = (Int(second.split(separator: ":").last ?? "") ?? 0) - sandbox.basePort + 1
        try await sandbox.kill(secondN)
        var third = ""
        #expect(group.eventually(seconds: 60) {
            third = try group.cli(["-c", "which-cluster-master", "-a", alias]).out
            return !third.isEmpty && third != first && third != second
        }, "the second failover promotes another replica while etcd is down")
        #expect(group.eventually {
            let list = try recoveries(group)
            return list.count == 2 && list.allSatisfy { $0.record["IsSuccessful"] as? Bool == true && $0.record["IsActive"] as? Bool == false }
        }, "both recoveries succeeded")
        let failedStep = try recoveries(group).last?.kvStep
        #expect(failedStep?["OK"] as? Bool == false, "the audit records that etcd could not be written: \(failedStep ?? [:])")
        #expect(hookLog().contains("kv "), "the hook ran anyway and read nothing: \(hookLog())")
        try etcd.start()
        #expect(group.eventually { try etcd.get(key) == third }, "the store is caught up once it is back")
        #expect(try etcd.get(key + "/port") == third.split(separator: ":").last.map(String.init))
    }

    @Test func onlyTheLeaderWrites() async throws {
        // Each node its own etcd: a store with keys belongs to a node that led at some point.
        let stores = try (0..<OrchdProcessGroup.size).map { try EtcdProcess(name: "node\($0)") }
        defer { stores.forEach { $0.stop() } }
        for store in stores { try store.start() }
        let alias = "kv-leader-test"
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: alias)
        defer { sandbox.down() }
        var perNode: [Int: [String: Any]] = [:]
        for i in stores.indices { perNode[i] = ["EtcdEndpoints": [stores[i].endpoint]] }
        let group = try OrchdProcessGroup(name: "kv-leader", overrides: ["KVSyncIntervalSeconds": 1], nodeOverrides: perNode)
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 4, alias: alias, instances: 4)
        let key = Self.prefix + alias
        #expect(group.eventually {
            guard let leader = group.leader().flatMap(group.index(ofRaftID:)) else { return false }
            return try stores[leader].get(key) == "127.0.0.1:\(sandbox.port(1))"
        }, "the leader publishes")
        // Several sync intervals pass; followers (that never led) write nothing.
        try await Task.sleep(for: .seconds(4))
        for i in stores.indices {
            let led = ((try? String(contentsOfFile: "\(group.dir)/node\(i)/orchd.log", encoding: .utf8)) ?? "")
                .contains("raft: became leader")
            let written = try stores[i].count(prefix: Self.prefix)
            #expect(led || written == 0, "node \(i) never led but its store holds \(written) keys")
        }
    }

    /// graceful-master-takeover publishes the new master before its post-takeover hooks run, as a failover
    /// does; nodes that never led write nothing. Each node has its own etcd and a hook reading that one:
    /// the hook of whichever node ran the takeover reads what that node wrote.
    @Test func gracefulTakeoverRepublishesBeforeItsHooks() async throws {
        let stores = try (0..<OrchdProcessGroup.size).map { try EtcdProcess(name: "takeover\($0)") }
        defer { stores.forEach { $0.stop() } }
        for store in stores { try store.start() }
        let alias = "kv-takeover-test"
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: alias)
        defer { sandbox.down() }
        let base = ProcessInfo.processInfo.environment["ORCHD_TEST_DIR"] ?? NSTemporaryDirectory()
        let hookDir = (base as NSString).appendingPathComponent("kv-takeover-hooks-\(UUID().uuidString.prefix(8))")
        var perNode: [Int: [String: Any]] = [:]
        for i in stores.indices {
            let dir = "\(hookDir)/node\(i)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            perNode[i] = ["EtcdEndpoints": [stores[i].endpoint],
                          "PostGracefulTakeoverProcesses": [try Self.hookReadingEtcd(stores[i], alias: alias, dir: dir)]]
        }
        let group = try OrchdProcessGroup(name: "kv-takeover", overrides: ["KVSyncIntervalSeconds": 1], nodeOverrides: perNode)
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 4, alias: alias, instances: 4)
        let key = Self.prefix + alias
        let oldMaster = "127.0.0.1:\(sandbox.port(1))"
        let designated = "127.0.0.1:\(sandbox.port(2))"
        #expect(group.eventually {
            guard let leader = group.leader().flatMap(group.index(ofRaftID:)) else { return false }
            return try stores[leader].get(key) == oldMaster
        }, "the leader publishes the discovered master")

        let takeover = try group.cli(["-c", "graceful-master-takeover-auto", "-a", alias, "-d", designated])
        #expect(takeover.status == 0, "\(takeover.err)")
        #expect(takeover.out == designated)
        let hookLines = { (0..<OrchdProcessGroup.size).flatMap { i in
            ((try? String(contentsOfFile: "\(hookDir)/node\(i)/hooks.log", encoding: .utf8)) ?? "")
                .split(separator: "\n").map { "node\(i) \($0)" }
        } }
        #expect(group.eventually { !hookLines().isEmpty }, "a post-takeover hook ran")
        #expect(hookLines().count == 1 && hookLines().first?.hasSuffix("kv \(designated)") == true,
                "the hook read the new master from its node's etcd: \(hookLines())")
        #expect(group.eventually {
            guard let leader = group.leader().flatMap(group.index(ofRaftID:)) else { return false }
            return try stores[leader].get(key) == designated && stores[leader].get(key + "/port") == "\(sandbox.port(2))"
        }, "the leader's store names the new master")

        // Several sync intervals later, a node that never led has written nothing to its store.
        try await Task.sleep(for: .seconds(4))
        for i in stores.indices {
            let led = ((try? String(contentsOfFile: "\(group.dir)/node\(i)/orchd.log", encoding: .utf8)) ?? "")
                .contains("raft: became leader")
            let written = try stores[i].count(prefix: Self.prefix)
            #expect(led || written == 0, "node \(i) never led but its store holds \(written) keys")
        }
    }

    /// The leader's recovery audit, oldest first, each with its "kv publish" step.
    func recoveries(_ group: OrchdProcessGroup) throws -> [(record: [String: Any], kvStep: [String: Any]?)] {
        let out = try group.cli(["-c", "api", "-P", "audit-recovery"]).out
        let list = (try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]]) ?? []
        return list.sorted { ($0["Id"] as? Int ?? 0) < ($1["Id"] as? Int ?? 0) }.map { record in
            let steps = record["Steps"] as? [[String: Any]] ?? []
            return (record, steps.first { ($0["Name"] as? String) == "kv publish" })
        }
    }
}
