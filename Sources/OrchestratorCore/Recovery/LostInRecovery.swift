/// The downtime a master failover puts on the failed master (upstream's `lost-in-recovery`), and when
/// it ends.
///
/// Upstream keeps the failed master downtimed for `LostInRecoveryDowntimeSeconds` (a year), renewed,
/// and lifts it only once the server replicates again. Here the downtime is informational: it lists
/// the server in `downtimed` so operators see what a failover left behind, but it never blocks a
/// recovery (``RecoveryPolicy`` ignores it), and the leader ends it as soon as the server is seen
/// replicating again. Forgetting the server ends it too (``IntentState/apply(_:)``).
public enum LostInRecovery {
    /// The downtime reason, as upstream writes it.
    public static let reason = "lost-in-recovery"
    /// Who orchd's own downtimes are by.
    public static let owner = "orchd"
    /// Upstream's `LostInRecoveryDowntimeSeconds`: 365 days.
    public static let failedMasterDowntimeSeconds: Int64 = 365 * 24 * 3600

    /// Whether `downtime` is one a recovery left behind (not an operator's).
    public static func isLostInRecovery(_ downtime: Downtime) -> Bool {
        downtime.reason == reason && downtime.owner == owner
    }

    /// The lost-in-recovery downtimes to end now: those of servers probed successfully and replicating
    /// (both threads running) from some master. Operators' downtimes are never touched.
    public static func downtimesToEnd(operatorState: IntentState, instances: [Instance], now: Timestamp) -> [InstanceKey] {
        // Checked every second on the leader: the fleet is scanned only when such a downtime exists.
        let candidates = Set(operatorState.downtimes.values.filter { isLostInRecovery($0) && $0.isActive(at: now) }.map(\.key))
        guard !candidates.isEmpty else { return [] }
        return Set(instances.filter { candidates.contains($0.key) && $0.isLastCheckValid && $0.replicaRunning }.map(\.key))
            .sorted()
    }
}
