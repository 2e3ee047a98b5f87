import Foundation

/// GTID hygiene: `locate-gtid-errant` (which binary logs hold an instance's errant transactions),
/// `gtid-errant-inject-empty` (the cluster master binlogs a no-op under each errant GTID, MySQL and
/// MariaDB) and `gtid-errant-reset-master` (MySQL only; MariaDB is refused with the alternatives).
/// `which-gtid-errant` is the instance's `GtidErrant` field (`/api/instance`).
struct ErrantGTIDController: APIController {
    func register(into routes: inout APIRoutes) {
        routes.add("/api/locate-gtid-errant/:host/:port") { ctx in await ctx.locateErrant() }
        routes.add("/api/gtid-errant-inject-empty/:host/:port", mutating: true) { ctx in await ctx.injectErrant() }
        routes.add("/api/gtid-errant-reset-master/:host/:port", mutating: true) { ctx in await ctx.resetMasterErrant() }
    }
}

extension APIContext {
    /// The instance re-probed now (its `GtidErrant` is computed against its master's fresh state), with
    /// the operations; or the response that ends the request.
    private func errantSubject(_ command: String) async -> Result<(Instance, Inventory, ReplicationOperations), APIFailure> {
        let key: InstanceKey
        switch instanceKey() {
        case .failure(let failure): return .failure(failure)
        case .success(let k): key = k
        }
        guard await node.inventory().instance(key) != nil else { return .failure(APIFailure(.instanceNotFound(key))) }
        guard let ops = recovery?.operations else {
            return .failure(APIFailure(.error("\(command): replication operations are not running on this node", status: 503)))
        }
        _ = await reprobe(key)
        let inventory = await node.inventory()
        guard let instance = inventory.instance(key) else { return .failure(APIFailure(.instanceNotFound(key))) }
        return .success((instance, inventory, ops))
    }

    func locateErrant() async -> APIResponse {
        let (instance, inventory, ops): (Instance, Inventory, ReplicationOperations)
        switch await errantSubject("locate-gtid-errant") {
        case .failure(let failure): return failure.response
        case .success(let subject): (instance, inventory, ops) = subject
        }
        guard !instance.gtidErrant.isEmpty else {
            return .ok("No errant GTIDs on \(instance.key)", details: [String]())
        }
        let matcher: @Sendable (ErrantGTID.BinlogEventGTID) -> Bool
        if let set = try? MySQLGTIDSet(parsing: instance.gtidErrant), instance.executedGTIDSet != nil {
            matcher = { event in
                if case .mysql(let one) = event { return set.contains(one) }
                return false
            }
        } else if let list = try? MariaDBGTIDList(parsing: instance.gtidErrant) {
            let master = instance.masterKey.flatMap { inventory.instance($0) }
            let ranges = ErrantGTID.MariaDBErrantRanges(errant: list, masterPosition: master?.mariaDBGTIDState ?? MariaDBGTIDList())
            matcher = { event in
                if case .mariadb(let gtid) = event { return ranges.contains(gtid) }
                return false
            }
        } else {
            return .error("cannot read the errant GTIDs \"\(instance.gtidErrant)\" of \(instance.key)", status: 500)
        }
        do {
            let location = try await ops.locateErrantTransactions(instance.key, isErrant: matcher)
            return .ok("Errant GTIDs \(instance.gtidErrant) of \(instance.key) are in \(location.files.count) binary logs",
                       details: location.files)
        } catch {
            return Self.failure(error, command: "locate-gtid-errant", key: instance.key)
        }
    }

