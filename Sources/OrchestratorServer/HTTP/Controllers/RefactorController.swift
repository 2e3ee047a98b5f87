import Foundation
import Logging
import OrchestratorCore

/// Topology refactoring with upstream's paths: `relocate`, `move-up`, `take-master`, ... Mutating (run
/// on the leader); `?noop=true` answers with the plan and the SQL it would run, changing nothing.
/// Single-instance commands answer with the moved instance (the client prints `instance<master`),
/// multi-replica commands with the list of moved instances.
struct RefactorController: APIController {
    func register(into routes: inout APIRoutes) {
        let withTarget: [RefactorCommand] = [.relocate, .relocateReplicas, .moveBelow, .repoint, .moveReplicasGTID,
                                             .moveBelowGTID, .moveUpReplicas, .repointReplicas]
        let withoutTarget: [RefactorCommand] = [.moveUp, .moveUpReplicas, .repoint, .repointReplicas, .takeSiblings,
                                                .takeMaster, .makeCoMaster]
        for command in withTarget {
            // Upstream's parameter names differ per route (belowHost, siblingHost, ...); one shape serves all.
            for name in Self.pathNames(command) {
                routes.add("/api/\(name)/:host/:port/:belowHost/:belowPort", mutating: true) { ctx in
                    await ctx.refactor(command, withTarget: true)
                }
            }
        }
        // Upstream's answer: Message "true" or "false", Details the destination. orchd uses GTID for every
        // move, so both spellings ask the same question; a "false" names the reason.
        for name in ["can-replicate-from", "can-replicate-from-gtid"] {
            routes.add("/api/\(name)/:host/:port/:belowHost/:belowPort") { ctx in
                await ctx.withInstance { instance, inventory in
                    let target: InstanceKey
                    switch ctx.instanceKey(host: "belowHost", port: "belowPort") {
                    case .failure(let failure): return failure.response
                    case .success(let key): target = key
                    }
                    guard inventory.instance(target) != nil else { return .instanceNotFound(target) }
                    let planner = RefactorPlanner(instances: inventory.instances, operatorState: ctx.node.intent,
                                                  now: ctx.node.now)
                    if let refusal = planner.canReplicateFrom(instance.key, target) {
                        // The message stays exactly "false" (scripts compare it); the reason travels beside it.
                        var answer = APIResponse.ok("false", details: target)
                        answer.headers["X-Orchd-Reason"] = refusal.reason
                        return answer
                    }
                    return .ok("true", details: target)
                }
            }
        }
        for command in withoutTarget {
            for name in Self.pathNames(command) {
                routes.add("/api/\(name)/:host/:port", mutating: true) { ctx in
                    await ctx.refactor(command, withTarget: false)
                }
            }
        }
    }

    /// The command's path and upstream's older spellings of it (`relocate-slaves`, `enslave-master`, ...).
    static func pathNames(_ command: RefactorCommand) -> [String] {
        let name = command.rawValue
        switch command {
        case .takeSiblings: return [name, "enslave-siblings"]
        case .takeMaster: return [name, "enslave-master"]
        default:
            return name.contains("replicas") ? [name, name.replacingOccurrences(of: "replicas", with: "slaves")] : [name]
        }
    }
}

extension APIContext {
    func refactor(_ command: RefactorCommand, withTarget: Bool) async -> APIResponse {
        await withKey { key in
            var target: InstanceKey?
            if withTarget {
                switch instanceKey(host: "belowHost", port: "belowPort") {
                case .failure(let failure): return failure.response
                case .success(let k): target = k
                }
            }
            // move-up-replicas / repoint-replicas take no destination upstream; the client may send one.
            if command == .moveUpReplicas || command == .repointReplicas { target = nil }
            guard let operations = recovery?.operations else {
                return .error("replication operations are not running on this node", status: 503)
            }
            let service = RefactorService(node: node, operations: operations, logger: refactorLogger)
            let request = RefactorRequest(command, instance: key, target: target)
            let name = command.rawValue
            switch await service.run(request, dryRun: isNoop) {
            case .refused(let refusal):
                let status: Int
                switch refusal.kind {
                case .invalid: status = 400
                case .unsafe, .locked: status = 409
                case .unreachable: status = 503
                }
                return .error("\(name) \(key) refused: \(refusal.reason)", status: status)
            case .planned(let plan, let log):
                return .ok("Dry run: \(name) of \(key) would run:", details: plan.explain + log)
            case .failed(let plan, let error, let log):
                return APIResponse.envelope(code: "ERROR", message: "\(name) of \(key) failed: \(error)",
                                            details: plan.explain + log, status: 500)
            case .done(let plan, _):
                if command == .takeMaster, plan.noopReason == nil {
                    await publishNewMaster(key)
                }
                let inventory = await node.inventory()
                if command.movesReplicas {
                    let moved = plan.moves.compactMap { inventory.instance($0.instance) }
                    let what = plan.noopReason ?? "moved \(moved.count) replicas"
                    return .ok("\(name) \(key): \(what)", details: moved)
                }
                guard let instance = inventory.instance(key) else { return .error("\(key) is no longer known", status: 404) }
                let message = plan.noopReason.map { "\(name) \(key): nothing to do: \($0)" }
                    ?? "\(name) \(key): now replicating from \(instance.masterKey?.description ?? "-")"
                return .ok(message, details: instance)
            }
        }
    }
}

extension APIContext {
    var refactorLogger: Logger { Logger(label: "orchd.refactor") }
}

extension APIContext {
    /// After take-master: `key` now leads its cluster; applications learn it at once.
    func publishNewMaster(_ key: InstanceKey) async {
        guard let publisher = recovery?.kvPublisher, !publisher.stores.isEmpty else { return }
        let inventory = await node.inventory()
        guard let alias = inventory.instance(key)?.suggestedClusterAlias, !alias.isEmpty else { return }
        _ = await publisher.publish(clusterAlias: alias, master: key)
    }
}
