/// Routes that change replicated operator intent: run on the leader, proposed through Raft.
struct IntentController: APIController {
    func register(into routes: inout APIRoutes) {
        routes.add("/api/discover/:host/:port", mutating: true) { ctx in
            await ctx.withKey { key in
                let instance: Instance
                do {
                    instance = try await ctx.node.discovery.discover(key)
                } catch {
                    return .error("Cannot discover \(key): \(error)")
                }
                if let failure = await ctx.submit(.discover(key: key)) { return failure }
                return .ok("Instance discovered: \(key)", details: await ctx.node.inventory().instance(key) ?? instance)
            }
        }
        // Upstream queues the probe and answers at once; the discover intent is replicated the same way.
        routes.add("/api/async-discover/:host/:port", mutating: true) { ctx in
            await ctx.withKey { key in
                if let failure = await ctx.submit(.discover(key: key)) { return failure }
                return .ok("Asynchronous discovery initiated for Instance: \(key)", details: key)
            }
        }
        routes.add("/api/forget/:host/:port", mutating: true) { ctx in
            await ctx.withKey { key in
                if let failure = await ctx.submit(.forget(keys: [key])) { return failure }
                await ctx.node.discovery.forget(key)  // read-your-writes on the serving node
                return .ok("Instance forgotten: \(key)", details: key)
            }
        }
        routes.add("/api/forget-cluster/:clusterHint", mutating: true) { ctx in
            await ctx.withCluster { inventory, name in
                let keys = inventory.instances(inCluster: name).map(\.key)
                if let failure = await ctx.submit(.forget(keys: keys)) { return failure }
                for key in keys { await ctx.node.discovery.forget(key) }
                return .ok("Cluster forgotten: \(name)", details: keys)
            }
        }
        for pattern in ["/api/begin-downtime/:host/:port/:owner/:reason/:duration",
                        "/api/begin-downtime/:host/:port/:owner/:reason"] {
            routes.add(pattern, mutating: true) { ctx in
                await ctx.withKey { key in
                    let owner = ctx.parameters["owner"] ?? ""
                    let reason = ctx.parameters["reason"] ?? ""
                    guard !owner.isEmpty, !reason.isEmpty else {
                        return .error("begin-downtime needs an owner and a reason", status: 400)
                    }
                    let durationText = ctx.parameters["duration"] ?? ctx.request.query["duration"] ?? "10m"
                    guard let seconds = DurationText.seconds(durationText), seconds > 0 else {
                        return .error("invalid duration \"\(durationText)\": use e.g. 30s, 10m, 2h, 1d", status: 400)
                    }
                    let now = ctx.node.now
                    let downtime = Downtime(key: key, owner: owner, reason: reason, begin: now, end: now.adding(seconds: seconds))
                    if let failure = await ctx.submit(.beginDowntime(downtime)) { return failure }
                    return .ok("Downtime begun: \(key)", details: key)
                }
            }
        }
        routes.add("/api/end-downtime/:host/:port", mutating: true) { ctx in
            await ctx.withKey { key in
                if let failure = await ctx.submit(.endDowntime(key: key)) { return failure }
                return .ok("Downtime ended: \(key)", details: key)
            }
        }
        routes.add("/api/register-candidate/:host/:port/:promotionRule", mutating: true) { ctx in
            await ctx.withKey { key in
                let ruleText = ctx.parameters["promotionRule"] ?? ""
                guard let rule = PromotionRule(rawValue: ruleText), rule != .must else {
                    return .error("invalid promotion rule \"\(ruleText)\": use prefer, neutral, prefer_not or must_not",
                                  status: 400)
                }
                let now = ctx.node.now
                let registration = CandidateRegistration(
                    key: key, promotionRule: rule, registeredAt: now,
                    until: now.adding(seconds: Int64(ctx.node.settings.candidateExpirySeconds)))
                if let failure = await ctx.submit(.registerCandidate(registration)) { return failure }
                return .ok("Registered candidate: \(key) \(rule.rawValue)", details: key)
            }
        }
        routes.add("/api/disable-global-recoveries", mutating: true) { ctx in
            if let failure = await ctx.submit(.setGlobalRecoveriesDisabled(true)) { return failure }
            return .ok("Globally disabled recoveries")
        }
        routes.add("/api/enable-global-recoveries", mutating: true) { ctx in
            if let failure = await ctx.submit(.setGlobalRecoveriesDisabled(false)) { return failure }
            return .ok("Globally enabled recoveries")
        }
        routes.add("/api/check-global-recoveries") { ctx in
            .ok(ctx.node.intent.globalRecoveriesDisabled ? "disabled" : "enabled",
                details: ctx.node.intent.globalRecoveriesDisabled ? "disabled" : "enabled")
        }
        routes.add("/api/set-cluster-alias/:clusterHint", mutating: true) { ctx in
            await ctx.withCluster { _, name in
                let alias = ctx.request.query["alias"] ?? ""
                if let failure = await ctx.submit(.setClusterAliasOverride(clusterName: name, alias: alias)) { return failure }
                return .ok(alias.isEmpty ? "Cluster alias override cleared: \(name)" : "Cluster alias set: \(name) is \(alias)",
                           details: alias)
            }
        }
    }
}

extension APIContext {
    /// Runs `body` with `:host/:port` parsed, or answers 400.
    func withKey(_ body: (InstanceKey) async -> APIResponse) async -> APIResponse {
        switch instanceKey() {
        case .failure(let failure): return failure.response
        case .success(let key): return await body(key)
        }
    }

    /// Proposes `command`; nil on success, else the error response.
    func submit(_ command: IntentCommand) async -> APIResponse? {
        do {
            try await node.submit(command)
            return nil
        } catch {
            return .error("cannot apply the change through raft: \(error)", status: 503)
        }
    }
}

/// Durations as operators write them: `90`, `30s`, `10m`, `2h`, `1d`, or combinations like `1h30m`.
enum DurationText {
    static func seconds(_ text: String) -> Int64? {
        if let plain = Int64(text) { return plain }
        var total: Int64 = 0
        var number = ""
        for ch in text {
            if ch.isNumber {
                number.append(ch)
                continue
            }
            guard let value = Int64(number) else { return nil }
            switch ch {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86_400
            default: return nil
            }
            number = ""
        }
        return number.isEmpty ? total : nil
    }
}
