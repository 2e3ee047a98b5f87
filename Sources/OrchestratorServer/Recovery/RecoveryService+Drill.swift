import Foundation

/// What `drill` did.
public enum DrillOutcome: Sendable {
    /// `--noop`, or a refusal (`plan.refusals`).
    case planned(DrillPlan)
    case ran(DrillReport)
}

extension RecoveryService {
    /// `drill`: plans (``DrillPlanner``) and, unless `dryRun`, runs a failover drill on cluster
    /// `clusterHint` (leader only: the API forwards it like any write). Each switch is an ordinary
    /// graceful takeover (`-auto`, command "drill": audited, hooks run), measured by the drill's own
    /// write probe (``DrillWriteProbe``); the invariants are checked at the end.
    public func drill(clusterHint: String, target: InstanceKey?, dryRun: Bool) async -> DrillOutcome {
        var inventory = await node.inventory()
        if let cluster = inventory.cluster(forHint: clusterHint, defaultPort: node.settings.defaultInstancePort) {
            await node.discovery.refresh(cluster.members)
            inventory = await node.inventory()
        }
        let analyses = await node.analyze()
        let summary = inventory.cluster(forHint: clusterHint, defaultPort: node.settings.defaultInstancePort)
        let name = summary?.clusterName ?? clusterHint
        let plan = DrillPlanner.plan(
            clusterName: name, clusterAlias: summary?.clusterAlias ?? "", members: inventory.instances(inCluster: name),
            master: inventory.master(ofCluster: name), target: target, analyses: analyses, operatorState: node.intent,
            recoveryPeriodBlockSeconds: node.settings.recoveryPeriodBlockSeconds, now: node.now,
            settings: node.settings.promotion)
        if dryRun || !plan.isExecutable { return .planned(plan) }
        return .ran(await runDrill(plan, members: inventory.instances(inCluster: name).map(\.key)))
    }

    private func runDrill(_ plan: DrillPlan, members: [InstanceKey]) async -> DrillReport {
        let drillID = UUID().uuidString
        let origin = ContinuousClock.now
        let config = node.discovery.settings.mysql
        let probe = DrillWriteProbe(drillID: drillID, config: config, candidates: [plan.master].compactMap { $0 }
                                    + plan.switches.map(\.to), origin: origin)
        var probeState = DrillReport.Probe(enabled: false)
        var probeTask: Task<Void, Never>?
        if let master = plan.master {
            if let reason = await probe.prepare(master: master) {
                probeState.skippedReason = reason
                logger.warning("drill \(drillID) of \(plan.clusterName): write probe skipped: \(reason)")
            } else {
                probeState.enabled = true
                probeTask = Task { await probe.run() }
            }
        }
        logger.notice("drill \(drillID) of \(plan.clusterName): \(plan.switches.map { "\($0.from) -> \($0.to)" }.joined(separator: ", "))")
        if probeState.enabled { try? await Task.sleep(for: .milliseconds(300)) }
        var results: [DrillReport.SwitchResult] = []
        for (index, step) in plan.switches.enumerated() {
            if index > 0 {
                // The previous master must replicate from the new one before it can take the role back.
                await waitUntilReplicating(step.to, from: step.from, seconds: 30)
            }
            let start = await probe.millis()
            let outcome = await gracefulTakeover(master: step.from, designated: step.to, auto: true, command: "drill")
            let end = await probe.millis()
            var result = DrillReport.SwitchResult(from: step.from, to: step.to, succeeded: false, recoveryUID: "",
                                                  durationMillis: Int((end - start).rounded()), writeUnavailableMillis: nil,
                                                  catchUpMillis: nil, hooks: [], errors: [])
            switch outcome {
            case .recovered(let record), .unsuccessful(let record):
                if case .recovered = outcome { result.succeeded = true }
                result.recoveryUID = record.uid
                result.errors = record.allErrors
                result.hooks = record.steps.filter { $0.name.hasPrefix("hook ") }.map {
                    "\($0.name.dropFirst(5)): \($0.detail) (\($0.ok ? "ok" : "failed: \($0.error)"))"
                }
            case .planned:
                result.errors = ["the takeover only planned"]
            case .failed(let reason):
                result.errors = [reason]
            }
            if result.succeeded && probeState.enabled {
                let lastAcked = await probe.lastAckedSeq
                result.catchUpMillis = await catchUp(probe, upTo: lastAcked, on: members.filter { $0 != step.to },
                                                     since: end, seconds: 30)
                if result.catchUpMillis == nil { result.errors.append("replicas did not catch up with the probe within 30 s") }
                // Let the probe write on the new master before measuring the gap.
                try? await Task.sleep(for: .milliseconds(200))
                result.writeUnavailableMillis = DrillReport.writeUnavailability(
                    acks: await probe.acks.map(\.at), start: start, end: end)
            }
            results.append(result)
            if !result.succeeded { break }
        }
        probeTask?.cancel()
        await probeTask?.value
        let expected = results.last.map { $0.succeeded ? $0.to : $0.from }
        var invariants: [DrillReport.Invariant] = []
        invariants.append(await writableInvariant(members: members, expected: expected))
        if let expected {
            invariants.append(await replicatingInvariant(members: members, master: expected))
        }
        if probeState.enabled, let expected {
            let acked = await probe.acks
            probeState.attempts = await probe.attempts
            probeState.acknowledged = acked.count
            do {
                let present = try await probe.sequences(on: expected)
                let lost = acked.filter { !present.contains($0.seq) }
                probeState.lost = lost.count
                invariants.append(.init("no acknowledged probe write lost", held: lost.isEmpty,
                                        lost.isEmpty ? "all \(acked.count) acknowledged rows are on \(expected)"
                                            : "\(lost.count) acknowledged rows missing on \(expected): seq \(lost.prefix(10).map { String($0.seq) }.joined(separator: ","))"))
            } catch {
                invariants.append(.init("no acknowledged probe write lost", held: false, "cannot read the probe rows on \(expected): \(error)"))
            }
        }
        await probe.closeAll()
        let report = DrillReport(drillID: drillID, clusterName: plan.clusterName, switches: results, probe: probeState,
                                 invariants: invariants, finalMaster: expected)
        logger.notice("drill \(drillID) of \(plan.clusterName): \(report.passed ? "passed" : "FAILED")")
        return report
    }

