/// The in-memory log: a snapshot point (index, term) followed by the entries after it.
/// Indexes start at 1; index 0 with term 0 is the empty log's sentinel.
struct RaftLog: Sendable, Equatable {
    private(set) var snapshotIndex: UInt64
    private(set) var snapshotTerm: UInt64
    private(set) var entries: [RaftEntry]

    init(snapshotIndex: UInt64, snapshotTerm: UInt64, entries: [RaftEntry]) {
        self.snapshotIndex = snapshotIndex
        self.snapshotTerm = snapshotTerm
        // Keep only a contiguous run directly after the snapshot; anything else is storage corruption
        // the shell should have caught, and dropping it is the safe reading (the leader resends).
        var kept: [RaftEntry] = []
        var expected = snapshotIndex + 1
        for entry in entries where entry.index >= expected {
            guard entry.index == expected else { break }
            kept.append(entry)
            expected += 1
        }
        self.entries = kept
    }

    var firstIndex: UInt64 { snapshotIndex + 1 }
    var lastIndex: UInt64 { snapshotIndex + UInt64(entries.count) }
    var lastTerm: UInt64 { entries.last?.term ?? snapshotTerm }

    /// The term at `index`, or nil when it was compacted away or is beyond the end.
    func term(at index: UInt64) -> UInt64? {
        if index == snapshotIndex { return snapshotTerm }
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return entries[Int(index - snapshotIndex - 1)].term
    }

    func entry(at index: UInt64) -> RaftEntry? {
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return entries[Int(index - snapshotIndex - 1)]
    }

    func matches(index: UInt64, term: UInt64) -> Bool {
        self.term(at: index) == term
    }

    /// Entries in `from...through` (both must be in the log).
    func slice(from: UInt64, through: UInt64) -> ArraySlice<RaftEntry> {
        guard from <= through, from > snapshotIndex, through <= lastIndex else { return [] }
        return entries[Int(from - snapshotIndex - 1)...Int(through - snapshotIndex - 1)]
    }

    /// Up to `maxCount` entries from `from`, stopping before `maxBytes` of payload (at least one).
    func batch(from: UInt64, maxCount: Int, maxBytes: Int) -> [RaftEntry] {
        guard from > snapshotIndex, from <= lastIndex else { return [] }
        var out: [RaftEntry] = []
        var bytes = 0
        var index = from
        while index <= lastIndex, out.count < maxCount {
            let entry = entries[Int(index - snapshotIndex - 1)]
            bytes += entry.data.count
            if !out.isEmpty, bytes > maxBytes { break }
            out.append(entry)
            index += 1
        }
        return out
    }

    /// Candidate's log is at least as up to date as ours (Raft §5.4.1).
    func isUpToDate(lastIndex otherIndex: UInt64, lastTerm otherTerm: UInt64) -> Bool {
        otherTerm > lastTerm || (otherTerm == lastTerm && otherIndex >= lastIndex)
    }

    /// The largest index <= `index` whose term is <= `term` (used for fast backtracking).
    func largestIndex(atOrBelow index: UInt64, withTermAtMost term: UInt64) -> UInt64 {
        var i = min(index, lastIndex)
        while i > snapshotIndex {
            if let t = self.term(at: i), t <= term { return i }
            i -= 1
        }
        return snapshotIndex
    }

    // MARK: - Mutation

    mutating func append(_ entry: RaftEntry) {
        precondition(entry.index == lastIndex + 1, "raft log append out of order")
        entries.append(entry)
    }

    /// Drops entries with index >= `index`.
    mutating func truncate(from index: UInt64) {
        guard index <= lastIndex else { return }
        precondition(index > snapshotIndex, "raft log truncation below the snapshot")
        entries.removeLast(Int(lastIndex - index + 1))
    }

    /// Forgets entries through `index`, which becomes the snapshot point.
    mutating func compact(through index: UInt64) {
        guard index > snapshotIndex, let t = term(at: index) else { return }
        entries.removeFirst(Int(index - snapshotIndex))
        snapshotIndex = index
        snapshotTerm = t
    }

    /// Replaces everything by a snapshot point.
    mutating func reset(snapshotIndex: UInt64, snapshotTerm: UInt64) {
        self.snapshotIndex = snapshotIndex
        self.snapshotTerm = snapshotTerm
        entries = []
    }
}
