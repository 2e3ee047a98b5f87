/// Recoveries of independent clusters run at the same time; one cluster never has two at once.
///
/// The leader's round decides which failures may be recovered (``RecoveryPolicy``); this says which of
/// them start now: at most one per cluster, none for a cluster whose recovery is still running on this
/// node (the replicated audit shows a running recovery only once it is recorded, a moment after it
/// started). Recovery ids stay unique when several are handed out before any is recorded.
public enum RecoveryConcurrency {
    /// A cluster as a recovery knows it: its name (the master's key at detection) and its alias.
    public struct Cluster: Sendable, Hashable {
        public var name: String
        public var alias: String

        public init(name: String, alias: String) {
            self.name = name
            self.alias = alias
        }

        public init(_ info: ClusterInfo) { self.init(name: info.clusterName, alias: info.clusterAlias) }

        /// Same cluster: by name, or by an alias other than the name (a failover renames the cluster
        /// after its new master; the alias stays), as ``RecoveryPolicy`` compares them.
        public func isSame(as other: Cluster) -> Bool {
            if name == other.name { return true }
            return !alias.isEmpty && alias != name && alias == other.alias
        }
    }

    /// The analyses to start recovering now, in the given order: the first of each cluster, and none of
    /// a cluster in `running`.
    public static func toStart(_ recoverable: [ReplicationAnalysis], running: [Cluster]) -> [ReplicationAnalysis] {
        var taken = running
        var start: [ReplicationAnalysis] = []
        for analysis in recoverable {
            let cluster = Cluster(analysis.clusterDetails)
            guard !taken.contains(where: { $0.isSame(as: cluster) }) else { continue }
            taken.append(cluster)
            start.append(analysis)
        }
        return start
    }

    /// The next recovery id: above every recorded one and every one handed out already.
    public static func nextID(recorded: [TopologyRecovery], lastHandedOut: Int64) -> Int64 {
        max(recorded.map(\.id).max() ?? 0, lastHandedOut) + 1
    }
}
