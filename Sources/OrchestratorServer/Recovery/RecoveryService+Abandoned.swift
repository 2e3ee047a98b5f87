import Foundation
import OrchestratorCore

extension RecoveryService {
    /// Finishes or closes every recovery the replicated audit still shows as running that this node is
    /// not running: its node lost leadership (or died) between two steps and could not record the
    /// outcome. An active record refuses every later recovery of the cluster, manual ones included, so
    /// each is settled here, on the leader, as ``AbandonedRecovery`` decides: resumed from the step that
    /// was in flight when the successor answers and a server already changed role, else closed as failed
    /// (acknowledged when nothing changed role, so a fresh recovery plans again at once).
    func resolveAbandonedRecoveries() async {
        for recovery in node.intent.recoveries
        where recovery.isActive && !running.contains(recovery.uid) && unrecorded[recovery.uid] == nil {
            let decision = AbandonedRecovery.decide(
                recovery, instances: await node.inventory().instances, now: node.now,
                maxAgeSeconds: Int64(node.settings.recoveryPeriodBlockSeconds))
            switch decision {
            case .close(let acknowledge, let reason):
                await closeAbandoned(recovery, acknowledge: acknowledge, reason: reason)
            case .resume(let steps, let successor, let reason):
                guard let claim = claimIfFree(recovery.analysisEntry.clusterDetails) else { continue }
                running.insert(recovery.uid)
                automated[claim] = Task { [self] in
                    await self.resume(recovery, steps: steps, successor: successor, reason: reason)
                    self.finishResumption(uid: recovery.uid, claim: claim)
                }
            }
        }
    }

    private func finishResumption(uid: String, claim: UInt64) {
        running.remove(uid)
        busyClusters[claim] = nil
        automated[claim] = nil
    }

    private func abandonedBy(_ recovery: TopologyRecovery) -> String {
        recovery.processingNodeHostname.isEmpty ? "its node" : recovery.processingNodeHostname
    }

    private func closeAbandoned(_ recovery: TopologyRecovery, acknowledge: Bool, reason: String) async {
        var recovery = recovery
        let who = abandonedBy(recovery)
        recovery.allErrors.append("abandoned: \(who) stopped before recording the outcome (it lost raft leadership); "
                                  + "closed by \(node.settings.httpAdvertise): \(reason)")
        recovery.resolve(successor: nil, successful: false, at: node.now)
        if acknowledge {
            recovery.acknowledge(by: "orchd", comment: "abandoned before any server changed role; does not block a new recovery",
                                 at: node.now)
        }
        do {
            try await node.submit(.writeRecovery(recovery))
            let blocks = acknowledge ? "" : "; it blocks automated recoveries of the cluster until acknowledged"
            logger.warning("closed recovery \(recovery.uid) of \(recovery.analysisEntry.analyzedInstanceKey), abandoned by \(who): \(reason)\(blocks)")
        } catch {
            logger.error("cannot close abandoned recovery \(recovery.uid) through raft: \(error)")
        }
    }

    /// Runs the rest of an abandoned recovery's plan, then its post hooks not yet run, and records the
    /// outcome as its first node would have.
    private func resume(_ abandoned: TopologyRecovery, steps: [RecoveryStep], successor: InstanceKey?,
                        reason: String) async {
        var recovery = abandoned
        let who = abandonedBy(recovery)
        let me = node.settings.httpAdvertise
        var note = RecoveryStepRecord(name: AbandonedRecovery.resumedStepName,
                                      detail: "resumed by \(me) after \(who) stopped: \(reason)")
        note.started = node.now
        note.ended = node.now
        note.ok = true
        recovery.steps.append(note)
        recovery.processingNodeHostname = me
        recovery.processingNodeToken = node.settings.raftID
        logger.notice("resuming recovery \(recovery.uid) of \(recovery.analysisEntry.analyzedInstanceKey) abandoned by \(who): \(reason); \(steps.count) steps to run")
        do {
            try await node.submit(.writeRecovery(recovery))
        } catch {
            // Not ours yet: another round (or another leader) decides again.
            logger.error("cannot record the resumption of recovery \(recovery.uid) through raft: \(error)")
            return
        }
        let plan = AbandonedRecovery.resumptionPlan(of: recovery, steps: steps, successor: successor)
        let analysis = recovery.analysisEntry
        var executor = RecoveryExecutor(node: node, operations: recoveryOperations, logger: logger)
        if plan.kind.changesMaster, let kvPublisher, !analysis.clusterDetails.clusterAlias.isEmpty {
            let alias = analysis.clusterDetails.clusterAlias
            executor.afterPromotion = { [self] promoted in await self.kvPublishStep(promoted, alias: alias, through: kvPublisher) }
        }
        let ok = await executor.execute(plan, recovery: &recovery)
        recovery.resolve(successor: ok ? successor : nil, successful: ok, at: node.now)
        if let successor, ok {
            recovery.successorAlias = await node.inventory().instance(successor)?.instanceAlias ?? ""
        }
        if ok, plan.kind.changesMaster, let successor, let kvPublisher,
           !recovery.steps.contains(where: { $0.name == Self.kvPublishStepName && $0.ok }) {
            await publishMaster(successor, alias: analysis.clusterDetails.clusterAlias, through: kvPublisher,
                                recovery: &recovery)
        }
        let command = "recover \(analysis.analyzedInstanceKey) (resumed)"
        for phase in Self.postPhases(of: plan.kind, ok: ok)
        where !recovery.steps.contains(where: { $0.name == "hook \(phase.rawValue)" }) {
            _ = await runHooks(phase, command: command, recovery: &recovery)
        }
        await recordOutcome(recovery, ok: ok, label: "resumed recovery")
        await node.discovery.refresh(recovery.participatingInstanceKeys)
    }

    /// The post hooks of a recovery of `kind`, as ``recover(_:)`` and the takeovers run them.
    static func postPhases(of kind: RecoveryPlan.Kind, ok: Bool) -> [HookPhase] {
        switch (kind, ok) {
        case (.gracefulMasterTakeover, true): return [.postGracefulTakeover]
        case (.gracefulMasterTakeover, false): return [.postUnsuccessfulGracefulTakeover]
        case (_, false): return [.postUnsuccessfulFailover]
        case (.intermediateMasterRecovery, true): return [.postIntermediateMasterFailover, .postFailover]
        case (.nonWriteableMaster, true): return [.postFailover]
        case (.masterFailover, true): return [.postMasterFailover, .postFailover]
        }
    }
}
