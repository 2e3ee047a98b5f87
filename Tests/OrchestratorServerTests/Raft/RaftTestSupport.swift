import Foundation
@testable import OrchestratorServer

/// A fresh directory under `$ORCHD_TEST_DIR` (or the system temp dir), removed by the caller.
func makeRaftTestDirectory(_ name: String) throws -> String {
    let base = ProcessInfo.processInfo.environment["ORCHD_TEST_DIR"] ?? NSTemporaryDirectory()
    let dir = (base as NSString).appendingPathComponent("raft-\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func removeRaftTestDirectory(_ dir: String) {
    try? FileManager.default.removeItem(atPath: dir)
}

func entries(_ range: ClosedRange<UInt64>, term: UInt64) -> [RaftEntry] {
    range.map { RaftEntry(term: term, index: $0, kind: .normal, data: Array("e\($0)t\(term)".utf8)) }
}
