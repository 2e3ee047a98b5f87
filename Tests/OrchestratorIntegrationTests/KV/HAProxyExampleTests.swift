import Foundation
import Testing
import OrchestratorCore
@testable import OrchestratorServer

/// Examples/haproxy: a real HAProxy (plain process, its own port and admin socket under the test
/// directory) and the watcher script follow a master key that orchd's etcd writer updates. The
/// "master" is etcd's own client port, so traffic through HAProxy proves where the server points.
@Suite("HAProxy example follows the etcd master key", .serialized,
       .disabled(if: EtcdProcess.skipped || !FileManager.default.isExecutableFile(atPath: "/usr/sbin/haproxy")
                 || !FileManager.default.isExecutableFile(atPath: "/usr/bin/socat"), "etcd, haproxy or socat missing"))
struct HAProxyExampleTests {
    @Test func watcherSwitchesTheWriterBackendThroughTheRuntimeAPI() async throws {
        let etcd = try EtcdProcess(name: "haproxy")
        defer { etcd.stop() }
        try etcd.start()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples/haproxy").path
        let socketPath = etcd.dir + "/haproxy.sock"
        let bindPort = etcd.clientPort + 300
        var env = ProcessInfo.processInfo.environment
        env["HAPROXY_SOCKET"] = socketPath
        env["HAPROXY_WRITER_BIND"] = "127.0.0.1:\(bindPort)"
        let haproxy = try spawn("/usr/sbin/haproxy", ["-db", "-f", root + "/haproxy.cfg"], env: env, log: etcd.dir + "/haproxy.log")
        defer { kill(haproxy.processIdentifier, SIGKILL); haproxy.waitUntilExit() }
        let key = "mysql/master/ha-test"
        let watcher = try spawn(root + "/etcd-haproxy-watcher",
                                ["--etcd", etcd.endpoint, "--key", key, "--socket", socketPath, "--interval", "0.2"],
                                env: env, log: etcd.dir + "/watcher.log")
        defer { kill(watcher.processIdentifier, SIGKILL); watcher.waitUntilExit() }

        let client = try HTTPClient()
        defer { Task { await client.shutDown() } }
        let store = EtcdKVStore(endpoints: [try HTTPAddress(parsing: etcd.endpoint)], client: client, timeout: .seconds(20))
        // The master is "etcd itself": HAProxy must forward to etcd's client port.
        // On a loaded CI machine a fresh etcd can take a while to accept its first writes: retry.
        let first = ClusterMasterKV.pairs(prefix: "mysql/master/", clusterAlias: "ha-test",
                                          master: InstanceKey(hostname: "127.0.0.1", port: etcd.clientPort))
        #expect(await eventuallyAsync(seconds: 90) { (try? await store.put(first)) != nil }, "etcd accepts the write")
        #expect(await eventuallyAsync { pointsAt(socketPath, etcd.clientPort)
        }, "the writer server points at the published master: \(serverState(socketPath))")
        let through = try await client.execute(.init(target: "/version"),
                                               to: HTTPAddress(parsing: "http://127.0.0.1:\(bindPort)"), timeout: .seconds(5))
        #expect(through.bodyText.contains("etcdserver"), "traffic reaches the master through HAProxy")

        // A failover: the key moves, and so does HAProxy, without a reload.
        let second = ClusterMasterKV.pairs(prefix: "mysql/master/", clusterAlias: "ha-test",
                                           master: InstanceKey(hostname: "127.0.0.1", port: etcd.peerPort))
        #expect(await eventuallyAsync(seconds: 90) { (try? await store.put(second)) != nil }, "etcd accepts the second write")
        #expect(await eventuallyAsync { pointsAt(socketPath, etcd.peerPort) },
                "the writer server follows the new master: \(serverState(socketPath))")
        #expect(haproxy.isRunning, "HAProxy was switched in place, not restarted")
    }

    /// Whether `show servers state` lists the writer server at 127.0.0.1:`port` (srv_addr is the 5th
    /// column, srv_port the 19th).
    private func pointsAt(_ socketPath: String, _ port: Int) -> Bool {
        serverState(socketPath).split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 18 && fields[3] == "master" && fields[4] == "127.0.0.1" && fields[18] == "\(port)"
        }
    }

    private func serverState(_ socketPath: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "echo 'show servers state mysql_writer' | /usr/bin/socat stdio unix-connect:\(socketPath)"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    private func spawn(_ path: String, _ arguments: [String], env: [String: String], log: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        p.environment = env
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        p.standardError = p.standardOutput
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }
}
