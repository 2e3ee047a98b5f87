/// The decision tree: which code an instance gets from its own check and its replicas' counts.
/// Conditions follow upstream's order (analysis_dao.go); descriptions are ours.
extension ReplicationAnalyzer {
    static func classify(_ a: inout ReplicationAnalysis, instance: Instance, replicas: [Instance],
                         snapshot: AnalysisSnapshot, now: Timestamp, settings: AnalysisSettings) {
        let valid = a.lastCheckValid
        let n = a.countReplicas, nValid = a.countValidReplicas, nRepl = a.countValidReplicatingReplicas
        // orchd's extra holistic guard: a replica with a running IO thread is still connected.
        let connected = countConnected(replicas)
        func set(_ code: AnalysisCode, _ text: String) { a.analysis = code; a.description = text }

        if a.isMaster && !valid {
            if n == 0 {
                set(.deadMasterWithoutReplicas, "Master cannot be reached by orchd and has no replicas")
            } else if connected > 0 && nRepl == 0 {
                set(.unreachableMaster, "Master cannot be reached by orchd but some replica's IO thread is still connected to it")
            } else if nValid == n && nRepl == 0 {
                set(.deadMaster, "Master cannot be reached by orchd and none of its replicas is replicating")
            } else if nValid == 0 {
                set(.deadMasterAndReplicas, "Master and all of its replicas cannot be reached by orchd")
            } else if nValid < n && nRepl == 0 {
                set(.deadMasterAndSomeReplicas, "Master cannot be reached by orchd; some replicas are unreachable and none of the reachable ones is replicating")
            } else if a.countLaggingReplicas == n && a.countDelayedReplicas < n && nRepl > 0 {
                set(.unreachableMasterWithLaggingReplicas, "Master cannot be reached by orchd and all of its replicas are lagging")
            } else if nValid > 0 && nRepl > 0 {
                set(.unreachableMaster, "Master cannot be reached by orchd but it has replicating replicas; possibly a network or host issue")
            }
            return
        }
        if a.isMaster && a.semiSyncMasterEnabled && a.semiSyncMasterStatus && a.semiSyncMasterWaitForReplicaCount > 0
            && a.semiSyncMasterClients < a.semiSyncMasterWaitForReplicaCount {
            let since = snapshot.binlogCoordinatesUnchangedSince[instance.key]
            if let since, now.seconds(since: since) > Int64(settings.reasonableLockedSemiSyncMasterSeconds) {
                set(.lockedSemiSyncMaster, "Semi-sync master is locked: fewer semi-sync replicas acknowledge than it waits for, and its binlog position has not moved")
            } else {
                set(.lockedSemiSyncMasterHypothesis, "Semi-sync master may be locked: fewer semi-sync replicas than it waits for; more samples needed")
            }
            return
        }
        if settings.enforceExactSemiSyncReplicas && a.isMaster && a.semiSyncMasterEnabled && a.semiSyncMasterStatus
            && a.semiSyncMasterWaitForReplicaCount > 0 && a.semiSyncMasterClients > a.semiSyncMasterWaitForReplicaCount {
            set(.masterWithTooManySemiSyncReplicas, "Semi-sync master has more semi-sync replicas than it waits for")
            return
        }
        if a.isMaster {
            if a.isReadOnly && nRepl > 0 && settings.recoverNonWriteableMaster {
                set(.noWriteableMasterStructureWarning, "Master with replicas is read_only")
            } else if n == 1 && nValid == n && nRepl == 0 {
                set(.masterSingleReplicaNotReplicating, "Master is reachable but its single replica is not replicating")
            } else if n == 1 && nValid == 0 {
                set(.masterSingleReplicaDead, "Master is reachable but its single replica cannot be reached")
            } else if n > 1 && nValid == n && nRepl == 0 {
                set(.allMasterReplicasNotReplicating, "Master is reachable but none of its replicas is replicating")
            } else if n > 1 && nValid < n && nValid > 0 && nRepl == 0 {
                set(.allMasterReplicasNotReplicatingOrDead, "Master is reachable but none of its replicas is replicating or reachable")
            }
            return
        }
        if a.isCoMaster {
            if !valid && connected > 0 && nRepl == 0 {
                set(.unreachableCoMaster, "Co-master cannot be reached by orchd but some replica's IO thread is still connected to it")
            } else if !valid && n > 0 && nValid == n && nRepl == 0 {
                set(.deadCoMaster, "Co-master cannot be reached by orchd and none of its replicas is replicating")
            } else if !valid && n > 0 && nValid < n && nValid > 0 && nRepl == 0 {
                set(.deadCoMasterAndSomeReplicas, "Co-master cannot be reached by orchd; some replicas are unreachable and none of the reachable ones is replicating")
            } else if !valid && nValid > 0 && nRepl > 0 {
                set(.unreachableCoMaster, "Co-master cannot be reached by orchd but it has replicating replicas; possibly a network or host issue")
            } else if valid && n > 0 && nRepl == 0 {
                set(.allCoMasterReplicasNotReplicating, "Co-master is reachable but none of its replicas is replicating")
            }
            if a.analysis != .noProblem { return }
        }
        // Intermediate master (a replica with replicas), or a plain replica.
        if !valid && n > 0 && connected > 0 && nRepl == 0 {
            set(.unreachableIntermediateMaster, "Intermediate master cannot be reached by orchd but some replica's IO thread is still connected to it")
        } else if !valid && n == 1 && nValid == n && a.countReplicasFailingToConnectToMaster == n && nRepl == 0 {
            set(.deadIntermediateMasterWithSingleReplicaFailingToConnect, "Intermediate master cannot be reached by orchd and its single replica is failing to connect to it")
        } else if !valid && n == 1 && nValid == n && nRepl == 0 {
            set(.deadIntermediateMasterWithSingleReplica, "Intermediate master cannot be reached by orchd and its single replica is not replicating")
        } else if !valid && n > 1 && nValid == n && nRepl == 0 {
            set(.deadIntermediateMaster, "Intermediate master cannot be reached by orchd and none of its replicas is replicating")
        } else if !valid && nValid < n && nValid > 0 && nRepl == 0 {
            set(.deadIntermediateMasterAndSomeReplicas, "Intermediate master cannot be reached by orchd; some replicas are unreachable and none of the reachable ones is replicating")
        } else if !valid && n > 0 && nValid == 0 {
            set(.deadIntermediateMasterAndReplicas, "Intermediate master and all of its replicas cannot be reached by orchd")
        } else if !valid && n > 0 && a.countLaggingReplicas == n && a.countDelayedReplicas < n && nRepl > 0 {
            set(.unreachableIntermediateMasterWithLaggingReplicas, "Intermediate master cannot be reached by orchd and all of its replicas are lagging")
        } else if !valid && nValid > 0 && nRepl > 0 {
            set(.unreachableIntermediateMaster, "Intermediate master cannot be reached by orchd but it has replicating replicas; possibly a network or host issue")
        } else if valid && n > 1 && nRepl == 0 && a.countReplicasFailingToConnectToMaster > 0
                    && a.countReplicasFailingToConnectToMaster == nValid {
            set(.allIntermediateMasterReplicasFailingToConnectOrDead, "Intermediate master is reachable but all of its replicas are failing to connect to it or unreachable")
        } else if valid && n > 0 && nValid > 0 && nRepl == 0 {
            // Upstream requires a reachable replica: replicas orchd cannot reach say nothing about
            // whether they replicate (all unreachable is not this code).
            set(.allIntermediateMasterReplicasNotReplicating, "Intermediate master is reachable but none of its reachable replicas is replicating")
        } else if a.replicationDepth == 1 && a.isFailingToConnectToMaster {
            set(.firstTierReplicaFailingToConnectToMaster, "Replica of the cluster master cannot connect to it")
        }
    }