    func injectErrant() async -> APIResponse {
        let command = "gtid-errant-inject-empty"
        let (instance, inventory, ops): (Instance, Inventory, ReplicationOperations)
        switch await errantSubject(command) {
        case .failure(let failure): return failure.response
        case .success(let subject): (instance, inventory, ops) = subject
        }
        let key = instance.key
        guard !instance.gtidErrant.isEmpty else {
            return .ok("No errant GTIDs on \(key): nothing to inject", details: instance)
        }
        guard let master = inventory.master(ofCluster: instance.clusterName), master.key != key else {
            return .error("refusing \(command) on \(key): its cluster \(instance.clusterName) has no known master other "
                + "than itself to inject on", status: 409)
        }
        guard master.isLastCheckValid else {
            return .error("refusing \(command) on \(key): the cluster master \(master.key) is not reachable "
                + "(\(master.lastError))", status: 409)
        }
        let run: @Sendable (ReplicationOperations) async throws -> OperationResult
        if instance.executedGTIDSet != nil, let set = try? MySQLGTIDSet(parsing: instance.gtidErrant) {
            let gtids: [String]
            do { gtids = try ErrantGTID.mysqlInjectionGTIDs(set) } catch { return .error("refusing \(command) on \(key): \(error)", status: 409) }
            run = { try await $0.injectEmptyTransactions(master.key, gtids: gtids) }
        } else if let list = try? MariaDBGTIDList(parsing: instance.gtidErrant) {
            run = { try await $0.injectMariaDBErrantGTIDs(master.key, errant: list) }
        } else {
            return .error("cannot read the errant GTIDs \"\(instance.gtidErrant)\" of \(key)", status: 500)
        }
        if isNoop {
            do {
                let result = try await run(ops.dryRun())
                return .ok("Dry run: \(command) for \(key) would run on \(master.key):", details: result.statements)
            } catch { return Self.failure(error, command: command, key: key) }
        }
        if let failure = await confirmLeadership(command) { return failure }
        let result: OperationResult
        do { result = try await run(ops) } catch { return Self.failure(error, command: command, key: key) }
        // The no-ops reach the instance's own master through replication: look again a few times.
        var fresh = await reprobe(key) ?? instance
        for _ in 0..<20 where !fresh.gtidErrant.isEmpty {
            try? await Task.sleep(nanoseconds: 100_000_000)
            fresh = await reprobe(key) ?? fresh
        }
        return .ok("Injected \(result.note ?? "") on \(master.key) for errant GTIDs \(instance.gtidErrant) of \(key)",
                   details: fresh)
    }

    func resetMasterErrant() async -> APIResponse {
        let command = "gtid-errant-reset-master"
        let (instance, inventory, ops): (Instance, Inventory, ReplicationOperations)
        switch await errantSubject(command) {
        case .failure(let failure): return failure.response
        case .success(let subject): (instance, inventory, ops) = subject
        }
        let key = instance.key
        guard !instance.gtidErrant.isEmpty else {
            return .ok("No errant GTIDs on \(key): nothing to reset", details: instance)
        }
        guard instance.executedGTIDSet != nil, let errant = try? MySQLGTIDSet(parsing: instance.gtidErrant) else {
            return .error("refusing \(command) on \(key): "
                + ReplicationOperations.mariadbResetMasterRefusal(ReplicationDialect(version: instance.version)), status: 409)
        }
        let replicas = inventory.replicas(of: key)
        guard replicas.isEmpty else {
            return .error("refusing \(command) on \(key): RESET MASTER removes the binary logs its replicas "
                + "\(replicas.map(\.key.description).joined(separator: ", ")) read from; move them away first", status: 409)
        }
        if isNoop {
            do {
                let result = try await ops.dryRun().resetMasterRemovingErrant(key, errant: errant)
                return .ok("Dry run: \(command) on \(key) would run:", details: result.statements)
            } catch { return Self.failure(error, command: command, key: key) }
        }
        if let failure = await confirmLeadership(command) { return failure }
        do { try await ops.resetMasterRemovingErrant(key, errant: errant) } catch {
            return Self.failure(error, command: command, key: key)
        }
        return .ok("Removed errant GTIDs \(instance.gtidErrant) from \(key) by RESET MASTER", details: await reprobe(key) ?? instance)
    }
}
