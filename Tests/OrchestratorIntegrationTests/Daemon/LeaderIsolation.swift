import Foundation

/// Cuts one orchd node off from its Raft peers with nftables, on loopback: every node runs in its own
/// cgroup v2 (`OrchdProcessGroup(cgroupBase:)`), so a rule can match the isolated node's outgoing
/// sockets (all nodes connect from 127.0.0.1), plus a rule dropping everything sent to its Raft port.
/// The rules live in an `inet` table of this process's own (`orchd_test_<pid>`), deleted by `remove()`.
final class LeaderIsolation {
    let table: String
    private var created = false

    init(table: String = "orchd_test_\(getpid())") { self.table = table }
    deinit { remove() }

    // MARK: - Availability

    /// The cgroup v2 mount point when it lies under /sys/fs/cgroup (where nft resolves cgroup paths).
    static var cgroup2Mount: String? {
        guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return nil }
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count > 2, fields[2] == "cgroup2", fields[1].hasPrefix("/sys/fs/cgroup") { return String(fields[1]) }
        }
        return nil
    }

    /// Why the isolation cannot be set up here, or nil when it can (root, nft, a writable cgroup v2).
    static let unavailableReason: String? = {
        guard getuid() == 0 else { return "needs root for nftables and cgroups" }
        guard run(["nft", "list", "tables"]).status == 0 else { return "nft is not usable" }
        guard let mount = cgroup2Mount else { return "no cgroup v2 mount under /sys/fs/cgroup" }
        let probe = "\(mount)/orchd_test_probe_\(getpid())"
        guard mkdir(probe, 0o755) == 0 else { return "cannot create a cgroup under \(mount)" }
        rmdir(probe)
        return nil
    }()

    /// The cgroup base directory for `OrchdProcessGroup(cgroupBase:)`.
    static func cgroupBase(_ name: String) -> String? {
        cgroup2Mount.map { "\($0)/orchd_test_\(getpid())_\(name)" }
    }

    // MARK: - Rules

    /// Drops the traffic between the node in `cgroup` with Raft address `host:port` and its peers' Raft
    /// ports `peerPorts`.
    func isolate(cgroup: String, host: String, port: Int, peerPorts: [Int]) throws {
        // nft takes the path below /sys/fs/cgroup; the level counts from the cgroup v2 root.
        let relative = String(cgroup.dropFirst("/sys/fs/cgroup/".count))
        let level = Self.cgroup2Mount.map { cgroup.dropFirst($0.count + 1).split(separator: "/").count } ?? 1
        let ports = peerPorts.map(String.init).joined(separator: ", ")
        let rules = """
            table inet \(table) {
                chain out {
                    type filter hook output priority 0; policy accept;
                    socket cgroupv2 level \(level) "\(relative)" tcp dport { \(ports) } drop
                    ip daddr \(host) tcp dport \(port) drop
                }
            }
            """
        try apply(rules)
    }

    /// Loads `rules` (this object's table) with `nft -f`.
    func apply(_ rules: String) throws {
        let file = NSTemporaryDirectory() + "\(table).nft"
        try rules.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        created = true
        let result = Self.run(["nft", "-f", file])
        guard result.status == 0 else { throw GroupError("nft -f failed: \(result.output)\n\(rules)") }
    }

    /// Deletes the table (safe to call twice).
    func remove() {
        guard created else { return }
        _ = Self.run(["nft", "delete", "table", "inet", table])
        created = false
    }

    @discardableResult
    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        let out = NSTemporaryDirectory() + "nft-\(UUID().uuidString).out"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: out) }
        guard let handle = FileHandle(forWritingAtPath: out) else { return (-1, "cannot write \(out)") }
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return (-1, "\(error)") }
        p.waitUntilExit()
        try? handle.close()
        return (p.terminationStatus, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }
}
