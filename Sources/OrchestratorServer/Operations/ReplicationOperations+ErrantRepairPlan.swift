import OrchestratorCore

extension ReplicationOperations {
    // MARK: - Errant-GTID repair plans

    /// What running an ``ErrantGTIDRepairPlan`` did.
    public struct ErrantRepairOutcome: Sendable, Equatable {
        /// The changing operations' results (statements, notes), in order.
        public var results: [OperationResult]
        /// Whether the instance has applied the repair (the plan's catch-up wait): nil when the plan
        /// has no wait or in a dry run.
        public var caughtUp: Bool?
    }

    /// Runs the steps of an ``ErrantGTIDRepairPlan`` in order. A catch-up wait that times out is not a
    /// failure (the instance's replication may be stopped): it shows in ``ErrantRepairOutcome/caughtUp``.
    /// A dry run skips the waits, so its statements are those of ``ErrantGTIDRepairPlan/runsOn`` only.
    public func execute(_ plan: ErrantGTIDRepairPlan) async throws -> ErrantRepairOutcome {
        var outcome = ErrantRepairOutcome(results: [], caughtUp: nil)
        for step in plan.steps {
            switch step {
            case .injectEmptyTransactions(let master, let gtids):
                outcome.results.append(try await injectEmptyTransactions(master, gtids: gtids))
            case .injectMariaDBNoops(let master, let errant):
                outcome.results.append(try await injectMariaDBErrantGTIDs(master, errant: errant))
            case .resetMasterRemovingErrant(let key, let errant):
                outcome.results.append(try await resetMasterRemovingErrant(key, errant: errant))
            case .awaitCaughtUp(let replica, let source, let timeout):
                guard !isDryRun else { continue }
                outcome.caughtUp = try await waitUntilCaughtUp(replica, with: source, timeoutSeconds: timeout)
            }
        }
        return outcome
    }

    /// Waits until `replica` has applied what `source` has now (its GTID position: MariaDB
    /// `gtid_current_pos`, MySQL `gtid_executed`), at most `timeoutSeconds`. True when reached; false
    /// when the time ran out (or in a dry run, which does not wait).
    public func waitUntilCaughtUp(_ replica: InstanceKey, with source: InstanceKey, timeoutSeconds: Double) async throws -> Bool {
        let position = try await currentGTIDPosition(source)
        guard !position.isEmpty else { return true }
        return try await waitForGTID(replica, position: position, timeoutSeconds: timeoutSeconds) == .reached
    }
}
