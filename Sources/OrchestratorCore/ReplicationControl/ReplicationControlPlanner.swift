/// Decides replication-control requests (`start-replica`, `set-writeable`, `purge-binary-logs`, ...):
/// the steps to run on the instance, or a refusal naming why and what to do instead. Pure: the
/// instance, its replication threads read just now and the inventory are inputs.
///
/// The safety rules are upstream's where it has them (purge while a replica still reads an older
/// file) and ours where a command would silently do damage (writes on a live replica, skipping a
/// healthy transaction, resetting a running replica).
public enum ReplicationControlPlanner {
    /// The plan for `request` on `instance`, or why it is refused.
    ///
    /// - Parameters:
    ///   - replica: the instance's replication threads now; nil when it is not a replica.
    ///   - inventory: the topology, for the instance's master and replicas.
    public static func plan(
        _ request: ReplicationControlRequest, instance: Instance, replica: ReplicaThreads?, inventory: Inventory,
        options: ReplicationControlOptions = ReplicationControlOptions()
    ) -> Result<ReplicationControlPlan, ReplicationControlRefusal> {
        do { return .success(try makePlan(request, instance, replica, inventory, options)) } catch { return .failure(error) }
    }

    private static func makePlan(
        _ request: ReplicationControlRequest, _ instance: Instance, _ replica: ReplicaThreads?, _ inventory: Inventory,
        _ options: ReplicationControlOptions
    ) throws(ReplicationControlRefusal) -> ReplicationControlPlan {
        let key = instance.key
        let name = request.name
        func plan(_ done: String, _ steps: ReplicationControlStep...) -> ReplicationControlPlan {
            ReplicationControlPlan(request: request, instance: key, steps: steps, done: done)
        }
        func requireReplica() throws(ReplicationControlRefusal) -> ReplicaThreads {
            guard let replica else {
                throw ReplicationControlRefusal(.notAReplica, "refusing \(name) on \(key): it is not a replica (SHOW SLAVE STATUS is empty)")
            }
            return replica
        }
        func refuseDetached(_ threads: ReplicaThreads) throws(ReplicationControlRefusal) {
            guard threads.isMasterHostDetached else { return }
            throw ReplicationControlRefusal(.unsafe, "refusing \(name): the master host is detached (\(threads.masterHost)); "
                + "run reattach-replica-master-host first")
        }
        let command: ReplicationControlCommand
        switch request {
        case .delayReplication(let seconds):
            _ = try requireReplica()
            return plan("Replication delay set to \(seconds)s", .setReplicationDelay(seconds: seconds))
        case .purgeBinaryLogs(let file):
            if !options.force { try refusePurge(instance, before: file, inventory: inventory) }
            return plan("Binary logs purged before \(file)", .purgeBinaryLogs(to: file))
        case .changeMasterCredentials:
            _ = try requireReplica()
            return plan("Replication credentials applied", .changeMasterCredentials)
        case .command(let c):
            command = c
        }
        switch command {
        case .startReplica:
            try refuseDetached(try requireReplica())
            return plan("Replica started", .startReplication, .awaitReplicating(timeoutSeconds: options.startTimeoutSeconds))
        case .restartReplica:
            try refuseDetached(try requireReplica())
            return plan("Replica restarted", .restartReplication, .awaitReplicating(timeoutSeconds: options.startTimeoutSeconds))
        case .stopReplica:
            _ = try requireReplica()
            return plan("Replica stopped", .stopReplication)
        case .stopReplicaNice:
            _ = try requireReplica()
            return plan("Replica stopped nicely", .stopReplicationNicely(timeoutSeconds: options.niceStopTimeoutSeconds))
        case .resetReplica:
            let threads = try requireReplica()
            if threads.threadsActive {
                throw ReplicationControlRefusal(.unsafe, "refusing reset-replica on \(key): replication is running "
                    + "(IO \(threads.ioThread), SQL \(threads.sqlThread)); stop it first with stop-replica "
                    + "(reset-replica throws away the relay logs)")
            }
            return plan("Replica reset", .resetReplica)
        case .detachReplica, .detachReplicaMasterHost:
            _ = try requireReplica()
            return plan("Replica detached", .detachMasterHost)
        case .reattachReplica, .reattachReplicaMasterHost:
            _ = try requireReplica()
            return plan("Replica reattached", .reattachMasterHost)
        case .skipQuery:
            let threads = try requireReplica()
            if !options.force, threads.lastSQLErrno == 0 {
                throw ReplicationControlRefusal(.unsafe, "refusing skip-query on \(key): its SQL thread reports no error "
                    + "(SQL \(threads.sqlThread)), so there is no failing transaction to skip and a healthy one would be lost; "
                    + "add ?force=true to skip the next transaction anyway")
            }
            return plan("Replica skipped one transaction", .skipQuery)
        case .setReadOnly:
            return plan("Server set as read-only", .setReadOnly(true))
        case .setWriteable:
            if !options.force, let threads = replica, threads.threadsActive {
                let master = inventory.instance(threads.masterKey) ?? instance.masterKey.flatMap { inventory.instance($0) }
                if let master, master.isLastCheckValid {
                    throw ReplicationControlRefusal(.unsafe, "refusing set-writeable on \(key): it replicates from \(master.key), "
                        + "which is reachable (IO \(threads.ioThread), SQL \(threads.sqlThread)); writes on a replica become errant "
                        + "GTIDs and diverge from its master. Stop or detach its replication first, or add ?force=true")
                }
            }
            return plan("Server set as writeable", .setReadOnly(false))
        case .flushBinaryLogs:
            guard instance.logBinEnabled else {
                throw ReplicationControlRefusal(.unsafe, "refusing flush-binary-logs on \(key): binary logging is off (log_bin)")
            }
            return plan("Binary logs flushed", .flushBinaryLogs)
        case .enableSemiSyncMaster, .disableSemiSyncMaster:
            let enabled = command == .enableSemiSyncMaster
            return plan("Semi-sync master \(enabled ? "enabled" : "disabled")", .setSemiSyncMaster(enabled: enabled))
        case .enableSemiSyncReplica, .disableSemiSyncReplica:
            let enabled = command == .enableSemiSyncReplica
            return plan("Semi-sync replica \(enabled ? "enabled" : "disabled")",
                        .setSemiSyncReplica(enabled: enabled, restartIOThread: replica?.ioRunning ?? false))
        }
    }

    /// Upstream's rule: a replica still reading a file before `file` would lose its source. A replica
    /// whose file is unknown or not comparable (another log series) counts as still needing it.
    private static func refusePurge(_ instance: Instance, before file: BinlogFileName, inventory: Inventory)
        throws(ReplicationControlRefusal) {
        let behind = inventory.replicas(of: instance.key).filter { replica in
            replica.readBinlogCoordinates.fileName.precedes(file) ?? true
        }
        guard !behind.isEmpty else { return }
        let reading = behind.map { replica -> String in
            let read = replica.readBinlogCoordinates.logFile
            if read.isEmpty { return "\(replica.key) (reading unknown)" }
            if replica.readBinlogCoordinates.fileName.precedes(file) == nil {
                return "\(replica.key) (reading \(read), not comparable with \(file))"
            }
            return "\(replica.key) (reading \(read))"
        }
        throw ReplicationControlRefusal(.unsafe, "refusing purge-binary-logs on \(instance.key) before \(file): replicas "
            + reading.joined(separator: ", ") + " still need older binary logs; add ?force=true to purge anyway")
    }
}