    /// Polls until `replica` is probed replicating (both threads) from `master`.
    private func waitUntilReplicating(_ replica: InstanceKey, from master: InstanceKey, seconds: Double) async {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            await node.discovery.refresh([replica, master])
            if let instance = await node.discovery.instance(replica), instance.masterKey == master,
               instance.replicationIOThreadRunning, instance.replicationSQLThreadRunning { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Milliseconds from `since` until every one of `servers` holds probe row `seq`; nil on timeout.
    private func catchUp(_ probe: DrillWriteProbe, upTo seq: Int64, on servers: [InstanceKey], since: Double,
                         seconds: Double) async -> Int? {
        var pending = Set(servers)
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while !pending.isEmpty, ContinuousClock.now < deadline {
            for key in pending {
                let held = (try? await probe.maxSeq(on: key)) ?? -1
                if held >= seq { pending.remove(key) }
            }
            if !pending.isEmpty { try? await Task.sleep(for: .milliseconds(10)) }
        }
        guard pending.isEmpty else { return nil }
        return Int(max(0, await probe.millis() - since).rounded())
    }

    /// Exactly one server of the cluster answers writable, and it is `expected`.
    private func writableInvariant(members: [InstanceKey], expected: InstanceKey?) async -> DrillReport.Invariant {
        var config = node.discovery.settings.mysql
        config.readTimeoutSeconds = 3
        var writable: [InstanceKey] = []
        var unreachable: [String] = []
        for key in members.sorted() {
            do {
                let connection = try await MySQLConnection.connect(to: MySQLEndpoint(host: key.hostname, port: key.port), config: config)
                let readOnly = try await connection.query("SELECT @@global.read_only AS r").first?.int("r") ?? 1
                await connection.close()
                if readOnly == 0 { writable.append(key) }
            } catch {
                unreachable.append("\(key) (\(error))")
            }
        }
        let held = expected != nil && writable == [expected!] && unreachable.isEmpty
        var detail = "writable: \(writable.isEmpty ? "none" : writable.map(\.description).joined(separator: ", "))"
        if !unreachable.isEmpty { detail += "; unreachable: \(unreachable.joined(separator: "; "))" }
        return .init("one writable master", held: held, detail)
    }

    /// Every other server replicates (both threads) in a chain that leads to `master`, within 30 s.
    private func replicatingInvariant(members: [InstanceKey], master: InstanceKey) async -> DrillReport.Invariant {
        let deadline = ContinuousClock.now + .seconds(30)
        var problems: [String] = []
        repeat {
            await node.discovery.refresh(members)
            let inventory = await node.inventory()
            problems = []
            for key in members.sorted() where key != master {
                guard let instance = inventory.instance(key) else {
                    problems.append("\(key) unknown")
                    continue
                }
                if !(instance.replicationIOThreadRunning && instance.replicationSQLThreadRunning) {
                    problems.append("\(key) not replicating")
                }
                var hop = instance.masterKey
                var depth = 0
                while let h = hop, h != master, depth < 16 {
                    hop = inventory.instance(h)?.masterKey
                    depth += 1
                }
                if hop != master { problems.append("\(key) does not replicate (through its chain) from \(master)") }
            }
            if problems.isEmpty { break }
            try? await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < deadline
        return .init("every replica replicates from the master", held: problems.isEmpty,
                     problems.isEmpty ? "\(members.count - 1) replicas replicate from \(master)" : problems.joined(separator: "; "))
    }
}
