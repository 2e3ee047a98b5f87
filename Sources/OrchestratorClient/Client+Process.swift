#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - The real process: environment, user, sleeping, printing

extension Client {
    /// The client as the executable runs it: real sockets, real sleeps, the effective user as owner.
    public static var live: Client {
        Client(sleep: { seconds in
            guard seconds > 0 else { return }
            var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
            var remaining = timespec()
            while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
        }, currentUser: {
            guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "" }
            return String(cString: name)
        })
    }

    /// The process environment, with upstream's profile script (`ProfileScript`) filling gaps.
    public static func processEnvironment(profile: String = ProfileScript.defaultPath) -> [String: String] {
        ProfileScript.merged(rawEnvironment(), fileText: readSmallFile(profile))
    }

    /// The contents of a small text file, or nil if it cannot be read.
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[0..<count])
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The process environment, read without Foundation.
    static func rawEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}

extension ClientResult {
    /// Writes stdout and stderr lines to file descriptors 1 and 2.
    public func write() {
        if !stdout.isEmpty { Self.writeAll(stdout.joined(separator: "\n") + "\n", to: 1) }
        if !stderr.isEmpty { Self.writeAll(stderr.joined(separator: "\n") + "\n", to: 2) }
    }

    static func writeAll(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc_write(fd, $0.baseAddress, $0.count) }
            if written > 0 {
                bytes = bytes.dropFirst(written)
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return  // stdout closed (e.g. `| head`): nothing more to do
            }
        }
    }
}

private func Glibc_write(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, bytes, count)
}
