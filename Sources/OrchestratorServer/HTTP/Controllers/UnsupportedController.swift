/// Upstream API paths orchd does not serve: each answers 501 with the reason and what to do instead,
/// rather than a generic "unknown API path", so a script written for orchestrator fails with a message
/// an operator can act on. orchestrator-client's `help` marks the matching commands.
struct UnsupportedController: APIController {
    struct Entry {
        var patterns: [String]
        var reason: String
    }

    static let entries: [Entry] = [
        Entry(patterns: ["/api/match/:host/:port/:belowHost/:belowPort", "/api/match-below/:host/:port/:belowHost/:belowPort",
                         "/api/match-up/:host/:port", "/api/match-up-replicas/:host/:port",
                         "/api/match-up-replicas/:host/:port/:belowHost/:belowPort",
                         "/api/match-replicas/:host/:port/:belowHost/:belowPort",
                         "/api/move-equivalent/:host/:port/:belowHost/:belowPort", "/api/last-pseudo-gtid/:host/:port",
                         "/api/regroup-replicas-pgtid/:host/:port"],
              reason: "Pseudo-GTID is not supported: orchd moves replicas by GTID. Use relocate (or move-below-gtid), "
                + "after enabling GTID (MariaDB gtid_strict_mode, MySQL gtid_mode=ON)"),
        Entry(patterns: ["/api/tags/:host/:port", "/api/tag-value/:host/:port", "/api/tag/:host/:port",
                         "/api/untag/:host/:port", "/api/untag-all", "/api/tagged", "/api/topology-tags/:clusterHint",
                         "/api/topology-tags/:host/:port"],
              reason: "instance tags are not supported by orchd yet; keep tags in your inventory system, or use "
                + "register-candidate for promotion preferences"),
        Entry(patterns: ["/api/submit-pool-instances/:pool", "/api/heuristic-cluster-pool-instances/:clusterHint",
                         "/api/heuristic-cluster-pool-instances/:clusterHint/:pool"],
              reason: "pools are not supported by orchd; keep pool membership in your service discovery"),
        Entry(patterns: ["/api/register-hostname-unresolve/:host/:port/:virtualname",
                         "/api/deregister-hostname-unresolve/:host/:port"],
              reason: "orchd does not resolve or unresolve host names: it keys servers by the names you give and "
                + "replicas report (report_host); name servers as clients reach them"),
        Entry(patterns: ["/api/snapshot-topologies"],
              reason: "orchd keeps no history of topologies; read the current one with topology"),
    ]

    func register(into routes: inout APIRoutes) {
        for entry in Self.entries {
            for pattern in entry.patterns {
                let name = pattern.split(separator: "/").dropFirst().first.map(String.init) ?? pattern
                routes.add(pattern) { _ in
                    .error("\(name) is not served by orchd: \(entry.reason)", status: 501)
                }
            }
        }
    }
}
