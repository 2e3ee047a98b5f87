extension Inventory {
    /// An analysis entry for an operation an operator asked for on a master (a forced failover, a
    /// graceful takeover) rather than one detected: the master, its cluster and its direct replicas.
    public func operatorAnalysis(ofMaster master: Instance, recovery filters: RecoveryFilters,
                                 command: String) -> ReplicationAnalysis {
        let details = clusterInfo(master.clusterName, recovery: filters)
            ?? ClusterInfo(clusterName: master.clusterName, clusterAlias: master.suggestedClusterAlias, countInstances: 0,
                           heuristicLag: 0, hasAutomatedMasterRecovery: false, hasAutomatedIntermediateMasterRecovery: false)
        var analysis = ReplicationAnalysis(analyzedInstanceKey: master.key, clusterDetails: details)
        analysis.isMaster = true
        analysis.commandHint = command
        analysis.replicas = replicas(of: master.key).map(\.key)
        return analysis
    }
}
