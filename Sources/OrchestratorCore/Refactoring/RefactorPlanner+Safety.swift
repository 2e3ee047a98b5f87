/// The safety rules every move passes before a plan is returned. Each refusal names the instance, the
/// rule, and what to do about it.
extension RefactorPlanner {
    // MARK: - Operator locks and reachability

    /// The instance can be touched now: reachable, not under maintenance, and (for automation) not
    /// downtimed. Operators may refactor downtimed instances: downtime silences recovery, not them.
    func usable(_ instance: Instance, _ request: RefactorRequest) throws(RefactorRefusal) {
        if !instance.isLastCheckValid {
            let why = instance.lastError.isEmpty ? "" : ": \(instance.lastError)"
            throw RefactorRefusal(.unreachable, "\(instance.key) cannot be reached (its last check failed\(why)); "
                + "nothing was changed: fix or re-discover it first")
        }
        if let maintenance = state.activeMaintenance(for: instance.key, at: now) {
            throw RefactorRefusal(.locked, "\(instance.key) is \(maintenance.maintenanceSummary): end-maintenance first "
                + "(orchestrator-client -c end-maintenance -i \(instance.key))")
        }
        if request.automated, let downtime = state.activeDowntime(for: instance.key, at: now) {
            throw RefactorRefusal(.locked, "\(instance.key) is downtimed by \(downtime.owner) (\(downtime.reason)) until "
                + "\(downtime.end.rfc3339): automation does not touch downtimed instances")
        }
    }

    // MARK: - Can `instance` replicate from `target`?

    /// Checks every rule for `instance` replicating from `target` and returns the GTID positioning to
    /// use. `ancestorMoving` is set when `instance` is above `target` on purpose (take-master's and
    /// make-co-master's second leg): then the cycle and errant-GTID rules are the caller's.
    func canReplicate(_ instance: Instance, from target: Instance, ancestorMoving: Bool = false) throws(RefactorRefusal) -> RefactorPositioning {
        let (i, t) = (instance.key, target.key)
        if i == t { throw RefactorRefusal(.unsafe, "\(i) cannot replicate from itself") }
        if !ancestorMoving, isAncestor(i, of: t) {
            throw RefactorRefusal(.unsafe, "\(t) replicates (directly or through others) from \(i): moving \(i) below it "
                + "would make a replication cycle; move \(t) elsewhere first")
        }
        if !target.logBinEnabled {
            throw RefactorRefusal(.unsafe, "\(t) has log_bin off: it has no binary log to serve \(i) from; enable log_bin on \(t)")
        }
        if target.isReplica, !target.logReplicationUpdatesEnabled {
            throw RefactorRefusal(.unsafe, "\(t) has log_slave_updates off: its binary log lacks the transactions it "
                + "replicates, so \(i) would miss them; enable log_slave_updates on \(t)")
        }
        if instance.isMariaDB != target.isMariaDB {
            throw RefactorRefusal(.unsafe, "\(i) (\(instance.version)) and \(t) (\(target.version)) are different flavours "
                + "(MariaDB and MySQL): orchd does not move replicas across them")
        }
        if !instance.majorVersion.isEmpty, !target.majorVersion.isEmpty,
           CandidateRanking.versionLess(instance.majorVersion, target.majorVersion) {
            throw RefactorRefusal(.unsafe, "\(i) runs \(instance.majorVersion), older than \(t)'s \(target.majorVersion): "
                + "a replica must not be older than its master")
        }
        if !ancestorMoving {
            let errant = instance.errantGTIDs(relativeTo: target)
            if !errant.isEmpty {
                throw RefactorRefusal(.unsafe, "\(i) has errant GTIDs \(errant) that \(t) does not have: fix them first "
                    + "(which-gtid-errant, gtid-errant-inject-empty) or they break replication from \(t)")
            }
        }
        if let missing = purgedButNeeded(instance, from: target) {
            throw RefactorRefusal(.unsafe, "\(t) has purged binary logs holding \(missing), which \(i) has not applied: "
                + "\(i) cannot replicate from \(t)")
        }
        if let gap = mariaDBPurgedGap(instance, from: target) { throw purgedRefusal(instance, from: target, gap) }
        return try gtidPositioning(instance, from: target)
    }

    /// Re-pointing at the master it already replicates from: GTID when it uses (or can use) GTID, else
    /// its own executed coordinates, which name the same position on that same master.
    func samePosition(_ instance: Instance, on master: Instance) throws(RefactorRefusal) -> RefactorPositioning {
        if let gtid = try? gtidPositioning(instance, from: master) { return gtid }
        let exec = instance.execBinlogCoordinates
        guard !exec.isEmpty else {
            throw RefactorRefusal(.unsafe, "\(instance.key) reports no executed coordinates and no GTID: its position on "
                + "\(master.key) is unknown")
        }
        return .coordinates(file: exec.logFile, position: exec.logPos)
    }

    /// MariaDB domain GTID or MySQL auto-position, or a refusal saying why neither applies.
    func gtidPositioning(_ instance: Instance, from target: Instance) throws(RefactorRefusal) -> RefactorPositioning {
        if instance.isMariaDB, target.isMariaDB {
            // A replica continues from what it replicated; anything else (a master, a replica by
            // coordinates) from everything it has, its own binlog included.
            return instance.usingMariaDBGTID && instance.isReplica ? .mariadbSlavePos : .mariadbCurrentPos
        }
        let onI = instance.usingOracleGTID || instance.gtidMode.uppercased() == "ON"
        let onT = target.usingOracleGTID || target.gtidMode.uppercased() == "ON" || target.supportsOracleGTID
        if onI, onT { return .mysqlAutoPosition }
        throw RefactorRefusal(.unsafe, "GTID is not available on \(onI ? target.key : instance.key) (gtid_mode is not ON), "
            + "and moving \(instance.key) below \(target.key) by binlog coordinates is not provably safe; enable GTID")
    }

    /// MySQL: GTIDs in the target's `gtid_purged` the instance has not executed (nil when none or
    /// unknown). MariaDB's counterpart is `mariaDBPurgedGap` (RefactorPlanner+PurgedBinlogs.swift).
    func purgedButNeeded(_ instance: Instance, from target: Instance) -> String? {
        guard !target.gtidPurged.isEmpty, let purged = try? MySQLGTIDSet(parsing: target.gtidPurged),
              let executed = instance.executedGTIDSet else { return nil }
        let missing = purged.subtracting(executed)
        return missing.isEmpty ? nil : missing.description
    }
}