    /// Upstream's structure checks: risks to a future failover.
    static func structureWarnings(_ a: ReplicationAnalysis, instance: Instance) -> [StructureAnalysisCode] {
        var w: [StructureAnalysisCode] = []
        if a.isMaster && a.countLoggingReplicas == 0 && a.countReplicas > 1 { w.append(.noLoggingReplicasStructureWarning) }
        if a.isMaster && a.countReplicas > 1 && !a.oracleGTIDImmediateTopology && !a.mariaDBGTIDImmediateTopology
            && !a.binlogServerImmediateTopology && !a.pseudoGTIDImmediateTopology {
            w.append(.noFailoverSupportStructureWarning)
        }
        if a.isMaster && a.countStatementBasedLoggingReplicas > 0 && a.countMixedBasedLoggingReplicas > 0 {
            w.append(.statementAndMixedLoggingReplicasStructureWarning)
        }
        if a.isMaster && a.countStatementBasedLoggingReplicas > 0 && a.countRowBasedLoggingReplicas > 0 {
            w.append(.statementAndRowLoggingReplicasStructureWarning)
        }
        if a.isMaster && a.countMixedBasedLoggingReplicas > 0 && a.countRowBasedLoggingReplicas > 0 {
            w.append(.mixedAndRowLoggingReplicasStructureWarning)
        }
        if a.isMaster && a.countDistinctMajorVersionsLoggingReplicas > 1 {
            w.append(.multipleMajorVersionsLoggingReplicasStructureWarning)
        }
        if a.countReplicas > 0 && (a.gtidMode != a.minReplicaGTIDMode || a.gtidMode != a.maxReplicaGTIDMode) {
            w.append(.differentGTIDModesStructureWarning)
        }
        if !a.maxReplicaGTIDErrant.isEmpty { w.append(.errantGTIDStructureWarning) }
        if a.isMaster && a.isReadOnly && a.lastCheckValid { w.append(.noWriteableMasterStructureWarning) }
        if a.isMaster && a.semiSyncMasterEnabled && !a.semiSyncMasterStatus && a.semiSyncMasterWaitForReplicaCount > 0
            && a.semiSyncMasterClients < a.semiSyncMasterWaitForReplicaCount {
            w.append(.notEnoughValidSemiSyncReplicasStructureWarning)
        }
        return w
    }
}
