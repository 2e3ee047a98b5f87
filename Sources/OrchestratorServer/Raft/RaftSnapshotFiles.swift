#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OrchestratorCore

/// Snapshot files in `<RaftDataDir>/snapshots`, written atomically: temp file, fsync, rename,
/// fsync of the directory. A crash leaves either the old file set or the new one, plus at most a
/// `.tmp` file that the next start removes.
///
/// Format: magic `ORCSNAP1`, index u64, term u64, voter count varint, voters, data (length-prefixed),
/// FNV-1a 64 of everything before it.
struct RaftSnapshotFiles: Sendable {
    let directory: String
    private static let magic: [UInt8] = Array("ORCSNAP1".utf8)

    init(directory: String) throws {
        self.directory = directory
        try RaftFileIO.makeDirectory(directory)
    }

    func fileName(for meta: RaftSnapshotMetadata) -> String {
        "snap-\(meta.term)-\(meta.index).bin"
    }

    func path(_ name: String) -> String { directory + "/" + name }

    /// Writes the snapshot and returns its file name (relative to `directory`).
    func write(_ snapshot: RaftSnapshot) throws -> String {
        var w = RaftBinaryWriter(capacity: snapshot.data.count + 64)
        w.bytes.append(contentsOf: Self.magic)
        w.u64(snapshot.metadata.index)
        w.u64(snapshot.metadata.term)
        w.varint(UInt64(snapshot.metadata.voters.count))
        for v in snapshot.metadata.voters { w.string(v) }
        w.blob(snapshot.data)
        w.u64(fnv1a64(w.bytes))
        let name = fileName(for: snapshot.metadata)
        try RaftFileIO.writeAtomically(w.bytes, to: path(name), directory: directory)
        return name
    }

    func read(_ name: String) throws -> RaftSnapshot {
        let p = path(name)
        let raw = try RaftFileIO.readAll(p)
        guard raw.count >= Self.magic.count + 8, Array(raw.prefix(Self.magic.count)) == Self.magic else {
            throw RaftStorageError.corruptSnapshot(path: p, reason: "bad magic")
        }
        var tail = RaftBinaryReader(raw, offset: raw.count - 8)
        guard try tail.u64() == fnv1a64(raw, count: raw.count - 8) else {
            throw RaftStorageError.corruptSnapshot(path: p, reason: "checksum mismatch")
        }
        do {
            var r = RaftBinaryReader(Array(raw.prefix(raw.count - 8)), offset: Self.magic.count)
            let index = try r.u64()
            let term = try r.u64()
            let n = try r.count()
            var voters: [RaftNodeID] = []
            for _ in 0..<n { voters.append(try r.string()) }
            let data = try r.blob()
            return RaftSnapshot(metadata: RaftSnapshotMetadata(index: index, term: term, voters: voters), data: data)
        } catch {
            throw RaftStorageError.corruptSnapshot(path: p, reason: "\(error)")
        }
    }

    /// Removes every file except `keep` (older snapshots, temp files of an interrupted write).
    func removeAll(except keep: String?) {
        for name in RaftFileIO.list(directory) where name != keep {
            _ = unlink(path(name))
        }
    }
}

// MARK: - POSIX helpers

enum RaftFileIO {
    static func makeDirectory(_ path: String) throws {
        var p = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            p += "/" + part
            if mkdir(p, 0o755) != 0 && errno != EEXIST {
                throw RaftStorageError.io(path: p, operation: "mkdir", errno: errno)
            }
        }
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw RaftStorageError.io(path: tmp, operation: "open", errno: errno) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { buf in
                write(fd, buf.baseAddress! + written, bytes.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                close(fd)
                throw RaftStorageError.io(path: tmp, operation: "write", errno: e)
            }
            written += n
        }
        if fsync(fd) != 0 {
            let e = errno
            close(fd)
            throw RaftStorageError.io(path: tmp, operation: "fsync", errno: e)
        }
        close(fd)
        guard rename(tmp, path) == 0 else { throw RaftStorageError.io(path: path, operation: "rename", errno: errno) }
        try syncDirectory(directory)
    }

    static func syncDirectory(_ directory: String) throws {
        let dfd = open(directory, O_RDONLY | O_DIRECTORY)
        guard dfd >= 0 else { throw RaftStorageError.io(path: directory, operation: "open", errno: errno) }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw RaftStorageError.io(path: directory, operation: "fsync", errno: errno) }
    }

    static func readAll(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw RaftStorageError.io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RaftStorageError.io(path: path, operation: "read", errno: errno)
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    static func list(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let ent = readdir(dir) {
            let name = withUnsafePointer(to: ent.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
