import OrchestratorCore

/// Compact binary encoding of `RaftMessage` as a frame payload: a kind tag, the term, then the
/// kind's fields (varints for numbers). Sender and receiver travel in the frame header.
///
/// Adding a message kind: give it a new tag (never reuse one) and bump `RaftWire.version` if old
/// nodes could not ignore it.
public enum RaftMessageCodec {
    private enum Tag: UInt8 {
        case appendEntries = 1, appendResponse, heartbeat, heartbeatResponse, voteRequest, voteResponse,
            installSnapshot, timeoutNow
    }

    /// Wraps `message` in a frame for the transport.
    public static func frame(_ message: RaftMessage) -> RaftFrame {
        RaftFrame(from: message.from, to: message.to, payload: encode(message.term, message.kind))
    }

    /// Reads the message a frame carries.
    public static func message(_ frame: RaftFrame) throws -> RaftMessage {
        var r = RaftBinaryReader(frame.payload)
        let raw = try r.u8()
        guard let tag = Tag(rawValue: raw) else { throw RaftDecodeError.invalid("unknown raft message kind \(raw)") }
        let term = try r.varint()
        let kind: RaftMessage.Kind
        switch tag {
        case .appendEntries:
            let prevIndex = try r.varint(), prevTerm = try r.varint(), commit = try r.varint()
            let n = try r.count(minimumElementSize: 4)
            var entries: [RaftEntry] = []
            entries.reserveCapacity(n)
            for _ in 0..<n { entries.append(try readEntry(&r)) }
            kind = .appendEntries(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: commit)
        case .appendResponse:
            kind = .appendResponse(reject: try r.bool(), index: try r.varint(), hintIndex: try r.varint(), hintTerm: try r.varint())
        case .heartbeat:
            kind = .heartbeat(commit: try r.varint(), context: try r.varint())
        case .heartbeatResponse:
            kind = .heartbeatResponse(context: try r.varint())
        case .voteRequest:
            kind = .voteRequest(preVote: try r.bool(), lastIndex: try r.varint(), lastTerm: try r.varint(), transfer: try r.bool())
        case .voteResponse:
            kind = .voteResponse(preVote: try r.bool(), granted: try r.bool())
        case .installSnapshot:
            let index = try r.varint(), snapTerm = try r.varint()
            let n = try r.count()
            var voters: [RaftNodeID] = []
            for _ in 0..<n { voters.append(try r.string()) }
            let data = try r.blob()
            kind = .installSnapshot(RaftSnapshot(metadata: RaftSnapshotMetadata(index: index, term: snapTerm, voters: voters), data: data))
        case .timeoutNow:
            kind = .timeoutNow
        }
        guard r.remaining == 0 else { throw RaftDecodeError.invalid("\(r.remaining) trailing bytes after a raft message") }
        return RaftMessage(from: frame.from, to: frame.to, term: term, kind: kind)
    }

    // MARK: - Encoding

    static func encode(_ term: UInt64, _ kind: RaftMessage.Kind) -> [UInt8] {
        var w = RaftBinaryWriter()
        switch kind {
        case let .appendEntries(prevIndex, prevTerm, entries, commit):
            w = RaftBinaryWriter(capacity: 32 + entries.reduce(0) { $0 + $1.data.count + 12 })
            w.u8(Tag.appendEntries.rawValue)
            w.varint(term)
            w.varint(prevIndex)
            w.varint(prevTerm)
            w.varint(commit)
            w.varint(UInt64(entries.count))
            for e in entries { writeEntry(e, &w) }
        case let .appendResponse(reject, index, hintIndex, hintTerm):
            w.u8(Tag.appendResponse.rawValue)
            w.varint(term)
            w.bool(reject)
            w.varint(index)
            w.varint(hintIndex)
            w.varint(hintTerm)
        case let .heartbeat(commit, context):
            w.u8(Tag.heartbeat.rawValue)
            w.varint(term)
            w.varint(commit)
            w.varint(context)
        case let .heartbeatResponse(context):
            w.u8(Tag.heartbeatResponse.rawValue)
            w.varint(term)
            w.varint(context)
        case let .voteRequest(preVote, lastIndex, lastTerm, transfer):
            w.u8(Tag.voteRequest.rawValue)
            w.varint(term)
            w.bool(preVote)
            w.varint(lastIndex)
            w.varint(lastTerm)
            w.bool(transfer)
        case let .voteResponse(preVote, granted):
            w.u8(Tag.voteResponse.rawValue)
            w.varint(term)
            w.bool(preVote)
            w.bool(granted)
        case let .installSnapshot(snap):
            w = RaftBinaryWriter(capacity: snap.data.count + 64)
            w.u8(Tag.installSnapshot.rawValue)
            w.varint(term)
            w.varint(snap.metadata.index)
            w.varint(snap.metadata.term)
            w.varint(UInt64(snap.metadata.voters.count))
            for v in snap.metadata.voters { w.string(v) }
            w.blob(snap.data)
        case .timeoutNow:
            w.u8(Tag.timeoutNow.rawValue)
            w.varint(term)
        }
        return w.bytes
    }

    private static func writeEntry(_ e: RaftEntry, _ w: inout RaftBinaryWriter) {
        w.varint(e.term)
        w.varint(e.index)
        w.u8(e.kind.rawValue)
        w.blob(e.data)
    }

    private static func readEntry(_ r: inout RaftBinaryReader) throws -> RaftEntry {
        let term = try r.varint(), index = try r.varint(), rawKind = try r.u8()
        guard let kind = RaftEntry.Kind(rawValue: rawKind) else { throw RaftDecodeError.invalid("unknown entry kind \(rawKind)") }
        return RaftEntry(term: term, index: index, kind: kind, data: try r.blob())
    }
}
