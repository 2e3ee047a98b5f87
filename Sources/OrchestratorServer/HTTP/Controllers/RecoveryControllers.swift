import Foundation

/// Failure analysis, failover preview, recovery audit and acknowledgements.
struct RecoveryController: APIController {
    func register(into routes: inout APIRoutes) {
        routes.add("/api/replication-analysis") { ctx in
            .ok("Analysis", details: await ctx.node.analyze())
        }
        routes.add("/api/replication-analysis/:clusterHint") { ctx in
            await ctx.withCluster { _, name in
                .ok("Analysis", details: await ctx.node.analyze().filter { $0.clusterDetails.clusterName == name })
            }
        }
        routes.add("/api/failover-plan/:clusterHint") { ctx in
            await ctx.withCluster { inventory, name in
                guard let master = inventory.master(ofCluster: name) else {
                    return .error("cluster \(name) has no known master to plan a failover for", status: 404)
                }
                guard let plan = RecoveryPlanner.hypotheticalFailover(
                    of: master.key, instances: inventory.instances, operatorState: ctx.node.intent,
                    now: ctx.node.now, settings: ctx.node.settings.promotion)
                else { return .error("cannot plan a failover of \(master.key)") }
                if ctx.request.query["format"] == "json" { return .ok("Failover plan for \(name)", details: plan) }
                return .ok("Failover plan for \(name)", details: plan.explain)
            }
        }
        // This node probes the instance now and says whether it answers (asked by the leader before
        // an automated master failover; see SecondOpinion).
        routes.add("/api/second-opinion/:host/:port") { ctx in
            switch ctx.instanceKey() {
            case .failure(let failure): return failure.response
            case .success(let key):
                guard await ctx.node.discovery.instance(key) != nil else { return .instanceNotFound(key) }
                _ = await ctx.node.discovery.refresh([key])
                guard let instance = await ctx.node.discovery.instance(key) else { return .instanceNotFound(key) }
                return .json(PeerOpinion(node: ctx.node.settings.raftID, key: key, reachable: instance.isLastCheckValid,
                                         readOnly: instance.readOnly, error: instance.isLastCheckValid ? "" : instance.lastError))
            }
        }
        // Detections this node made (newest first), allowed to recover or not; not replicated.
        routes.add("/api/audit-failure-detection") { ctx in
            .json(Array((await ctx.recovery?.detections() ?? []).reversed()))
        }
        routes.add("/api/audit-failure-detection/alias/:clusterAlias") { ctx in
            let alias = ctx.parameters["clusterAlias"] ?? ""
            return .json((await ctx.recovery?.detections() ?? []).reversed().filter {
                $0.analysisEntry.clusterDetails.clusterAlias == alias || $0.analysisEntry.clusterDetails.clusterName == alias
            })
        }
        routes.add("/api/audit-recovery") { ctx in
            .json(Array(ctx.node.intent.recoveries.reversed()))
        }
        routes.add("/api/audit-recovery/cluster/:clusterHint") { ctx in
            let hint = ctx.parameters["clusterHint"] ?? ""
            let inventory = await ctx.node.inventory()
            let name = inventory.cluster(forHint: hint, defaultPort: ctx.node.settings.defaultInstancePort)?.clusterName ?? hint
            return .json(ctx.node.intent.recoveries.reversed().filter { $0.clusterName == name || $0.clusterAlias == hint })
        }
        routes.add("/api/audit-recovery/id/:uid") { ctx in
            let uid = ctx.parameters["uid"] ?? ""
            guard let recovery = ctx.node.intent.recoveries.first(where: { $0.uid == uid || String($0.id) == uid }) else {
                return .error("no recovery \(uid)", status: 404)
            }
            return .json(recovery)
        }
        routes.add("/api/ack-recovery/cluster/:clusterHint", mutating: true) { ctx in
            await ctx.withComment { comment in
                let hint = ctx.parameters["clusterHint"] ?? ""
                let inventory = await ctx.node.inventory()
                let cluster = inventory.cluster(forHint: hint, defaultPort: ctx.node.settings.defaultInstancePort)
                let name = cluster?.clusterName ?? hint
                return await ctx.acknowledge(.cluster(name: name, alias: cluster?.clusterAlias ?? hint), comment: comment,
                                             what: "cluster \(name)")
            }
        }
        routes.add("/api/ack-recovery/instance/:host/:port", mutating: true) { ctx in
            await ctx.withComment { comment in
                await ctx.withKey { key in await ctx.acknowledge(.instance(key), comment: comment, what: "\(key)") }
            }
        }
        routes.add("/api/ack-recovery/:uid", mutating: true) { ctx in
            await ctx.withComment { comment in
                let uid = ctx.parameters["uid"] ?? ""
                return await ctx.acknowledge(.uid(uid), comment: comment, what: "recovery \(uid)")
            }
        }
        routes.add("/api/ack-all-recoveries", mutating: true) { ctx in
            await ctx.withComment { comment in await ctx.acknowledge(.all, comment: comment, what: "all recoveries") }
        }
    }
}

