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
        let plan: ErrantGTIDLocatePlan
        switch ErrantGTIDPlanner.locate(instance, inventory: inventory) {
        case .failure(let refusal): return Self.response(refusal)
        case .success(nil): return .ok("No errant GTIDs on \(instance.key)", details: [String]())
        case .success(let p?): plan = p
        }
        do {
            let matcher = plan.matcher
            let location = try await ops.locateErrantTransactions(instance.key) { matcher.matches($0) }
            return .ok("Errant GTIDs \(plan.errant) of \(instance.key) are in \(location.files.count) binary logs",
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
        switch ErrantGTIDPlanner.injectEmpty(instance, inventory: inventory) {
        case .failure(let refusal): return Self.response(refusal)
        case .success(let plan):
            return await runRepair(plan, ops: ops, instance: instance) { outcome in
                let note = outcome.results.compactMap(\.note).joined(separator: "; ")
                let pending = outcome.caughtUp == false
                    ? "; \(plan.instance) has not applied them yet (is it replicating?), its GtidErrant clears once it has"
                    : ""
                return "Injected \(note) on \(plan.runsOn) for errant GTIDs \(plan.errant) of \(plan.instance)\(pending)"
            }
        }
    }

    func resetMasterErrant() async -> APIResponse {
        let command = "gtid-errant-reset-master"
        let (instance, inventory, ops): (Instance, Inventory, ReplicationOperations)
        switch await errantSubject(command) {
        case .failure(let failure): return failure.response
        case .success(let subject): (instance, inventory, ops) = subject
        }
        switch ErrantGTIDPlanner.resetMaster(instance, inventory: inventory) {
        case .failure(let refusal): return Self.response(refusal)
        case .success(let plan):
            return await runRepair(plan, ops: ops, instance: instance) { _ in
                "Removed errant GTIDs \(plan.errant) from \(plan.instance) by RESET MASTER"
            }
        }
    }

    /// Shows the statements (`?noop=true`), or confirms leadership, runs the plan (its waits
    /// included), re-probes the instance and answers it with `message`.
    private func runRepair(
        _ plan: ErrantGTIDRepairPlan, ops: ReplicationOperations, instance: Instance,
        message: (ReplicationOperations.ErrantRepairOutcome) -> String
    ) async -> APIResponse {
        if isNoop {
            do {
                let outcome = try await ops.dryRun().execute(plan)
                let text = plan.runsOn == plan.instance
                    ? "Dry run: \(plan.command) on \(plan.instance) would run:"
                    : "Dry run: \(plan.command) for \(plan.instance) would run on \(plan.runsOn):"
                return .ok(text, details: outcome.results.flatMap(\.statements))
            } catch { return Self.failure(error, command: plan.command, key: plan.instance) }
        }
        if let failure = await confirmLeadership(plan.command) { return failure }
        let outcome: ReplicationOperations.ErrantRepairOutcome
        do { outcome = try await ops.execute(plan) } catch { return Self.failure(error, command: plan.command, key: plan.instance) }
        return .ok(message(outcome), details: await reprobe(plan.instance) ?? instance)
    }

    /// A refusal as an envelope: 409 (nothing to do, unsafe now, unsupported), 500 when orchd could
    /// not read its own GtidErrant.
    static func response(_ refusal: ErrantGTIDRefusal) -> APIResponse {
        .error(refusal.message, status: refusal.kind == .unreadable ? 500 : 409)
    }
}
