/// Human-readable status strings as upstream's `topology` output and API show them.
extension Instance {
    /// Lag within `thresholdSeconds` (upstream's ReasonableMaintenanceReplicationLagSeconds); a delayed
    /// replica is measured against its configured `SQL_Delay`.
    public func hasReasonableMaintenanceReplicationLag(thresholdSeconds: Int64) -> Bool {
        let lag = secondsBehindMaster ?? 0
        if sqlDelay > 0 { return abs(lag - sqlDelay) <= thresholdSeconds }
        return lag <= thresholdSeconds
    }

    /// `invalid`, `unchecked`, `nonreplicating`, `lag` or `ok`.
    public func statusString(lagThresholdSeconds: Int64) -> String {
        if !isLastCheckValid { return "invalid" }
        if !isRecentlyChecked { return "unchecked" }
        if isReplica && !replicaRunning { return "nonreplicating" }
        if isReplica && !hasReasonableMaintenanceReplicationLag(thresholdSeconds: lagThresholdSeconds) { return "lag" }
        return "ok"
    }

    /// `detached`, `unknown`, `null` or `<n>s`.
    public var lagStatusString: String {
        if isDetached { return "detached" }
        if !isLastCheckValid || !isRecentlyChecked { return "unknown" }
        if isReplica && !replicaRunning { return "null" }
        // Unknown lag (SQL thread not running, or ReplicationLagQuery failed) is `null`, not 0s.
        if isReplica && (secondsBehindMaster == nil || replicationLagSeconds == nil) { return "null" }
        return "\(replicationLagSeconds ?? 0)s"
    }

    /// The tokens of the bracketed summary: lag, status, version, ro/rw, binlog format (or
    /// `nobinlog`), then `>>` (logs replica updates), `GTID` (`GTID:errant`), `P-GTID`,
    /// `semi:master`, `semi:replica`, `downtimed` when they apply.
    public func descriptionTokens(lagThresholdSeconds: Int64) -> [String] {
        var tokens = [lagStatusString, statusString(lagThresholdSeconds: lagThresholdSeconds), version]
        tokens.append(readOnly ? "ro" : "rw")
        tokens.append(logBinEnabled ? binlogFormat : "nobinlog")
        if logBinEnabled && logReplicationUpdatesEnabled { tokens.append(">>") }
        if usingGTID || supportsOracleGTID { tokens.append(gtidErrant.isEmpty ? "GTID" : "GTID:errant") }
        if usingPseudoGTID { tokens.append("P-GTID") }
        if semiSyncMasterStatus { tokens.append("semi:master") }
        if semiSyncReplicaStatus { tokens.append("semi:replica") }
        if isDowntimed { tokens.append("downtimed") }
        return tokens.filter { !$0.isEmpty }
    }

    /// The columns of `topology-tabulated`: lag, status, version, ro/rw, binlog format, then the
    /// extra tokens (`>>`, `GTID`, ...) as one comma-joined column, as upstream's TabulatedDescription.
    public func tabulatedTokens(lagThresholdSeconds: Int64) -> [String] {
        let tokens = descriptionTokens(lagThresholdSeconds: lagThresholdSeconds)
        return Array(tokens.prefix(5)) + [tokens.dropFirst(5).joined(separator: ",")]
    }

    /// `[0s,ok,10.11.6-MariaDB-log,rw,ROW,>>,GTID]`, upstream's HumanReadableDescription.
    public func humanReadableDescription(lagThresholdSeconds: Int64 = 20) -> String {
        "[" + descriptionTokens(lagThresholdSeconds: lagThresholdSeconds).joined(separator: ",") + "]"
    }
}

// MARK: - Problems

extension Instance {
    /// Upstream's problem codes for this instance, in upstream's order: at most one of
    /// `last_check_invalid`, `not_recently_checked`, `not_replicating` (threads exist but are not both
    /// running), `replication_lag` (|lag - SQL_Delay| above `reasonableReplicationLagSeconds`); then
    /// `errant_gtid` when `gtidErrant` is set.
    public func computedProblems(reasonableReplicationLagSeconds: Int64) -> [String] {
        var problems: [String] = []
        if !isLastCheckValid {
            problems.append("last_check_invalid")
        } else if !isRecentlyChecked {
            problems.append("not_recently_checked")
        } else if replicationSQLThreadState.exists && replicationIOThreadState.exists && !replicaRunning {
            problems.append("not_replicating")
        } else if let lag = replicationLagSeconds, abs(lag - sqlDelay) > reasonableReplicationLagSeconds {
            problems.append("replication_lag")
        }
        if !gtidErrant.isEmpty { problems.append("errant_gtid") }
        return problems
    }
}
