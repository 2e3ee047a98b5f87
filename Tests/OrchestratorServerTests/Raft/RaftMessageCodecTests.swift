import Testing
@testable import OrchestratorServer

@Suite("Raft message codec")
struct RaftMessageCodecTests {
    static let snapshot = RaftSnapshot(
        metadata: RaftSnapshotMetadata(index: 1 << 40, term: 7, voters: ["127.0.0.1:10008", "[::1]:10009"]),
        data: Array(repeating: 0xAB, count: 40))

    /// One message of every kind, with extreme and ordinary values.
    static let kinds: [RaftMessage.Kind] = [
        .appendEntries(prevIndex: 0, prevTerm: 0, entries: [], commit: 0),
        .appendEntries(prevIndex: 41, prevTerm: 3, entries: [
            RaftEntry(term: 3, index: 42, kind: .normal, data: Array("hello".utf8)),
            RaftEntry(term: 4, index: 43, kind: .noop),
            RaftEntry(term: 4, index: 44, kind: .configuration, data: RaftMembership.encode(["a:1", "b:2"])),
        ], commit: UInt64.max),
        .appendResponse(reject: true, index: 99, hintIndex: 12, hintTerm: 2),
        .appendResponse(reject: false, index: UInt64.max, hintIndex: 0, hintTerm: 0),
        .heartbeat(commit: 17, context: 300),
        .heartbeatResponse(context: 1 << 63),
        .voteRequest(preVote: true, lastIndex: 5, lastTerm: 2, transfer: false),
        .voteRequest(preVote: false, lastIndex: 0, lastTerm: 0, transfer: true),
        .voteResponse(preVote: true, granted: false),
        .voteResponse(preVote: false, granted: true),
        .installSnapshot(snapshot),
        .timeoutNow,
    ]

    @Test(arguments: kinds)
    func roundTrip(kind: RaftMessage.Kind) throws {
        let m = RaftMessage(from: "127.0.0.1:10008", to: "127.0.0.2:10008", term: 12345, kind: kind)
        let frame = RaftMessageCodec.frame(m)
        #expect(frame.from == m.from && frame.to == m.to)
        #expect(try RaftMessageCodec.message(frame) == m)
    }

    @Test func compactForHeartbeats() {
        let m = RaftMessage(from: "a", to: "b", term: 3, kind: .heartbeat(commit: 100, context: 5))
        #expect(RaftMessageCodec.frame(m).payload.count <= 5)
    }

    @Test(arguments: kinds)
    func truncatedPayloadsAreRejected(kind: RaftMessage.Kind) {
        let m = RaftMessage(from: "a", to: "b", term: 9, kind: kind)
        let payload = RaftMessageCodec.frame(m).payload
        for cut in [0, 1, payload.count / 2, payload.count - 1] where cut < payload.count {
            #expect(throws: RaftDecodeError.self) {
                try RaftMessageCodec.message(RaftFrame(from: "a", to: "b", payload: Array(payload.prefix(cut))))
            }
        }
    }

    @Test func unknownKindAndTrailingBytesAreRejected() {
        #expect(throws: RaftDecodeError.self) { try RaftMessageCodec.message(RaftFrame(from: "a", to: "b", payload: [200, 1])) }
        let ok = RaftMessageCodec.frame(RaftMessage(from: "a", to: "b", term: 1, kind: .timeoutNow)).payload
        #expect(throws: RaftDecodeError.self) { try RaftMessageCodec.message(RaftFrame(from: "a", to: "b", payload: ok + [0])) }
    }
}