extension APIContext {
    /// The operator behind the request: the basic-auth user, else "orchestrator-client".
    var requestingUser: String {
        guard let header = request.headers["authorization"] ?? request.headers["Authorization"],
              header.lowercased().hasPrefix("basic "),
              let data = Data(base64Encoded: String(header.dropFirst(6))),
              let text = String(data: data, encoding: .utf8),
              let user = text.split(separator: ":", maxSplits: 1).first, !user.isEmpty
        else { return "orchestrator-client" }
        return String(user)
    }

    /// Runs `body` with the required `comment` query parameter, or answers 400.
    func withComment(_ body: (String) async -> APIResponse) async -> APIResponse {
        guard let comment = request.query["comment"], !comment.isEmpty else {
            return .error("acknowledging needs a comment: add ?comment=... (orchestrator-client -r REASON)", status: 400)
        }
        return await body(comment)
    }

    func acknowledge(_ selector: RecoveryAcknowledgement.Selector, comment: String, what: String) async -> APIResponse {
        let before = node.intent.recoveries.filter { !$0.acknowledged }.count
        let ack = RecoveryAcknowledgement(selector: selector, owner: requestingUser, comment: comment, at: node.now)
        if let failure = await submit(.acknowledgeRecoveries(ack)) { return failure }
        let acknowledged = before - node.intent.recoveries.filter { !$0.acknowledged }.count
        return .ok("Acknowledged \(what): \(acknowledged) recoveries", details: acknowledged)
    }
}

/// Manual recoveries: `recover`, `force-master-failover`. Run on the leader; `?noop=true` plans only.
struct FailoverController: APIController {
    func register(into routes: inout APIRoutes) {
        for pattern in ["/api/recover/:host/:port", "/api/recover/:host/:port/:candidateHost/:candidatePort",
                        "/api/recover-lite/:host/:port"] {
            routes.add(pattern, mutating: true) { ctx in
                await ctx.withKey { key in
                    let analyses = await ctx.node.analyze()
                    guard let analysis = analyses.first(where: { $0.analyzedInstanceKey == key && $0.isActionableRecovery })
                    else {
                        return .error("no actionable failure detected on \(key); nothing to recover "
                            + "(force-master-failover forces a failover of a healthy master)", status: 409)
                    }
                    var candidate: InstanceKey?
                    if ctx.parameters["candidateHost"] != nil {
                        switch ctx.instanceKey(host: "candidateHost", port: "candidatePort") {
                        case .failure(let failure): return failure.response
                        case .success(let key): candidate = key
                        }
                    }
                    return await ctx.runRecovery(analysis, command: "recover", candidate: candidate)
                }
            }
        }
        routes.add("/api/force-master-failover/:clusterHint", mutating: true) { ctx in
            await ctx.withCluster { inventory, name in
                guard let master = inventory.master(ofCluster: name) else {
                    return .error("cluster \(name) has no known master", status: 404)
                }
                var analysis = inventory.operatorAnalysis(
                    ofMaster: master, recovery: ctx.node.settings.recoveryFilters, command: "force-master-failover")
                analysis.analysis = .deadMaster
                analysis.isActionableRecovery = true
                return await ctx.runRecovery(analysis, command: "force-master-failover")
            }
        }
        // Promote the designated direct replica now, master alive or not; no graceful wait.
        routes.add("/api/force-master-takeover/:clusterHint/:designatedHost/:designatedPort", mutating: true) { ctx in
            await ctx.withCluster { inventory, name in
                guard let master = inventory.master(ofCluster: name) else {
                    return .error("cluster \(name) has no known master", status: 404)
                }
                let designated: InstanceKey
                switch ctx.instanceKey(host: "designatedHost", port: "designatedPort") {
                case .failure(let failure): return failure.response
                case .success(let key): designated = key
                }
                guard let recovery = ctx.recovery else { return .error("recovery is not running on this node", status: 503) }
                let command = "force-master-takeover"
                switch await recovery.forceTakeover(master: master.key, designated: designated, command: command,
                                                    dryRun: ctx.isNoop) {
                case .planned(let plan):
                    return .ok("Dry run: \(command) of \(master.key) would run:", details: plan.explain)
                case .recovered(let record):
                    return .ok("\(command): \(record.successorKey?.description ?? "-") is the new master of \(name)",
                               details: record)
                case .unsuccessful(let record):
                    return APIResponse.envelope(code: "ERROR", message: "\(command) of \(master.key) failed: "
                        + record.allErrors.joined(separator: "; "), details: record, status: 500)
                case .failed(let reason):
                    return .error("\(command) of \(master.key) refused: \(reason)", status: 409)
                }
            }
        }
    }
}

extension APIContext {
    var isNoop: Bool { ["true", "1", "yes"].contains((request.query["noop"] ?? "").lowercased()) }

