/// What `reload-configuration` (or SIGHUP) does with a re-read configuration file: which changed keys
/// take effect at once and which need a restart. Pure: the shell reads the file and applies.
public struct ConfigurationReload: Sendable, Equatable, Codable {
    /// Changed keys orchd applies at run time.
    public var applied: [String]
    /// Changed keys that take effect only when orchd restarts (listeners, Raft, backend, discovery
    /// timing, the MySQL credentials the connection pool holds...).
    public var needRestart: [String]

    /// Keys a running node takes from a reloaded file: recovery filters and policy, promotion rules,
    /// hooks. Everything else is read once at start-up.
    public static let runtimeKeys: Set<String> = [
        "RecoverMasterClusterFilters", "RecoverIntermediateMasterClusterFilters", "RecoveryPeriodBlockSeconds",
        "CandidateInstanceExpireMinutes", "OSCIgnoreHostnameFilters", "PromotionIgnoreHostnameFilters",
        "PreventCrossDataCenterMasterFailover", "PreventCrossRegionMasterFailover", "FailMasterPromotionOnLagMinutes",
        "FailMasterPromotionIfSQLThreadNotUpToDate", "ApplyMySQLPromotionAfterMasterFailover",
        "DetachLostReplicasAfterMasterFailover", "CoMasterRecoveryMustPromoteOtherCoMaster",
        "MasterFailoverLostInstancesDowntimeMinutes", "ExpectFailureAnalysisConcensus",
        "ProcessesShellCommand", "HookTimeoutSeconds", "OnFailureDetectionProcesses", "PreGracefulTakeoverProcesses",
        "PreFailoverProcesses", "PostFailoverProcesses", "PostUnsuccessfulFailoverProcesses",
        "PostMasterFailoverProcesses", "PostIntermediateMasterFailoverProcesses", "PostGracefulTakeoverProcesses",
        "PostUnsuccessfulGracefulTakeoverProcesses",
    ]

    /// Compares the running configuration with the re-read one.
    public init(running: OrchestratorConfiguration, reread: OrchestratorConfiguration) {
        let changed = ConfigurationSchema.keys.map(\.name)
            .filter { running.value(for: $0) != reread.value(for: $0) }
            .sorted()
        applied = changed.filter { Self.runtimeKeys.contains($0) }
        needRestart = changed.filter { !Self.runtimeKeys.contains($0) }
    }

    /// The configuration now in effect: `running` with the applied keys taken from `reread` (keys that
    /// need a restart keep their running value, so a later reload still reports them).
    public static func effective(running: OrchestratorConfiguration, reread: OrchestratorConfiguration) -> OrchestratorConfiguration {
        var next = running
        for key in runtimeKeys { if let value = reread.value(for: key), running.value(for: key) != nil { next.set(key, value) } }
        return next
    }

    enum CodingKeys: String, CodingKey {
        case applied = "Applied"
        case needRestart = "NeedRestart"
    }

    /// One line for logs and the API's message.
    public var summary: String {
        if applied.isEmpty && needRestart.isEmpty { return "configuration reloaded: nothing changed" }
        var parts: [String] = []
        if !applied.isEmpty { parts.append("applied " + applied.joined(separator: ", ")) }
        if !needRestart.isEmpty { parts.append("changed but need a restart: " + needRestart.joined(separator: ", ")) }
        return "configuration reloaded: " + parts.joined(separator: "; ")
    }
}
