extension RefactorPlanner {
    /// `can-replicate-from`: whether `instance` could replicate from `target` now, by the same rules a
    /// move checks (cycle, binary logs and log_slave_updates, flavour and version, errant GTIDs, purged
    /// binary logs). nil when it could; otherwise the refusal a move would give.
    public func canReplicateFrom(_ instance: InstanceKey, _ target: InstanceKey) -> RefactorRefusal? {
        do {
            _ = try canReplicate(try known(instance), from: try known(target))
            return nil
        } catch {
            return error
        }
    }
}