    func runRecovery(_ analysis: ReplicationAnalysis, command: String, candidate: InstanceKey? = nil) async -> APIResponse {
        guard let recovery else { return .error("recovery is not running on this node", status: 503) }
        let decision = RecoveryPolicy.decide(
            analysis, trigger: .manual, filters: node.settings.recoveryFilters, operatorState: node.intent,
            recentRecoveries: node.intent.recoveries, recoveryPeriodBlockSeconds: node.settings.recoveryPeriodBlockSeconds,
            now: node.now)
        guard decision.shouldRecover else { return .error("not recovering: \(decision)", status: 409) }
        switch await recovery.recover(analysis, trigger: .manual, command: command, candidate: candidate, dryRun: isNoop) {
        case .planned(let plan):
            return .ok("Dry run: \(command) of \(analysis.analyzedInstanceKey) would run:", details: plan.explain)
        case .recovered(let record):
            return .ok("Recovered \(analysis.analyzedInstanceKey): promoted \(record.successorKey?.description ?? "-")",
                       details: record)
        case .unsuccessful(let record):
            return APIResponse.envelope(code: "ERROR", message: "Recovery of \(analysis.analyzedInstanceKey) failed: "
                + record.allErrors.joined(separator: "; "), details: record, status: 500)
        case .failed(let reason):
            return .error(reason)
        }
    }
}

/// Graceful takeovers: the master is alive and hands over without losing writes.
struct TakeoverController: APIController {
    func register(into routes: inout APIRoutes) {
        for (name, auto) in [("graceful-master-takeover", false), ("graceful-master-takeover-auto", true)] {
            for suffix in ["", "/:designatedHost/:designatedPort"] {
                routes.add("/api/\(name)/:clusterHint\(suffix)", mutating: true) { ctx in
                    await ctx.withCluster { inventory, cluster in
                        guard let master = inventory.master(ofCluster: cluster) else {
                            return .error("cluster \(cluster) has no known master", status: 404)
                        }
                        var designated: InstanceKey?
                        if ctx.parameters["designatedHost"] != nil {
                            switch ctx.instanceKey(host: "designatedHost", port: "designatedPort") {
                            case .failure(let failure): return failure.response
                            case .success(let key): designated = key
                            }
                        }
                        guard let recovery = ctx.recovery else { return .error("recovery is not running on this node", status: 503) }
                        switch await recovery.gracefulTakeover(master: master.key, designated: designated, auto: auto,
                                                               command: name, dryRun: ctx.isNoop) {
                        case .planned(let plan):
                            return .ok("Dry run: \(name) of \(master.key) would run:", details: plan.explain)
                        case .recovered(let record):
                            return .ok("\(name): \(record.successorKey?.description ?? "-") is the new master of \(cluster)",
                                       details: record)
                        case .unsuccessful(let record):
                            return APIResponse.envelope(code: "ERROR", message: "\(name) of \(master.key) failed: "
                                + record.allErrors.joined(separator: "; "), details: record, status: 500)
                        case .failed(let reason):
                            return .error("\(name) of \(master.key) refused: \(reason)", status: 409)
                        }
                    }
                }
            }
        }
    }
}

/// Failover drills: a graceful takeover to a replica and back (or to `-d` only) under a write probe,
/// on a healthy cluster. Run on the leader; `?noop=true` prints the plan.
struct DrillController: APIController {
    func register(into routes: inout APIRoutes) {
        for suffix in ["", "/:designatedHost/:designatedPort"] {
            routes.add("/api/drill/:clusterHint\(suffix)", mutating: true) { ctx in
                await ctx.withCluster { _, cluster in
                    var target: InstanceKey?
                    if ctx.parameters["designatedHost"] != nil {
                        switch ctx.instanceKey(host: "designatedHost", port: "designatedPort") {
                        case .failure(let failure): return failure.response
                        case .success(let key): target = key
                        }
                    }
                    guard let recovery = ctx.recovery else { return .error("recovery is not running on this node", status: 503) }
                    switch await recovery.drill(clusterHint: cluster, target: target, dryRun: ctx.isNoop) {
                    case .planned(let plan) where !plan.refusals.isEmpty:
                        return APIResponse.envelope(code: "ERROR", message: "drill of \(cluster) refused: "
                            + plan.refusals.joined(separator: "; "), details: plan, status: 409)
                    case .planned(let plan):
                        return .ok("Dry run: drill of \(cluster) would run:", details: plan.explain)
                    case .ran(let report) where report.passed:
                        return .ok("Drill of \(cluster) passed", details: report)
                    case .ran(let report):
                        let failures = report.switches.flatMap(\.errors)
                            + report.invariants.filter { !$0.held }.map { "\($0.name) broken: \($0.detail)" }
                        return APIResponse.envelope(code: "ERROR", message: "drill \(report.drillID) of \(cluster) failed: "
                            + failures.joined(separator: "; "), details: report, status: 500)
                    }
                }
            }
        }
    }
}
