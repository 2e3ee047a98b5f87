/// Human-readable rendering of a plan (`failover-plan`, `recover --noop`).
extension RecoveryPlan {
    /// Multi-line text: the verdict line, the steps, then every replica with its role and reasons.
    public var explain: String {
        var lines: [String] = []
        let what: String
        switch kind {
        case .masterFailover: what = "Failover of dead master \(failedKey)"
        case .intermediateMasterRecovery: what = "Relocation of the replicas of dead intermediate master \(failedKey)"
        case .gracefulMasterTakeover: what = "Graceful takeover from master \(failedKey)"
        case .nonWriteableMaster: what = "Making read-only master \(failedKey) writeable"
        }
        lines.append("\(what) (cluster \(clusterName))")
        if let successor {
            switch kind {
            case .intermediateMasterRecovery: lines.append("New parent: \(successor)")
            case .nonWriteableMaster: lines.append("Master stays: \(successor)")
            default: lines.append("Successor: \(successor)")
            }
        } else {
            lines.append("Successor: none")
        }
        lines.append("Position basis: \(basis)" + (referencePosition.isEmpty ? "" : "; most advanced: \(referencePosition)"))
        lines.append("Expected loss: " + (lostTransactions.isEmpty ? "none" : lostTransactions))
        for error in errors { lines.append("ERROR: \(error)") }
        for warning in warnings { lines.append("WARNING: \(warning)") }
        if !steps.isEmpty {
            lines.append("Steps:")
            for (i, step) in steps.enumerated() { lines.append("  \(i + 1). \(step)") }
        }
        if !verdicts.isEmpty {
            lines.append("Replicas:")
            for v in verdicts {
                let rank = v.rank.map { "#\($0) " } ?? ""
                lines.append("  \(rank)\(v.key) [\(v.role.rawValue), rule \(v.promotionRule), position \(v.position)]")
                for reason in v.reasons { lines.append("    - \(reason)") }
                if !v.missingTransactions.isEmpty && v.role != .successor {
                    lines.append("    - would lose if promoted: \(v.missingTransactions)")
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}
