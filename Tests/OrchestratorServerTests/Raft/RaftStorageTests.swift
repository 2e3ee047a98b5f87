import Foundation
import Testing
@testable import OrchestratorServer
import OrchestratorServerTestKit

/// The same behaviour is required of the SQLite store and its in-memory twin.
@Suite("Raft storage")
struct RaftStorageTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, memory
        var testDescription: String { rawValue }
    }

    /// Runs `body` against a fresh store; `reopen` gives a new handle on the same data (a restart).
    func withStore(_ kind: Kind, _ body: (_ store: any RaftStorage, _ reopen: () throws -> any RaftStorage) throws -> Void) throws {
        switch kind {
        case .memory:
            let store = InMemoryRaftStorage()
            try body(store, { store })
        case .sqlite:
            let dir = try makeRaftTestDirectory("storage")
            defer { removeRaftTestDirectory(dir) }
            try body(try SQLiteRaftStorage(dataDirectory: dir), { try SQLiteRaftStorage(dataDirectory: dir) })
        }
    }

    @Test(arguments: Kind.allCases)
    func emptyStoreLoadsDefaults(kind: Kind) throws {
        try withStore(kind) { store, _ in
            let loaded = try store.load()
            let snapshot = try store.loadSnapshot()
            #expect(loaded == RaftStoredState())
            #expect(snapshot == nil)
        }
    }

    @Test(arguments: Kind.allCases)
    func hardStateAndEntriesSurviveReopen(kind: Kind) throws {
        try withStore(kind) { store, reopen in
            let hs = RaftHardState(term: 3, votedFor: "127.0.0.2:10008", commit: 2)
            try store.persist(hardState: hs, entries: entries(1...3, term: 3))
            try store.persist(hardState: nil, entries: [RaftEntry(term: 3, index: 4, kind: .noop)])
            let loaded = try reopen().load()
            #expect(loaded.hardState == hs)
            #expect(loaded.entries == entries(1...3, term: 3) + [RaftEntry(term: 3, index: 4, kind: .noop)])
            #expect(loaded.lastIndex == 4)
        }
    }

    @Test(arguments: Kind.allCases)
    func appendTruncatesConflictingSuffix(kind: Kind) throws {
        try withStore(kind) { store, reopen in
            try store.persist(hardState: nil, entries: entries(1...5, term: 1))
            try store.persist(hardState: nil, entries: entries(3...3, term: 2))
            #expect(try reopen().load().entries == entries(1...2, term: 1) + entries(3...3, term: 2))
        }
    }

    @Test(arguments: Kind.allCases)
    func appendRejectsGap(kind: Kind) throws {
        try withStore(kind) { store, _ in
            try store.persist(hardState: nil, entries: entries(1...2, term: 1))
            #expect(throws: RaftStorageError.gap(expected: 3, got: 5)) {
                try store.persist(hardState: RaftHardState(term: 9), entries: entries(5...5, term: 1))
            }
            // Nothing of the failed call is kept, not even its hard state.
            #expect(try store.load().hardState == RaftHardState())
        }
    }

    @Test(arguments: Kind.allCases)
    func localSnapshotHidesCoveredEntriesAndCompactionDropsThem(kind: Kind) throws {
        try withStore(kind) { store, reopen in
            try store.persist(hardState: nil, entries: entries(1...10, term: 2))
            let snap = RaftSnapshot(metadata: RaftSnapshotMetadata(index: 6, term: 2, voters: ["a:1", "b:2"]), data: [1, 2, 3])
            try store.saveSnapshot(snap)
            let loaded = try reopen().load()
            #expect(loaded.snapshot == snap.metadata)
            #expect(loaded.entries == entries(7...10, term: 2))
            #expect(try reopen().loadSnapshot() == snap)
            try store.compact(through: 6)
            #expect(try reopen().load().entries == entries(7...10, term: 2))
            // Appending inside the snapshot keeps only the part after it.
            try store.persist(hardState: nil, entries: entries(5...8, term: 3))
            #expect(try reopen().load().entries == entries(7...8, term: 3))
        }
    }

    @Test(arguments: Kind.allCases)
    func installedSnapshotDiscardsWholeLog(kind: Kind) throws {
        try withStore(kind) { store, reopen in
            try store.persist(hardState: nil, entries: entries(1...4, term: 1))
            let snap = RaftSnapshot(metadata: RaftSnapshotMetadata(index: 3, term: 5, voters: ["a:1"]), data: Array(repeating: 7, count: 100_000))
            try store.installSnapshot(snap)
            let loaded = try reopen().load()
            #expect(loaded.entries.isEmpty)
            #expect(loaded.lastIndex == 3)
            #expect(try reopen().loadSnapshot() == snap)
            try store.persist(hardState: nil, entries: entries(4...4, term: 5))
            #expect(try reopen().load().entries == entries(4...4, term: 5))
        }
    }

    @Test(arguments: Kind.allCases)
    func compactionStopsAtSnapshot(kind: Kind) throws {
        try withStore(kind) { store, reopen in
            try store.persist(hardState: nil, entries: entries(1...10, term: 1))
            #expect(throws: RaftStorageError.compactBeyondSnapshot(index: 2, snapshot: 0)) { try store.compact(through: 2) }
            try store.saveSnapshot(RaftSnapshot(metadata: RaftSnapshotMetadata(index: 4, term: 1, voters: []), data: []))
            try store.compact(through: 4)
            #expect(try reopen().load().entries == entries(5...10, term: 1))
        }
    }

    @Test func newerSnapshotReplacesOlderFileAndStrayFilesAreRemoved() throws {
        let dir = try makeRaftTestDirectory("snapfiles")
        defer { removeRaftTestDirectory(dir) }
        let store = try SQLiteRaftStorage(dataDirectory: dir)
        try store.saveSnapshot(RaftSnapshot(metadata: RaftSnapshotMetadata(index: 1, term: 1, voters: ["x:1"]), data: [1]))
        let second = RaftSnapshot(metadata: RaftSnapshotMetadata(index: 2, term: 1, voters: ["x:1"]), data: [2])
        try store.saveSnapshot(second)
        // A temp file left by a crash in the middle of a write.
        _ = FileManager.default.createFile(atPath: dir + "/snapshots/snap-1-9.bin.tmp", contents: Data([0, 1]))
        let reopened = try SQLiteRaftStorage(dataDirectory: dir)
        #expect(try reopened.loadSnapshot() == second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/snapshots") == ["snap-1-2.bin"])
    }

    @Test func corruptSnapshotFileIsReported() throws {
        let dir = try makeRaftTestDirectory("snapcorrupt")
        defer { removeRaftTestDirectory(dir) }
        let store = try SQLiteRaftStorage(dataDirectory: dir)
        try store.saveSnapshot(RaftSnapshot(metadata: RaftSnapshotMetadata(index: 1, term: 1, voters: []), data: Array(repeating: 1, count: 64)))
        let path = dir + "/snapshots/snap-1-1.bin"
        var raw = try Data(contentsOf: URL(fileURLWithPath: path))
        raw[40] ^= 0xFF
        try raw.write(to: URL(fileURLWithPath: path))
        #expect(throws: RaftStorageError.self) { try store.loadSnapshot() }
    }

    /// An operator (and the disk-full chaos scenario) greps for the system's words, not a bare number.
    @Test func ioErrorsNameTheSystemError() {
        let full = RaftStorageError.io(path: "/d/raft/snapshots/snap-1-5.bin.tmp", operation: "write", errno: ENOSPC)
        #expect(full.description.contains("No space left on device"))
        #expect(full.description.contains("errno \(ENOSPC)"))
        #expect(full.description.contains("/d/raft/snapshots/snap-1-5.bin.tmp"))
        #expect(RaftStorageError.io(path: "/d", operation: "open", errno: EACCES).description.contains("Permission denied"))
    }

    @Test func dataFileUsesFullSynchronousWAL() throws {
        let dir = try makeRaftTestDirectory("pragma")
        defer { removeRaftTestDirectory(dir) }
        let store = try SQLiteRaftStorage(dataDirectory: dir)
        #expect(try store.pragma("synchronous") == "2")
        #expect(try store.pragma("journal_mode") == "wal")
    }
}
