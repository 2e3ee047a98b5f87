import Foundation
import Testing
import OrchestratorCore
import OrchestratorTestKit
@testable import OrchestratorServer

/// A real ZooKeeper (Debian `zookeeperd`'s jars), started by the test as a plain process on its own port
/// (`ORCHD_TEST_ZK_PORT`, default 27600) with its data under the test directory.
final class ZooKeeperProcess: @unchecked Sendable {
    static var skipped: Bool {
        !FileManager.default.fileExists(atPath: "/usr/share/java/zookeeper.jar")
            || !FileManager.default.isExecutableFile(atPath: "/usr/bin/java")
            || ProcessInfo.processInfo.environment["ORCHD_SKIP_INTEGRATION"] == "1"
    }
    let port = Int(ProcessInfo.processInfo.environment["ORCHD_TEST_ZK_PORT"] ?? "") ?? 27600
    let dir: String
    /// The transaction log lives on tmpfs when there is one (as etcd's data, see `EtcdProcess`): a loaded
    /// CI disk made first writes slow, and these tests are about orchd's writer.
    let dataDir: String
    private var process: Process?

    init() throws {
        let base = ProcessInfo.processInfo.environment["ORCHD_TEST_DIR"] ?? NSTemporaryDirectory()
        dir = (base as NSString).appendingPathComponent("zookeeper-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if FileManager.default.isWritableFile(atPath: "/dev/shm") {
            dataDir = tmpfsTestDirectory() + "/zookeeper-\(UUID().uuidString.prefix(12))"
        } else {
            dataDir = dir + "/data"
        }
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
    }

    deinit {
        stop()
        if dataDir.hasPrefix("/dev/shm/") { try? FileManager.default.removeItem(atPath: dataDir) }
    }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/java")
        p.arguments = ["-cp", "/usr/share/java/*:/etc/zookeeper/conf", "org.apache.zookeeper.server.ZooKeeperServerMain",
                       String(port), dataDir]
        let log = dir + "/zookeeper.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        p.standardError = p.standardOutput
        p.standardInput = FileHandle.nullDevice
        try p.run()
        process = p
    }

    func stop() {
        guard let p = process else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        process = nil
    }
}

@Suite("ZooKeeper key-value store", .serialized, .disabled(if: ZooKeeperProcess.skipped, "zookeeperd not installed or ORCHD_SKIP_INTEGRATION=1"))
struct ZooKeeperKVStoreTests {
    @Test func createsAndUpdatesUpstreamsLayoutAndFailsFastWhenDown() async throws {
        let zk = try ZooKeeperProcess()
        defer { zk.stop() }
        try zk.start()
        // A dead server first: the next one in ZkAddress is used.
        let store = try ZooKeeperKVStore(address: "127.0.0.1:\(zk.port + 1000),127.0.0.1:\(zk.port)", timeout: .seconds(20))
        let first = ClusterMasterKV.pairs(prefix: "mysql/master/", clusterAlias: "shop",
                                          master: InstanceKey(hostname: "127.0.0.1", port: 3306))
        #expect(ZooKeeperKVStore.deepestFirst(first).last?.key == "mysql/master/shop", "the master key is written last")
        // The JVM takes a few seconds to listen.
        #expect(await eventuallyAsync(seconds: 60) { (try? await store.put(first)) != nil }, "ZooKeeper accepts the write")
        #expect(try await store.get("mysql/master/shop") == "127.0.0.1:3306")
        #expect(try await store.get("mysql/master/shop/port") == "3306")
        #expect(try await store.get("mysql/master/shop/ipv4") == "127.0.0.1")
        // An existing znode is updated in place.
        let second = ClusterMasterKV.pairs(prefix: "mysql/master/", clusterAlias: "shop",
                                           master: InstanceKey(hostname: "127.0.0.1", port: 3307))
        try await store.put(second)
        #expect(try await store.get("mysql/master/shop") == "127.0.0.1:3307")
        #expect(try await store.get("mysql/master/shop/hostname") == "127.0.0.1")
        #expect(try await store.get("mysql/master/absent") == nil)

        zk.stop()
        await #expect(throws: MasterKVStoreError.self) { try await store.put(first) }
    }

    @Test func orchdPublishesTheMasterToZooKeeper() async throws {
        let zk = try ZooKeeperProcess()
        defer { zk.stop() }
        try zk.start()
        let alias = "zk-test"
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: alias)
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "zk", overrides: ["ZkAddress": "127.0.0.1:\(zk.port)"])
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 4, alias: alias, instances: 4)
        let store = try ZooKeeperKVStore(address: "127.0.0.1:\(zk.port)", timeout: .seconds(20))
        #expect(await eventuallyAsync(seconds: 60) {
            (try? await store.get("mysql/master/\(alias)")) == "127.0.0.1:\(sandbox.port(1))"
        }, "the leader published the master to ZooKeeper")
        #expect(try await store.get("mysql/master/\(alias)/port") == "\(sandbox.port(1))")
    }
}
