import Foundation

/// Replication control (`stop-replica`, `set-writeable`, `delay-replication`, ...) and GTID hygiene
/// (`locate-gtid-errant`, `gtid-errant-inject-empty`, `gtid-errant-reset-master`) at upstream's paths,
/// `/api/<command>/:host/:port`; every "replica" path also answers with "slave" (see `APIRouter`).
///
/// Changes run on the Raft leader (followers proxy) after it confirms its leadership with a quorum.
/// Each answers upstream's envelope with the instance re-probed after the change as `Details`;
/// `?noop=true` answers the statements it would run (`Details`: a list of strings) and changes nothing.
/// Refusals (409) say why and what to do; instances under downtime may still be operated on by hand.
///
/// The decisions (which steps, which refusals) are ``ReplicationControlPlanner``'s; the handlers parse,
/// read the replica status, plan, run the plan through ``ReplicationOperations`` and render.
/// `start-replica` and `restart-replica` answer once both threads run, or fail with the reason
/// (`?timeout=` seconds bounds the wait, default 10).
struct ReplicationControlController: APIController {
    func register(into routes: inout APIRoutes) {
        for command in ReplicationControlCommand.allCases {
            routes.add("/api/\(command.rawValue)/:host/:port", mutating: true) { ctx in
                await ctx.runControl(.command(command))
            }
        }
        routes.add("/api/delay-replication/:host/:port/:seconds", mutating: true) { ctx in
            let text = ctx.parameters["seconds"] ?? ""
            guard let seconds = Int(text), (0...Int(Int32.max)).contains(seconds) else {
                return .error("invalid delay \"\(text)\": expected whole seconds from 0 to \(Int32.max) (0 removes the delay)",
                              status: 400)
            }
            return await ctx.runControl(.delayReplication(seconds: seconds))
        }
        routes.add("/api/purge-binary-logs/:host/:port/:logFile", mutating: true) { ctx in
            let file = ctx.parameters["logFile"] ?? ""
            guard !file.isEmpty, file.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
                return .error("invalid binary log name \"\(file)\": expected a file name such as binlog.000042", status: 400)
            }
            return await ctx.runControl(.purgeBinaryLogs(to: BinlogFileName(file)))
        }
        routes.add("/api/change-master-credentials/:host/:port", mutating: true) { ctx in
            await ctx.runControl(.changeMasterCredentials)
        }
        routes.add("/api/restart-replica-statements/:host/:port") { ctx in
            await ctx.withInstance { instance in
                guard let query = ctx.request.query["q"], !query.isEmpty else {
                    return .error("restart-replica-statements needs the query to wrap: add ?q=... (orchestrator-client -q)",
                                  status: 400)
                }
                guard let ops = ctx.recovery?.operations else {
                    return .error("replication operations are not running on this node", status: 503)
                }
                do {
                    guard let statements = try await ops.restartReplicaStatements(instance.key, query: query) else {
                        return .error("\(instance.key) is not a replica (SHOW SLAVE STATUS is empty)", status: 409)
                    }
                    return .ok("statements for: \(instance.key)", details: statements)
                } catch {
                    return APIContext.failure(error, command: "restart-replica-statements", key: instance.key)
                }
            }
        }
    }
}

extension APIContext {
    /// The operator's options: `?force=true`; `?timeout=` seconds bounds `stop-replica-nice`'s wait for
    /// the SQL thread and `start-replica`'s wait for both threads (default 10, at most an hour).
    private var controlOptions: ReplicationControlOptions {
        let timeout = Double(request.query["timeout"] ?? "").flatMap { $0.isFinite && $0 >= 0 ? min($0, 3600) : nil } ?? 10
        return ReplicationControlOptions(force: flag("force"), niceStopTimeoutSeconds: timeout, startTimeoutSeconds: timeout)
    }

    func flag(_ name: String) -> Bool { ["true", "1", "yes"].contains((request.query[name] ?? "").lowercased()) }

    // MARK: - Running one operation

    /// The common path of every control route: parse `:host/:port` (400), find the instance (404),
    /// read its replica status, plan (refusals 409), then either show the statements (`?noop=true`)
    /// or confirm leadership, run the plan, re-probe and answer the instance.
    func runControl(_ request: ReplicationControlRequest) async -> APIResponse {
        let command = request.name
        let key: InstanceKey
        switch instanceKey() {
        case .failure(let failure): return failure.response
        case .success(let k): key = k
        }
        let inventory = await node.inventory()
        guard let instance = inventory.instance(key) else { return .instanceNotFound(key) }
        guard let ops = recovery?.operations else {
            return .error("\(command): replication operations are not running on this node", status: 503)
        }
        let status: ReplicaStatus?
        do { status = try await ops.replicaStatus(key) } catch { return Self.failure(error, command: command, key: key) }
        let plan: ReplicationControlPlan
        switch ReplicationControlPlanner.plan(request, instance: instance, replica: status?.threads, inventory: inventory,
                                              options: controlOptions) {
        case .failure(let refusal): return .error(refusal.message, status: 409)
        case .success(let p): plan = p
        }
        if isNoop {
            do {
                let results = try await ops.dryRun().execute(plan)
                return .ok("Dry run: \(command) on \(key) would run:", details: results.flatMap(\.statements))
            } catch {
                return Self.failure(error, command: command, key: key)
            }
        }
        if let failure = await confirmLeadership(command) { return failure }
        let results: [OperationResult]
        do { results = try await ops.execute(plan) } catch { return Self.failure(error, command: command, key: key) }
        let fresh = await reprobe(key) ?? instance
        let notes = results.compactMap(\.note)
        let note = notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"
        return .ok("\(plan.done): \(key)\(note)", details: fresh)
    }

    /// nil when this node leads with a quorum now; else a 503 (nothing was changed).
    func confirmLeadership(_ command: String) async -> APIResponse? {
        do {
            try await node.raft.confirmLeadership()
            return nil
        } catch {
            return .error("\(command) not run: this node could not confirm raft leadership with a quorum (\(error))", status: 503)
        }
    }

    /// Probes `key` and its master now (errant GTIDs are relative to the master), so the answer shows
    /// the state after the change.
    func reprobe(_ key: InstanceKey) async -> Instance? {
        let master = await node.inventory().instance(key)?.masterKey
        await node.discovery.refresh([key] + (master.map { [$0] } ?? []))
        return await node.inventory().instance(key)
    }

    /// An operation's error as an envelope: MySQL errors 500 (instance, statement kind, code, message),
    /// refused values 400, impossible operations 409, timeouts 504.
    static func failure(_ error: any Error, command: String, key: InstanceKey) -> APIResponse {
        guard let e = error as? ReplicationOperationError else {
            return .error("\(command) on \(key) failed: \(error)")
        }
        let status: Int
        switch e.reason {
        case .mysql: status = 500
        case .invalidValue: status = 400
        case .unsupported, .unexpectedState: status = 409
        case .timeout: status = 504
        }
        return .error("\(command) on \(key): \(e.description)", status: status)
    }
}
