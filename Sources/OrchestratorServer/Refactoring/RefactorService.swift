import Foundation
import Logging
import OrchestratorCore

/// Plans and runs one refactoring on this (leader) node: re-probes the instances involved so the plan
/// sees their state now, plans, runs the steps, and re-probes the touched instances so the API view
/// follows at once instead of at the next poll.
struct RefactorService {
    let node: OrchestratorNode
    let operations: ReplicationOperations
    let logger: Logger

    func run(_ request: RefactorRequest, dryRun: Bool) async -> RefactorOutcome {
        await RefactorGate.shared.run { await runAlone(request, dryRun: dryRun) }
    }

    private func runAlone(_ request: RefactorRequest, dryRun: Bool) async -> RefactorOutcome {
        await reprobe(around: request)
        let inventory = await node.inventory()
        let source = node.settings.promotion.replicationCredentials
        let planned = RefactorPlanner.plan(request, instances: inventory.instances, operatorState: node.intent, now: node.now,
                                           replicationCredentials: source)
        let plan: RefactorPlan
        switch planned {
        case .failure(let refusal):
            logger.notice("refactoring \(request.command.rawValue) \(request.instance) refused: \(refusal.reason)")
            return .refused(refusal)
        case .success(let p): plan = p
        }
        // make-co-master's top master starts replicating without a user of its own: with
        // ReplicationCredentialsQuery, read it (from the new co-master) before anything changes.
        var credentials: ReplicationCredentials?
        if request.command == .makeCoMaster, case .query(let query) = source, !dryRun {
            do {
                credentials = try await operations.replicationCredentials(from: request.instance, query: query)
            } catch {
                let refusal = RefactorRefusal(.unsafe, "make-co-master: ReplicationCredentialsQuery on \(request.instance) failed: \(error); nothing was changed")
                logger.notice("refactoring \(request.command.rawValue) \(request.instance) refused: \(refusal.reason)")
                return .refused(refusal)
            }
        }
        let log = OperationLog()
        var executor = RefactorExecutor(node: node, operations: operations.recording(into: log), logger: logger)
        executor.credentials = credentials
        if plan.isNoop { return dryRun ? .planned(plan, log: []) : .done(plan, log: []) }
        logger.notice("refactoring \(request.command.rawValue) \(request.instance)\(dryRun ? " (dry run)" : ""): \(plan.explain.joined(separator: "; "))")
        let started = ContinuousClock.now
        let error = await executor.execute(plan, dryRun: dryRun)
        if !dryRun {
            await reprobe(plan.touched)
            let elapsed = ContinuousClock.now - started
            logger.notice("refactoring \(request.command.rawValue) \(request.instance) \(error == nil ? "done" : "failed") in \(elapsed): \(log.lines.joined(separator: " | "))")
        }
        if let error { return .failed(plan, error: error, log: log.lines) }
        return dryRun ? .planned(plan, log: log.lines) : .done(plan, log: log.lines)
    }

    /// The instance, the target, and their masters and replicas as last known.
    private func reprobe(around request: RefactorRequest) async {
        let inventory = await node.inventory()
        var keys: [InstanceKey] = []
        for key in [request.instance] + (request.target.map { [$0] } ?? []) {
            keys.append(key)
            if let master = inventory.instance(key)?.masterKey { keys.append(master) }
            keys += inventory.replicas(of: key).map(\.key)
            if let master = inventory.instance(key)?.masterKey { keys += inventory.replicas(of: master).map(\.key) }
        }
        await reprobe(keys)
    }

    private func reprobe(_ keys: [InstanceKey]) async {
        await node.discovery.refresh(Array(Set(keys)))
    }
}

/// One refactoring at a time on a node: two moves planned from the same view could otherwise undo or
/// cycle each other. Waiters are served in arrival order.
actor RefactorGate {
    static let shared = RefactorGate()
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        if busy {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            busy = true
        }
        let value = await body()
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
        return value
    }
}
