// Commands of upstream's client that orchd's server answers with 501 and the reason (the server's
// UnsupportedController lists the same paths). `help` marks them, so nobody builds a script on them.

extension CommandSpec {
    /// Command name → why orchd does not serve it (one short phrase; the server's 501 says more).
    public static let notServedByOrchd: [String: String] = {
        var table: [String: String] = [:]
        for name in ["match", "match-up", "match-up-replicas", "move-equivalent", "last-pseudo-gtid"] {
            table[name] = "Pseudo-GTID is not supported; orchd moves replicas by GTID (relocate)"
        }
        for name in ["tags", "tag-value", "tag", "untag", "untag-all", "tagged", "topology-tags"] {
            table[name] = "instance tags are not supported yet"
        }
        for name in ["submit-pool-instances", "which-heuristic-cluster-pool-instances"] {
            table[name] = "pools are not supported"
        }
        for name in ["register-hostname-unresolve", "deregister-hostname-unresolve"] {
            table[name] = "orchd does not resolve or unresolve host names"
        }
        table["snapshot-topologies"] = "orchd keeps no topology history"
        return table
    }()

    /// Why orchd does not serve this command, if it does not.
    public var notServedReason: String? { Self.notServedByOrchd[name] }
}
