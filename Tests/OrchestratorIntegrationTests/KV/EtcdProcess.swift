import Foundation
import Synchronization

/// Port pairs for etcd processes started at the same time (suites run in parallel).
private let nextEtcdPorts = Mutex(0)

/// A real single-member etcd (Debian `etcd-server`, 3.4), started as a plain process on loopback with
/// its own ports (`ORCHD_TEST_KV_PORTS`, default 27500, two per instance) and its data under the test
/// directory; `stop()` kills it, `start()` starts it again on the same ports and data.
final class EtcdProcess: @unchecked Sendable {
    static let executable = ["/usr/bin/etcd", "/usr/local/bin/etcd"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var skipped: Bool { executable == nil || ProcessInfo.processInfo.environment["ORCHD_SKIP_INTEGRATION"] == "1" }

    let clientPort: Int
    let peerPort: Int
    let dir: String
    /// etcd's data (WAL and snapshots) lives on tmpfs when the machine has one: with MariaDB sandboxes
    /// fsyncing on the same disk, a fresh etcd's first write took over 20 s on a loaded CI machine. The
    /// tests are about orchd's writer, not about etcd's durability.
    let dataDir: String
    /// Serves its client port over TLS (the group's node certificate) and requires client certificates
    /// signed by the group's CA.
    let certificates: GroupCertificates?
    let extraArguments: [String]
    /// Once authentication is enabled: the root user the helpers read and write as.
    var root: (user: String, password: String)?
    private var process: Process?

    init(name: String, certificates: GroupCertificates? = nil, extraArguments: [String] = []) throws {
        self.certificates = certificates
        self.extraArguments = extraArguments
        let first = Int(ProcessInfo.processInfo.environment["ORCHD_TEST_KV_PORTS"] ?? "") ?? 27500
        let block = nextEtcdPorts.withLock { n in
            defer { n += 1 }
            return n
        }
        clientPort = first + 2 * block
        peerPort = clientPort + 1
        let base = ProcessInfo.processInfo.environment["ORCHD_TEST_DIR"] ?? NSTemporaryDirectory()
        dir = (base as NSString).appendingPathComponent("etcd-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var shm: ObjCBool = false
        if FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &shm), shm.boolValue,
           FileManager.default.isWritableFile(atPath: "/dev/shm") {
            dataDir = tmpfsTestDirectory() + "/etcd-\(UUID().uuidString.prefix(12))"
        } else {
            dataDir = "\(dir)/data"
        }
    }

    deinit {
        stop()
        if dataDir.hasPrefix("/dev/shm/") { try? FileManager.default.removeItem(atPath: dataDir) }
    }

    var endpoint: String { "\(certificates == nil ? "http" : "https")://127.0.0.1:\(clientPort)" }

    /// Starts etcd and waits until it accepts a write (a read can be served before the first WAL fsync).
    func start() throws {
        guard let executable = Self.executable else { throw EtcdError("etcd is not installed (apt-get install etcd-server)") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        let peer = "http://127.0.0.1:\(peerPort)"
        p.arguments = ["--name", "orchd-test", "--data-dir", dataDir, "--listen-client-urls", endpoint,
                       "--advertise-client-urls", endpoint, "--listen-peer-urls", peer,
                       "--initial-advertise-peer-urls", peer, "--initial-cluster", "orchd-test=\(peer)"]
        if let certificates {
            p.arguments! += ["--cert-file", certificates.nodeCertificate, "--key-file", certificates.nodeKey,
                             "--client-cert-auth", "--trusted-ca-file", certificates.caFile]
        }
        p.arguments! += extraArguments
        let logPath = "\(dir)/etcd.log"
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        p.standardOutput = log
        p.standardError = log
        p.standardInput = FileHandle.nullDevice
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if (try? put("orchd-test/ready-check", "1")) != nil { return }
            usleep(100_000)
        }
        throw EtcdError("etcd on \(endpoint) did not answer within 30 s (see \(logPath))")
    }

    /// kill -9: the store is down (connections refused) until `start()`.
    func stop() {
        guard let p = process else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        process = nil
    }

    /// The value of `key` ("" when absent), read through the JSON gateway with curl (not orchd's code).
    func get(_ key: String) throws -> String {
        let body = "{\"key\":\"\(Data(key.utf8).base64EncodedString())\"}"
        let out = try curl(["-sf", "-X", "POST", "\(endpoint)/v3/kv/range", "-d", body])
        guard let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] else {
            throw EtcdError("unexpected etcd answer: \(out)")
        }
        guard let kvs = json["kvs"] as? [[String: Any]], let value = kvs.first?["value"] as? String,
              let data = Data(base64Encoded: value) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes one key through the JSON gateway with curl.
    func put(_ key: String, _ value: String) throws {
        let body = "{\"key\":\"\(Data(key.utf8).base64EncodedString())\",\"value\":\"\(Data(value.utf8).base64EncodedString())\"}"
        _ = try curl(["-sf", "-X", "POST", "\(endpoint)/v3/kv/put", "-d", body])
    }

    /// How many keys start with `prefix`.
    func count(prefix: String) throws -> Int {
        var end = Array(prefix.utf8)
        end[end.count - 1] += 1
        let body = "{\"key\":\"\(Data(prefix.utf8).base64EncodedString())\",\"range_end\":\"\(Data(end).base64EncodedString())\",\"count_only\":true}"
        let out = try curl(["-sf", "-X", "POST", "\(endpoint)/v3/kv/range", "-d", body])
        let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
        return Int(json?["count"] as? String ?? "0") ?? 0
    }

    /// Deletes every key under `prefix`.
    func deleteAll(prefix: String) throws {
        var end = Array(prefix.utf8)
        end[end.count - 1] += 1
        let body = "{\"key\":\"\(Data(prefix.utf8).base64EncodedString())\",\"range_end\":\"\(Data(end).base64EncodedString())\"}"
        _ = try curl(["-sf", "-X", "POST", "\(endpoint)/v3/kv/deleterange", "-d", body])
    }

    /// Turns authentication on through the gateway, as `etcdctl user add root` + `auth enable` do: a
    /// root user (the helpers use it from now on) and `user`, allowed read-write under `prefix` only.
    func enableAuth(rootPassword: String, user: String, password: String, prefix: String) throws {
        func b64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
        var end = Array(prefix.utf8)
        end[end.count - 1] += 1
        let calls: [(String, [String: Any])] = [
            ("user/add", ["name": "root", "password": rootPassword]),
            ("role/add", ["name": "root"]),
            ("user/grant", ["user": "root", "role": "root"]),
            ("user/add", ["name": user, "password": password]),
            ("role/add", ["name": "\(user)-writer"]),
            ("role/grant", ["name": "\(user)-writer",
                            "perm": ["permType": "READWRITE", "key": b64(Array(prefix.utf8)), "range_end": b64(end)]]),
            ("user/grant", ["user": user, "role": "\(user)-writer"]),
            ("enable", [:]),
        ]
        for (path, body) in calls {
            let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
            _ = try curl(["-sf", "-X", "POST", "\(endpoint)/v3/auth/\(path)", "-d", json], token: false)
        }
        root = ("root", rootPassword)
    }

    /// A fresh token for the root user (simple tokens expire: tests may run etcd with a short TTL).
    private func rootToken() throws -> String? {
        guard let root else { return nil }
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["name": root.user, "password": root.password]),
                          as: UTF8.self)
        let out = try curl(["-sf", "-X", "POST", "\(endpoint)/v3/auth/authenticate", "-d", body], token: false)
        guard let token = (try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])?["token"] as? String else {
            throw EtcdError("no token in etcd's answer: \(out)")
        }
        return token
    }

    private func curl(_ arguments: [String], token: Bool = true) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        var options = ["--max-time", "3"]
        if let certificates {
            options += ["--cacert", certificates.caFile, "--cert", certificates.clientCertificate, "--key", certificates.clientKey]
        }
        if token, let value = try rootToken() { options += ["-H", "Authorization: \(value)"] }
        p.arguments = options + arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw EtcdError("curl \(arguments.last ?? "") failed (\(p.terminationStatus))") }
        return String(decoding: data, as: UTF8.self)
    }
}

struct EtcdError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A directory on tmpfs for this test run: `/dev/shm/<basename of ORCHD_TEST_DIR>` (Scripts/test removes it
/// with the run's directory), or `/dev/shm/orchd-test-<pid>` when the tests run without Scripts/test.
func tmpfsTestDirectory() -> String {
    let base = ProcessInfo.processInfo.environment["ORCHD_TEST_DIR"].map { ($0 as NSString).lastPathComponent }
    return "/dev/shm/" + (base ?? "orchd-test-\(getpid())")
}
