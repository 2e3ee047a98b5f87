/// Decides the errant-GTID commands: `locate-gtid-errant` (how to recognise the errant events),
/// `gtid-errant-inject-empty` (the cluster master binlogs a no-op under each errant GTID, MySQL and
/// MariaDB) and `gtid-errant-reset-master` (MySQL only). Pure: the instance, re-probed against its
/// master, and the inventory are inputs; the server runs the steps.
public enum ErrantGTIDPlanner {
    /// How long the inject plan waits for the no-ops to reach the instance.
    public static let defaultCatchUpSeconds: Double = 5

    /// How to find the instance's errant events; nil when it has none.
    public static func locate(_ instance: Instance, inventory: Inventory) -> Result<ErrantGTIDLocatePlan?, ErrantGTIDRefusal> {
        do {
            guard let errant = try ErrantGTIDs.of(instance) else { return .success(nil) }
            let master = instance.masterKey.flatMap { inventory.instance($0) }
            return .success(ErrantGTIDLocatePlan(instance: instance.key, errant: errant,
                                                 matcher: errant.matcher(masterPosition: master?.mariaDBGTIDState)))
        } catch {
            return .failure(error)
        }
    }

    /// `gtid-errant-inject-empty`: the cluster master binlogs a no-op under each errant GTID, then the
    /// plan waits (bounded) until the instance has them.
    public static func injectEmpty(
        _ instance: Instance, inventory: Inventory, catchUpSeconds: Double = defaultCatchUpSeconds
    ) -> Result<ErrantGTIDRepairPlan, ErrantGTIDRefusal> {
        let command = "gtid-errant-inject-empty"
        do throws(ErrantGTIDRefusal) {
            let errant = try requireErrant(instance, command: command)
            let key = instance.key
            guard let master = inventory.master(ofCluster: instance.clusterName), master.key != key else {
                throw ErrantGTIDRefusal(.unsafe, "refusing \(command) on \(key): its cluster \(instance.clusterName) has no "
                    + "known master other than itself to inject on")
            }
            guard master.isLastCheckValid else {
                throw ErrantGTIDRefusal(.unsafe, "refusing \(command) on \(key): the cluster master \(master.key) is not "
                    + "reachable (\(master.lastError))")
            }
            let inject: ErrantGTIDRepairStep
            switch errant {
            case .mysql(let set):
                do {
                    inject = .injectEmptyTransactions(master: master.key, gtids: try ErrantGTID.mysqlInjectionGTIDs(set))
                } catch {
                    throw ErrantGTIDRefusal(.unsafe, "refusing \(command) on \(key): \(error)")
                }
            case .mariadb(let list):
                inject = .injectMariaDBNoops(master: master.key, errant: list)
            }
            return .success(ErrantGTIDRepairPlan(
                command: command, instance: key, errant: errant, runsOn: master.key,
                steps: [inject, .awaitCaughtUp(replica: key, with: master.key, timeoutSeconds: catchUpSeconds)]))
        } catch {
            return .failure(error)
        }
    }

    /// `gtid-errant-reset-master` (MySQL): `RESET MASTER` on the instance keeping everything but the
    /// errant GTIDs. Refused on MariaDB (no `gtid_purged`) with the alternatives, and on an instance
    /// with replicas (they read the binary logs it would throw away).
    public static func resetMaster(_ instance: Instance, inventory: Inventory) -> Result<ErrantGTIDRepairPlan, ErrantGTIDRefusal> {
        let command = "gtid-errant-reset-master"
        do throws(ErrantGTIDRefusal) {
            let errant = try requireErrant(instance, command: command)
            let key = instance.key
            guard case .mysql(let set) = errant else {
                throw ErrantGTIDRefusal(.unsupported, "refusing \(command) on \(key): "
                    + mariadbResetMasterRefusal(server: instance.version.isEmpty ? "MariaDB" : "MariaDB \(instance.version)"))
            }
            let replicas = inventory.replicas(of: key)
            guard replicas.isEmpty else {
                throw ErrantGTIDRefusal(.unsafe, "refusing \(command) on \(key): RESET MASTER removes the binary logs its "
                    + "replicas \(replicas.map(\.key.description).joined(separator: ", ")) read from; move them away first")
            }
            return .success(ErrantGTIDRepairPlan(command: command, instance: key, errant: errant, runsOn: key,
                                                 steps: [.resetMasterRemovingErrant(key, errant: set)]))
        } catch {
            return .failure(error)
        }
    }

    /// Why `gtid-errant-reset-master` cannot run on MariaDB (`server` names it), and what to do instead.
    public static func mariadbResetMasterRefusal(server: String) -> String {
        "gtid-errant-reset-master needs MySQL's gtid_purged, which \(server) does not have: RESET MASTER would "
            + "throw away this server's binary logs without a way to say which transactions it still holds. "
            + "Use gtid-errant-inject-empty instead (the master binlogs a no-op under each errant GTID), or, to drop "
            + "the errant writes from the replica's position, STOP SLAVE; SET GLOBAL gtid_slave_pos = <master's "
            + "gtid_binlog_pos>; START SLAVE (MASTER_USE_GTID=slave_pos)"
    }

    private static func requireErrant(_ instance: Instance, command: String) throws(ErrantGTIDRefusal) -> ErrantGTIDs {
        guard let errant = try ErrantGTIDs.of(instance) else {
            throw ErrantGTIDRefusal(.noErrantGTID, "refusing \(command) on \(instance.key): no errant GTID is found on it "
                + "(its GtidErrant against its master is empty), so there is nothing to repair")
        }
        return errant
    }
}
