@testable import OrchestratorServer
import Testing

@Suite struct MemoryTuningTests {
    /// Only file-backed read-only mappings without a private page are released: never data,
    /// relocated read-only data, anonymous memory, [vdso], or code a debugger wrote into.
    @Test func releasesOnlyCleanFileBackedCode() {
        let smaps = """
            55f209500000-55f20a7e9000 r-xp 00000000 fe:00 5390983                    /opt/orchd/bin/orchd
            Size:              19364 kB
            Rss:               13940 kB
            Anonymous:             0 kB
            VmFlags: rd ex mr mw me
            55f20a7ea000-55f20a872000 r--p 012e9000 fe:00 5390983                    /opt/orchd/bin/orchd
            Rss:                 544 kB
            Anonymous:           544 kB
            55f20a872000-55f20a9b5000 rw-p 01371000 fe:00 5390983                    /opt/orchd/bin/orchd
            Rss:                1180 kB
            Anonymous:           900 kB
            7f0000000000-7f0000200000 r-xp 00000000 fe:00 77                         /usr/lib/lib with space.so
            Rss:                  64 kB
            Anonymous:             0 kB
            7f0000400000-7f0000600000 r-xp 00000000 fe:00 78                         /usr/lib/libpatched.so
            Rss:                 128 kB
            Anonymous:             4 kB
            7f0000500000-7f0000600000 r--p 00000000 fe:00 78                         /usr/lib/libpatched.so
            Rss:                 256 kB
            Anonymous:             0 kB
            7f0000600000-7f0000700000 r-xp 00000000 fe:00 79                         /usr/lib/libcold.so
            Rss:                   0 kB
            Anonymous:             0 kB
            7f0000800000-7f0000a00000 rw-p 00000000 00:00 0
            Rss:                2048 kB
            Anonymous:          2048 kB
            7ffd5e3f2000-7ffd5e3f4000 r-xp 00000000 00:00 0                          [vdso]
            Rss:                   8 kB
            Anonymous:             0 kB
            """
        let mappings = MemoryTuning.releasableCodeMappings(smaps: smaps)
        #expect(mappings == [
            .init(start: 0x55f2_0950_0000, length: 0x55f2_0a7e_9000 - 0x55f2_0950_0000, residentKB: 13940, path: "/opt/orchd/bin/orchd"),
            .init(start: 0x7f00_0000_0000, length: 0x20_0000, residentKB: 64, path: "/usr/lib/lib with space.so"),
            .init(start: 0x7f00_0050_0000, length: 0x10_0000, residentKB: 256, path: "/usr/lib/libpatched.so"),
        ])
    }

    /// Released for real in this process: the code keeps running (the pages come back as it is used).
    @Test func releasingThisProcessKeepsItRunning() {
        // The whole map is read (a /proc file has no size: a reader that trusts it gets one buffer).
        let mappings = MemoryTuning.releasableCodeMappings(smaps: MemoryTuning.readProcFile("/proc/self/smaps") ?? "")
        #expect(mappings.contains { $0.path.hasSuffix("/libc.so.6") }, "libc's code is in the map: \(mappings.map(\.path))")
        let released = MemoryTuning.releaseCodePages()
        #expect(released > 0, "a running test process has resident code")
        #expect(MemoryTuning.releasableCodeMappings(smaps: "").isEmpty)
    }
}
