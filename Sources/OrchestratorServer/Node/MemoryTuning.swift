import CMariaDB
import Foundation

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
