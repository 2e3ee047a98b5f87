import CMariaDB
import Foundation
import Logging

/// The daemon's malloc settings. glibc's defaults suit short-lived programs: an arena per thread (up to
/// 8 per core) and a threshold for mapping large blocks that rises as they are freed. A node that
/// rebuilds its 10,000-server read model each second then holds twice what it uses (measured here:
/// 608 MB held for 250 MB in use). Two arenas and a fixed 256 KB mapping threshold (large arrays are
/// mapped and unmapped, not left in the heap) keep it close. The operator's `MALLOC_ARENA_MAX`,
/// `MALLOC_MMAP_THRESHOLD_` and `MALLOC_TRIM_THRESHOLD_` still win.
public enum MemoryTuning {
    public static func apply(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if environment["MALLOC_ARENA_MAX"] == nil { _ = mallopt(M_ARENA_MAX, 2) }
        if environment["MALLOC_MMAP_THRESHOLD_"] == nil { _ = mallopt(M_MMAP_THRESHOLD, 256 * 1024) }
        if environment["MALLOC_TRIM_THRESHOLD_"] == nil { _ = mallopt(M_TRIM_THRESHOLD, 1024 * 1024) }
    }
}

// MARK: - Code pages mapped at start-up

extension MemoryTuning {
    /// A file-backed read-only mapping (`r-xp` code or `r--p` constants) that holds no private page:
    /// only the file's own bytes, which the kernel can map again from the page cache on the next touch.
    public struct CodeMapping: Equatable, Sendable {
        public var start: UInt
        public var length: Int
        public var residentKB: Int
        public var path: String

        public init(start: UInt, length: Int, residentKB: Int, path: String) {
            self.start = start
            self.length = length
            self.residentKB = residentKB
            self.path = path
        }
    }

    /// The mappings of `/proc/self/smaps` text that `releaseCodePages` may drop: not writable, private,
    /// backed by a file, and with no anonymous (copied-on-write) page. Anything else (data, read-only
    /// data the loader relocated, a mapping a debugger wrote a breakpoint into) is left alone:
    /// dropping a private copy would lose what was written to it.
    public static func releasableCodeMappings(smaps: String) -> [CodeMapping] {
        var out: [CodeMapping] = []
        var current: (mapping: CodeMapping, anonymousKB: Int)?
        func finish() {
            if let c = current, c.anonymousKB == 0, c.mapping.residentKB > 0 { out.append(c.mapping) }
            current = nil
        }
        for line in smaps.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                finish()
                let bounds = range.split(separator: "-")
                guard fields.count >= 6, fields[1] == "r-xp" || fields[1] == "r--p", fields[4] != "0", bounds.count == 2,
                      let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), end > start
                else { continue }
                let path = fields[5...].joined(separator: " ")
                guard path.hasPrefix("/") else { continue }  // [vdso] and friends
                current = (CodeMapping(start: start, length: Int(end - start), residentKB: 0, path: path), 0)
            } else if current != nil, fields.count >= 2, let kb = Int(fields[1]) {
                if fields[0] == "Rss:" { current?.mapping.residentKB = kb }
                if fields[0] == "Anonymous:" { current?.anonymousKB = kb }
            }
        }
        finish()
        return out
    }

    /// Unmaps this process's code pages (its own and its libraries'), so that only the code it runs
    /// from now on is mapped again. Start-up (configuration, migrations, the first discovery) touches
    /// code that an idle node never runs again, and the kernel maps file pages 64 KB around each touch:
    /// measured here, an idle node kept 38 of its 44 MB resident this way and touched 12 MB in 30 s.
    /// The pages stay in the page cache (shared by every process of the binary); the next touch is a
    /// minor fault. Returns the kilobytes that were resident. Linux only; elsewhere it does nothing.
    @discardableResult
    public static func releaseCodePages() -> Int {
        #if os(Linux)
        // Best effort: without the map nothing is released, and nothing depends on it.
        guard let smaps = readProcFile("/proc/self/smaps") else { return 0 }
        var released = 0
        for mapping in releasableCodeMappings(smaps: smaps) {
            guard let address = UnsafeMutableRawPointer(bitPattern: mapping.start) else { continue }
            if madvise(address, mapping.length, MADV_DONTNEED) == 0 { released += mapping.residentKB }
        }
        return released
        #else
        return 0
        #endif
    }

    /// A /proc file read to its end (its size is 0, so reading "the whole file" by size reads nothing
    /// or one buffer).
    static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return n == 0 ? String(decoding: bytes, as: UTF8.self) : nil }
            bytes.append(contentsOf: buffer[0..<n])
        }
    }

    /// `releaseCodePages` once start-up is over (after `after`), then every `every` (what rarely runs,
    /// such as an API call's or a recovery's code, is dropped again a minute later); until cancelled.
    /// Each pass reads the map and makes a few dozen `madvise` calls; the code in use comes back in a
    /// few hundred minor faults. `ORCHD_KEEP_CODE_PAGES=1` turns it off.
    public static func releaseCodePagesPeriodically(
        after: Duration = .seconds(15), every: Duration = .seconds(60), logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async {
        guard environment["ORCHD_KEEP_CODE_PAGES"] != "1" else { return }
        var wait = after
        while true {
            do { try await Task.sleep(for: wait) } catch { return }  // cancelled: the daemon stops
            let kb = releaseCodePages()
            logger.debug("released \(kb / 1024) MB of mapped code pages (mapped again as they are used)")
            wait = every
        }
    }
}
