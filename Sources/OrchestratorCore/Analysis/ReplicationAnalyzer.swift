/// Failure analysis: upstream's decision tree over a snapshot, per instance with its direct replicas.
///
/// Holistic rule: a (intermediate) master is *dead* only when orchd cannot reach it AND none of its
/// reachable replicas still receives from it. orchd is stricter than upstream in one place: upstream
/// counts a replica whose IO thread runs but whose SQL thread is stopped as "not replicating", which
/// can call a master dead while a replica is connected to it; orchd then reports Unreachable instead
/// (a running IO thread is direct evidence the master is alive).
public enum ReplicationAnalyzer {
    /// Analyzes every instance of `snapshot` at `now`. Entries with nothing to report are left out
    /// unless `settings.includeNoProblem`; sorted masters first, then by depth, replica count, key.
    public static func analyze(_ snapshot: AnalysisSnapshot, now: Timestamp,
                               settings: AnalysisSettings = AnalysisSettings()) -> [ReplicationAnalysis] {
        var children: [InstanceKey: [Instance]] = [:]
        var clusterSizes: [String: Int] = [:]
        var clusterLag: [String: Int64] = [:]
        for instance in snapshot.instances {
            if let mk = instance.masterKey, mk.isValid, mk != instance.key { children[mk, default: []].append(instance) }
            clusterSizes[instance.clusterName, default: 0] += 1
            if let lag = instance.replicationLagSeconds { clusterLag[instance.clusterName] = max(clusterLag[instance.clusterName] ?? 0, lag) }
        }
        var result: [ReplicationAnalysis] = []
        var clusters: [String: ClusterInfo] = [:]
        for instance in snapshot.instances {
            if ClusterFilters.hostnameMatchesAny(instance.key.hostname, filters: settings.recoveryIgnoreHostnameFilters) { continue }
            let replicas = (children[instance.key] ?? []).sorted { $0.key < $1.key }
            // Filters are regular expressions: match them once per cluster, not per instance.
            let cluster = clusters[instance.clusterName] ?? clusterInfo(
                for: instance, snapshot: snapshot, settings: settings,
                size: clusterSizes[instance.clusterName] ?? 1, lag: clusterLag[instance.clusterName] ?? 0)
            clusters[instance.clusterName] = cluster
            var entry = counts(instance, replicas: replicas, cluster: cluster, snapshot: snapshot, now: now, settings: settings)
            classify(&entry, instance: instance, replicas: replicas, snapshot: snapshot, now: now, settings: settings)
            entry.structureAnalysis = structureWarnings(entry, instance: instance)
            markDowntime(&entry)
            entry.isActionableRecovery = entry.analysis.isActionable
            if !entry.hasFindings && !settings.includeNoProblem { continue }
            if entry.skippableDueToDowntime && !settings.includeDowntimed { continue }
            result.append(entry)
        }
        return result.sorted { a, b in
            if a.isMaster != b.isMaster { return a.isMaster }
            if a.replicationDepth != b.replicationDepth { return a.replicationDepth < b.replicationDepth }
            if a.countReplicas != b.countReplicas { return a.countReplicas > b.countReplicas }
            return a.analyzedInstanceKey < b.analyzedInstanceKey
        }
    }

    // MARK: - Counting

    static func clusterInfo(for instance: Instance, snapshot: AnalysisSnapshot, settings: AnalysisSettings,
                            size: Int, lag: Int64) -> ClusterInfo {
        let name = instance.clusterName
        let alias = snapshot.operatorState.clusterAliasOverrides[name] ?? snapshot.clusterAliases[name] ?? name
        return ClusterInfo(
            clusterName: name, clusterAlias: alias, clusterDomain: snapshot.clusterDomains[name] ?? "",
            countInstances: size, heuristicLag: lag,
            hasAutomatedMasterRecovery: ClusterFilters.matches(settings.recoverMasterClusterFilters, clusterName: name, clusterAlias: alias),
            hasAutomatedIntermediateMasterRecovery: ClusterFilters.matches(
                settings.recoverIntermediateMasterClusterFilters, clusterName: name, clusterAlias: alias))
    }

    static func isDowntimed(_ instance: Instance, _ snapshot: AnalysisSnapshot, _ now: Timestamp) -> Bool {
        snapshot.operatorState.activeDowntime(for: instance.key, at: now) != nil
            || (instance.isDowntimed && (instance.downtimeEndTimestamp.map { now < $0 } ?? true))
    }

