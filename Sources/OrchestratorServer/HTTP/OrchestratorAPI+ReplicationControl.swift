import Foundation

/// Replication control (`stop-replica`, `set-writeable`, `delay-replication`, ...) and GTID hygiene
/// (`locate-gtid-errant`, `gtid-errant-inject-empty`, `gtid-errant-reset-master`) at upstream's paths,
/// `/api/<command>/:host/:port`; every "replica" path also answers with "slave" (see `APIRouter`).
///
/// Changes run on the Raft leader (followers proxy) after it confirms its leadership with a quorum.
/// Each answers upstream's envelope with the instance re-probed after the change as `Details`;
/// `?noop=true` answers the statements it would run (`Details`: a list of strings) and changes nothing.
/// Refusals (409) say why and what to do; instances under downtime may still be operated on by hand.
struct ReplicationControlController: APIController {
    func register(into routes: inout APIRoutes) {
        for command in ReplicationControlCommand.allCases {
            routes.add("/api/\(command.rawValue)/:host/:port", mutating: true) { ctx in
                await ctx.replicationControl(command)
            }
        }
        routes.add("/api/delay-replication/:host/:port/:seconds", mutating: true) { ctx in
            let text = ctx.parameters["seconds"] ?? ""
            guard let seconds = Int(text), (0...Int(Int32.max)).contains(seconds) else {
                return .error("invalid delay \"\(text)\": expected whole seconds from 0 to \(Int32.max) (0 removes the delay)",
                              status: 400)
            }
            return await ctx.runControl("delay-replication", done: "Replication delay set to \(seconds)s", needsReplica: true) {
                ops, key, _ in try await ops.setReplicationDelay(key, seconds: seconds)
            }
        }
        routes.add("/api/purge-binary-logs/:host/:port/:logFile", mutating: true) { ctx in
            let file = ctx.parameters["logFile"] ?? ""
            guard !file.isEmpty, file.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
                return .error("invalid binary log name \"\(file)\": expected a file name such as binlog.000042", status: 400)
            }
            let force = ctx.flag("force")
            return await ctx.runControl("purge-binary-logs", done: "Binary logs purged before \(file)", check: { instance, _, inventory in
                // A replica still reading an older file would lose its source (upstream's rule).
                let behind = inventory.replicas(of: instance.key).filter { $0.readBinlogCoordinates.logFile < file }
                guard !force, !behind.isEmpty else { return nil }
                return ControlRefusal(message: "refusing purge-binary-logs on \(instance.key) before \(file): replicas "
                    + behind.map { "\($0.key) (reading \($0.readBinlogCoordinates.logFile.isEmpty ? "unknown" : $0.readBinlogCoordinates.logFile))" }
                        .joined(separator: ", ")
                    + " still need older binary logs; add ?force=true to purge anyway")
            }) { ops, key, _ in try await ops.purgeBinaryLogs(key, to: file) }
        }
        routes.add("/api/change-master-credentials/:host/:port", mutating: true) { ctx in
            await ctx.runControl("change-master-credentials", done: "Replication credentials applied", needsReplica: true) {
                ops, key, _ in try await ops.changeMasterCredentials(key)
            }
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

/// The replication-control commands that take only an instance.
enum ReplicationControlCommand: String, CaseIterable, Sendable {
    case startReplica = "start-replica"
    case stopReplica = "stop-replica"
    case stopReplicaNice = "stop-replica-nice"
    case restartReplica = "restart-replica"
    case resetReplica = "reset-replica"
    case detachReplica = "detach-replica"
    case reattachReplica = "reattach-replica"
    case detachReplicaMasterHost = "detach-replica-master-host"
    case reattachReplicaMasterHost = "reattach-replica-master-host"
    case skipQuery = "skip-query"
    case setReadOnly = "set-read-only"
    case setWriteable = "set-writeable"
    case flushBinaryLogs = "flush-binary-logs"
    case enableSemiSyncMaster = "enable-semi-sync-master"
    case disableSemiSyncMaster = "disable-semi-sync-master"
    case enableSemiSyncReplica = "enable-semi-sync-replica"
    case disableSemiSyncReplica = "disable-semi-sync-replica"
}

/// What a safety check found: a refusal to answer instead of running the operation.
struct ControlRefusal: Sendable {
    var message: String
    var status: Int = 409
}

extension APIContext {
    /// How long `stop-replica-nice` lets the SQL thread apply its relay log (`?timeout=` seconds).
    private var niceStopTimeout: Double {
        Double(request.query["timeout"] ?? "").flatMap { $0.isFinite && $0 >= 0 ? min($0, 3600) : nil } ?? 10
    }

    func flag(_ name: String) -> Bool { ["true", "1", "yes"].contains((request.query[name] ?? "").lowercased()) }

    func replicationControl(_ command: ReplicationControlCommand) async -> APIResponse {
        let force = flag("force")
        switch command {
        case .startReplica:
            return await runControl(command.rawValue, done: "Replica started", needsReplica: true,
                                    check: { _, status, _ in Self.refuseDetached(status, command.rawValue) }) { ops, key, _ in
                try await ops.startReplication(key)
            }
        case .stopReplica:
            return await runControl(command.rawValue, done: "Replica stopped", needsReplica: true) { ops, key, _ in
                try await ops.stopReplication(key)
            }
        case .stopReplicaNice:
            let timeout = niceStopTimeout
            return await runControl(command.rawValue, done: "Replica stopped nicely", needsReplica: true) { ops, key, _ in
                try await ops.stopReplicationNicely(key, timeoutSeconds: timeout).result
            }
        case .restartReplica:
            return await runControl(command.rawValue, done: "Replica restarted", needsReplica: true,
                                    check: { _, status, _ in Self.refuseDetached(status, command.rawValue) }) { ops, key, _ in
                try await ops.restartReplication(key)
            }
        case .resetReplica:
            return await runControl(command.rawValue, done: "Replica reset", needsReplica: true, check: { instance, status, _ in
                guard let status, status.threadsActive else { return nil }
                return ControlRefusal(message: "refusing reset-replica on \(instance.key): replication is running "
                    + "(IO \(status.ioThread), SQL \(status.sqlThread)); stop it first with stop-replica "
                    + "(reset-replica throws away the relay logs)")
            }) { ops, key, _ in try await ops.resetReplica(key) }
        case .detachReplica, .detachReplicaMasterHost:
            return await runControl(command.rawValue, done: "Replica detached", needsReplica: true) { ops, key, _ in
                try await ops.detachReplicaMasterHost(key)
            }
        case .reattachReplica, .reattachReplicaMasterHost:
            return await runControl(command.rawValue, done: "Replica reattached", needsReplica: true) { ops, key, _ in
                try await ops.reattachReplicaMasterHost(key)
            }
        case .skipQuery:
            return await runControl(command.rawValue, done: "Replica skipped one transaction", needsReplica: true,
                                    check: { instance, status, _ in
                guard !force, let status, status.lastSQLErrno == 0 else { return nil }
                return ControlRefusal(message: "refusing skip-query on \(instance.key): its SQL thread reports no error "
                    + "(SQL \(status.sqlThread)), so there is no failing transaction to skip and a healthy one would be lost; "
                    + "add ?force=true to skip the next transaction anyway")
            }) { ops, key, _ in try await ops.skipQuery(key) }
        case .setReadOnly:
            return await runControl(command.rawValue, done: "Server set as read-only") { ops, key, _ in
                try await ops.setReadOnly(key, true)
            }
        case .setWriteable:
            return await runControl(command.rawValue, done: "Server set as writeable", check: { instance, status, inventory in
                guard !force, let status, status.threadsActive else { return nil }
                let master = inventory.instance(status.masterKey) ?? instance.masterKey.flatMap { inventory.instance($0) }
                guard let master, master.isLastCheckValid else { return nil }
                return ControlRefusal(message: "refusing set-writeable on \(instance.key): it replicates from \(master.key), "
                    + "which is reachable (IO \(status.ioThread), SQL \(status.sqlThread)); writes on a replica become errant "
                    + "GTIDs and diverge from its master. Stop or detach its replication first, or add ?force=true")
            }) { ops, key, _ in try await ops.setReadOnly(key, false) }
        case .flushBinaryLogs:
            return await runControl(command.rawValue, done: "Binary logs flushed", check: { instance, _, _ in
                instance.logBinEnabled ? nil : ControlRefusal(
                    message: "refusing flush-binary-logs on \(instance.key): binary logging is off (log_bin)")
            }) { ops, key, _ in try await ops.flushBinaryLogs(key) }
        case .enableSemiSyncMaster, .disableSemiSyncMaster:
            let enabled = command == .enableSemiSyncMaster
            return await runControl(command.rawValue, done: "Semi-sync master \(enabled ? "enabled" : "disabled")") { ops, key, _ in
                try await ops.setSemiSyncMaster(key, enabled: enabled)
            }
        case .enableSemiSyncReplica, .disableSemiSyncReplica:
            let enabled = command == .enableSemiSyncReplica
            // The replica side takes effect when the IO thread reconnects: restart it when it runs.
            return await runControl(command.rawValue, done: "Semi-sync replica \(enabled ? "enabled" : "disabled")") {
                ops, key, status in
                try await ops.setSemiSyncReplica(key, enabled: enabled, restartReplication: status?.ioRunning ?? false)
            }
        }
    }

    static func refuseDetached(_ status: ReplicaStatus?, _ command: String) -> ControlRefusal? {
        guard let status, status.masterHost.hasPrefix("//") else { return nil }
        return ControlRefusal(message: "refusing \(command): the master host is detached (\(status.masterHost)); "
            + "run reattach-replica-master-host first")
    }

    // MARK: - Running one operation

    /// The common path of every control route: parse `:host/:port` (400), find the instance (404),
    /// read its replica status, apply `check` (409), then either show the statements (`?noop=true`)
    /// or confirm leadership, run `operation`, re-probe and answer the instance.
    func runControl(
        _ command: String, done: String, needsReplica: Bool = false,
        check: (Instance, ReplicaStatus?, Inventory) -> ControlRefusal? = { _, _, _ in nil },
        operation: @escaping @Sendable (ReplicationOperations, InstanceKey, ReplicaStatus?) async throws -> OperationResult
    ) async -> APIResponse {
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
        if needsReplica, status == nil {
            return .error("refusing \(command) on \(key): it is not a replica (SHOW SLAVE STATUS is empty)", status: 409)
        }
        if let refusal = check(instance, status, inventory) { return .error(refusal.message, status: refusal.status) }
        if isNoop {
            do {
                let result = try await operation(ops.dryRun(), key, status)
                return .ok("Dry run: \(command) on \(key) would run:", details: result.statements)
            } catch {
                return Self.failure(error, command: command, key: key)
            }
        }
        if let failure = await confirmLeadership(command) { return failure }
        let result: OperationResult
        do { result = try await operation(ops, key, status) } catch { return Self.failure(error, command: command, key: key) }
        let fresh = await reprobe(key) ?? instance
        let note = result.note.map { " (\($0))" } ?? ""
        return .ok("\(done): \(key)\(note)", details: fresh)
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
