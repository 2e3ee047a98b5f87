import Foundation

/// One detected actionable failure (upstream `audit-failure-detection`): recorded by every node that
/// analyses the topology, whether or not recovery is allowed, once per episode (while the same code
/// stays on the same instance it is one detection).
public struct FailureDetection: Sendable, Codable, Hashable {
    public var id: Int
    public var analysisEntry: ReplicationAnalysis
    /// When this node first saw it: RFC 3339 and milliseconds since the epoch.
    public var detectionTimestamp: String
    public var detectionMillis: Int64
    /// The node that recorded it (its HTTP address).
    public var processingNodeHostname: String
    /// Whether the recovery policy (filters, global disable, block period, downtime) allowed recovery.
    public var recoveryAllowed: Bool
    /// The policy's decision in words.
    public var decision: String

    enum CodingKeys: String, CodingKey {
        case id = "Id", analysisEntry = "AnalysisEntry", detectionTimestamp = "DetectionTimestamp"
        case detectionMillis = "DetectionMillis", processingNodeHostname = "ProcessingNodeHostname"
        case recoveryAllowed = "RecoveryAllowed", decision = "Decision"
    }
}

/// This node's detections (newest last), bounded. Not replicated: each node keeps what it saw.
struct FailureDetectionLog {
    private(set) var detections: [FailureDetection] = []
    private var open: Set<String> = []
    private var nextID = 1
    let capacity = 1000
    /// Detections recorded since start (the log keeps the latest `capacity`).
    var total: UInt64 { UInt64(nextID - 1) }

    init() {}

    /// A log continuing `restored` (oldest first), e.g. read back after a restart. Episodes start anew:
    /// a problem still present is recorded again, as seen by this run.
    init(restored: [FailureDetection]) {
        detections = Array(restored.suffix(capacity))
        nextID = (restored.map(\.id).max() ?? 0) + 1
    }

    /// Records the analyses not already open; closes episodes whose analysis disappeared. Returns the
    /// detections it added.
    @discardableResult
    mutating func observe(_ entries: [(ReplicationAnalysis, RecoveryPolicy.Decision)], node: String, at date: Date)
        -> [FailureDetection] {
        let before = detections.last?.id ?? 0
        var seen: Set<String> = []
        for (analysis, decision) in entries {
            let key = "\(analysis.analyzedInstanceKey)/\(analysis.analysis.rawValue)"
            seen.insert(key)
            guard !open.contains(key) else { continue }
            open.insert(key)
            let seconds = Int64(date.timeIntervalSince1970)
            detections.append(FailureDetection(
                id: nextID, analysisEntry: analysis, detectionTimestamp: Timestamp(secondsSinceEpoch: seconds).rfc3339,
                detectionMillis: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)), processingNodeHostname: node,
                recoveryAllowed: decision.shouldRecover, decision: Self.text(decision)))
            nextID += 1
        }
        open.formIntersection(seen)
        if detections.count > capacity { detections.removeFirst(detections.count - capacity) }
        return detections.filter { $0.id > before }
    }

    /// Marks the open detection of `analysis` as held back, with `reason` (a peer's veto).
    /// Returns the changed detection, if any.
    @discardableResult
    mutating func holdBack(_ analysis: ReplicationAnalysis, reason: String) -> FailureDetection? {
        guard let i = detections.lastIndex(where: {
            $0.analysisEntry.analyzedInstanceKey == analysis.analyzedInstanceKey && $0.analysisEntry.analysis == analysis.analysis
        }) else { return nil }
        guard detections[i].recoveryAllowed || detections[i].decision != reason else { return nil }
        detections[i].recoveryAllowed = false
        detections[i].decision = reason
        return detections[i]
    }

    static func text(_ decision: RecoveryPolicy.Decision) -> String {
        switch decision {
        case .recover: return "recover"
        case .skip(let reason, let why): return "\(reason): \(why)"
        }
    }
}