    static func counts(_ instance: Instance, replicas: [Instance], cluster: ClusterInfo, snapshot: AnalysisSnapshot,
                       now: Timestamp, settings: AnalysisSettings) -> ReplicationAnalysis {
        var a = ReplicationAnalysis(analyzedInstanceKey: instance.key, clusterDetails: cluster)
        a.analyzedInstanceMasterKey = instance.masterKey ?? .empty
        a.analyzedInstanceDataCenter = instance.dataCenter
        a.analyzedInstanceRegion = instance.region
        a.analyzedInstancePhysicalEnvironment = instance.physicalEnvironment
        a.analyzedInstanceBinlogCoordinates = instance.selfBinlogCoordinates
        a.isMaster = !instance.isReplica
        a.isCoMaster = instance.isCoMaster || replicas.contains { $0.isCoMaster }
        a.lastCheckValid = ReplicaHealth.isValid(instance, attemptedAt: snapshot.lastAttemptedCheck[instance.key], settings: settings)
        a.replicationDepth = instance.replicationDepth
        a.replicas = replicas.map(\.key)
        a.countReplicas = replicas.count
        a.isFailingToConnectToMaster = instance.isReplica
            && ReplicaHealth.isFailingToConnect(instance, errno: snapshot.lastIOErrno[instance.key])
        a.isReadOnly = instance.readOnly
        a.gtidMode = instance.gtidMode
        a.pseudoGTIDImmediateTopology = instance.usingPseudoGTID
        a.semiSyncMasterEnabled = instance.semiSyncMasterEnabled
        a.semiSyncMasterStatus = instance.semiSyncMasterStatus
        a.semiSyncMasterWaitForReplicaCount = instance.semiSyncMasterWaitForReplicaCount
        a.semiSyncMasterClients = instance.semiSyncMasterClients
        if isDowntimed(instance, snapshot, now) {
            a.isDowntimed = true
            let end = snapshot.operatorState.activeDowntime(for: instance.key, at: now)?.end ?? instance.downtimeEndTimestamp
            a.downtimeEndTimestamp = end?.rfc3339 ?? ""
            a.downtimeRemainingSeconds = end.map { $0.seconds(since: now) } ?? 0
        }

        var valid = 0, replicating = 0, failing = 0, downtimed = 0, oracle = 0, maria = 0, semiSync = 0
        var logging = 0, statement = 0, mixed = 0, row = 0, delayed = 0, lagging = 0
        var versions: Set<String> = [], gtidModes: [String] = [], errant: [String] = []
        for r in replicas {
            let isValid = r.isLastCheckValid
            if isValid {
                valid += 1
                if ReplicaHealth.isReplicating(r) { replicating += 1 }
                if ReplicaHealth.isFailingToConnect(r, errno: snapshot.lastIOErrno[r.key]) { failing += 1 }
                if r.usingOracleGTID { oracle += 1 }
                if r.usingMariaDBGTID { maria += 1 }
            }
            if r.semiSyncReplicaEnabled { semiSync += 1 }
            let replicaDowntimed = isDowntimed(r, snapshot, now)
            if replicaDowntimed { downtimed += 1 }
            if r.logBinEnabled && r.logReplicationUpdatesEnabled {
                logging += 1
                versions.insert(r.majorVersion)
                switch r.binlogFormat.uppercased() {
                case "STATEMENT": statement += 1
                case "MIXED": mixed += 1
                case "ROW": row += 1
                default: break
                }
            }
            if r.sqlDelay > 0 { delayed += 1 }
            if let lag = ReplicaHealth.lagSeconds(r), lag > Int64(settings.reasonableReplicationLagSeconds) { lagging += 1 }
            gtidModes.append(r.gtidMode)
            errant.append(replicaDowntimed ? "" : r.gtidErrant)
        }
        a.countValidReplicas = valid
        a.countValidReplicatingReplicas = replicating
        a.countReplicasFailingToConnectToMaster = failing
        a.countDowntimedReplicas = downtimed
        a.oracleGTIDImmediateTopology = valid > 0 && oracle == valid
        a.mariaDBGTIDImmediateTopology = valid > 0 && maria == valid
        a.countSemiSyncReplicasEnabled = semiSync
        a.countLoggingReplicas = logging
        a.countStatementBasedLoggingReplicas = statement
        a.countMixedBasedLoggingReplicas = mixed
        a.countRowBasedLoggingReplicas = row
        a.countDistinctMajorVersionsLoggingReplicas = versions.count
        a.countDelayedReplicas = delayed
        a.countLaggingReplicas = lagging
        a.minReplicaGTIDMode = gtidModes.min() ?? ""
        a.maxReplicaGTIDMode = gtidModes.max() ?? ""
        a.maxReplicaGTIDErrant = errant.max() ?? ""
        return a
    }

    /// Valid replicas whose IO thread is running: direct evidence that the master still serves them.
    static func countConnected(_ replicas: [Instance]) -> Int {
        replicas.filter { $0.isLastCheckValid && $0.replicationIOThreadState.isRunning }.count
    }

    // MARK: - Downtime

    /// Upstream's skip rules: a downtimed instance, or all replicas downtimed for replica-only problems.
    static func markDowntime(_ a: inout ReplicationAnalysis) {
        if a.isDowntimed { a.skippableDueToDowntime = true }
        if a.countReplicas == a.countDowntimedReplicas {
            switch a.analysis {
            case .allMasterReplicasNotReplicating, .allMasterReplicasNotReplicatingOrDead, .masterSingleReplicaDead,
                 .allCoMasterReplicasNotReplicating, .deadIntermediateMasterWithSingleReplica,
                 .deadIntermediateMasterWithSingleReplicaFailingToConnect, .deadIntermediateMasterAndReplicas,
                 .deadIntermediateMasterAndSomeReplicas, .allIntermediateMasterReplicasFailingToConnectOrDead,
                 .allIntermediateMasterReplicasNotReplicating:
                a.isReplicasDowntimed = true
                a.skippableDueToDowntime = true
            default:
                break
            }
        }
    }
}
