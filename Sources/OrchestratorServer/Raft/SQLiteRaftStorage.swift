import Foundation
import GRDB
import OrchestratorCore

/// Durable Raft storage: hard state, log and snapshot metadata in SQLite (`<RaftDataDir>/raft.db`,
/// WAL, `synchronous=FULL` so every commit is fsynced), snapshot data in atomically written files.
///
/// Crash safety: each call is one SQLite transaction. A snapshot file is written (and fsynced) before
/// the metadata row that names it, so the row never points at a missing file; files no row names are
/// removed at the next open.
public final class SQLiteRaftStorage: RaftStorage {
    private let db: DatabaseQueue
    private let files: RaftSnapshotFiles

    /// Opens (creating if needed) the storage in `dataDirectory`.
    public init(dataDirectory: String) throws {
        try RaftFileIO.makeDirectory(dataDirectory)
        var config = Configuration()
        config.label = "orchd.raft.storage"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode=WAL")
            try db.execute(sql: "PRAGMA synchronous=FULL")
        }
        db = try DatabaseQueue(path: dataDirectory + "/raft.db", configuration: config)
        files = try RaftSnapshotFiles(directory: dataDirectory + "/snapshots")
        try db.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS raft_hard_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    term INTEGER NOT NULL, voted_for TEXT, commit_index INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS raft_log (
                    idx INTEGER PRIMARY KEY, term INTEGER NOT NULL, kind INTEGER NOT NULL, data BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS raft_snapshot (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    idx INTEGER NOT NULL, term INTEGER NOT NULL, voters TEXT NOT NULL, file TEXT NOT NULL);
                """)
        }
        files.removeAll(except: try currentSnapshotFile())
    }

    // MARK: - RaftStorage

    public func load() throws -> RaftStoredState {
        try db.read { db in
            var state = RaftStoredState()
            if let row = try Row.fetchOne(db, sql: "SELECT term, voted_for, commit_index FROM raft_hard_state WHERE id = 1") {
                state.hardState = RaftHardState(term: u64(row["term"]), votedFor: row["voted_for"], commit: u64(row["commit_index"]))
            }
            if let row = try Row.fetchOne(db, sql: "SELECT idx, term, voters FROM raft_snapshot WHERE id = 1") {
                state.snapshot = RaftSnapshotMetadata(index: u64(row["idx"]), term: u64(row["term"]), voters: decodeVoters(row["voters"]))
            }
            let after = Int64(state.snapshot?.index ?? 0)
            let rows = try Row.fetchCursor(
                db, sql: "SELECT idx, term, kind, data FROM raft_log WHERE idx > ? ORDER BY idx", arguments: [after])
            while let row = try rows.next() {
                let kind = RaftEntry.Kind(rawValue: UInt8(truncatingIfNeeded: row["kind"] as Int64)) ?? .normal
                let data = [UInt8](row["data"] as Data)
                state.entries.append(RaftEntry(term: u64(row["term"]), index: u64(row["idx"]), kind: kind, data: data))
            }
            return state
        }
    }

    public func persist(hardState: RaftHardState?, entries: [RaftEntry]) throws {
        if hardState == nil && entries.isEmpty { return }
        try db.write { db in
            if let first = entries.first {
                let snapIndex = try Int64.fetchOne(db, sql: "SELECT idx FROM raft_snapshot WHERE id = 1") ?? 0
                let last = try Int64.fetchOne(db, sql: "SELECT MAX(idx) FROM raft_log") ?? snapIndex
                let next = UInt64(max(last, snapIndex)) + 1
                guard first.index <= next else { throw RaftStorageError.gap(expected: next, got: first.index) }
                try db.execute(sql: "DELETE FROM raft_log WHERE idx >= ?", arguments: [Int64(first.index)])
                let insert = try db.cachedStatement(sql: "INSERT INTO raft_log (idx, term, kind, data) VALUES (?, ?, ?, ?)")
                for e in entries where Int64(e.index) > snapIndex {
                    try insert.execute(arguments: [Int64(e.index), Int64(e.term), Int64(e.kind.rawValue), Data(e.data)])
                }
            }
            if let hs = hardState {
                try db.execute(
                    sql: """
                        INSERT INTO raft_hard_state (id, term, voted_for, commit_index) VALUES (1, ?, ?, ?)
                        ON CONFLICT(id) DO UPDATE SET term = excluded.term, voted_for = excluded.voted_for,
                        commit_index = excluded.commit_index
                        """,
                    arguments: [Int64(hs.term), hs.votedFor, Int64(hs.commit)])
            }
        }
    }

    public func saveSnapshot(_ snapshot: RaftSnapshot) throws {
        try storeSnapshot(snapshot, discardLog: false)
    }

    public func installSnapshot(_ snapshot: RaftSnapshot) throws {
        try storeSnapshot(snapshot, discardLog: true)
    }

    /// File first (fsynced, renamed), then the row naming it; older files go last.
    private func storeSnapshot(_ snapshot: RaftSnapshot, discardLog: Bool) throws {
        let meta = snapshot.metadata
        let name = try files.write(snapshot)
        try db.write { db in
            if discardLog { try db.execute(sql: "DELETE FROM raft_log") }
            try db.execute(
                sql: """
                    INSERT INTO raft_snapshot (id, idx, term, voters, file) VALUES (1, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET idx = excluded.idx, term = excluded.term,
                    voters = excluded.voters, file = excluded.file
                    """,
                arguments: [Int64(meta.index), Int64(meta.term), encodeVoters(meta.voters), name])
        }
        files.removeAll(except: name)
    }

    public func loadSnapshot() throws -> RaftSnapshot? {
        guard let name = try currentSnapshotFile() else { return nil }
        return try files.read(name)
    }

    public func compact(through index: UInt64) throws {
        try db.write { db in
            let snap = UInt64(try Int64.fetchOne(db, sql: "SELECT idx FROM raft_snapshot WHERE id = 1") ?? 0)
            guard index <= snap else { throw RaftStorageError.compactBeyondSnapshot(index: index, snapshot: snap) }
            try db.execute(sql: "DELETE FROM raft_log WHERE idx <= ?", arguments: [Int64(index)])
        }
    }

    // MARK: - Helpers

    /// Reads a PRAGMA's value (tests check durability settings with it).
    func pragma(_ name: String) throws -> String? {
        try db.read { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    private func currentSnapshotFile() throws -> String? {
        try db.read { db in try String.fetchOne(db, sql: "SELECT file FROM raft_snapshot WHERE id = 1") }
    }
}

private func u64(_ v: Int64) -> UInt64 { UInt64(bitPattern: v) }

/// Voter lists are stored as newline-separated addresses (addresses never contain newlines).
private func encodeVoters(_ voters: [RaftNodeID]) -> String { voters.joined(separator: "\n") }
private func decodeVoters(_ s: String) -> [RaftNodeID] { s.isEmpty ? [] : s.split(separator: "\n").map(String.init) }
