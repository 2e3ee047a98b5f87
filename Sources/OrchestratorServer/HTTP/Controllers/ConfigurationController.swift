/// `/api/reload-configuration`: this node re-reads its configuration file (each node has its own; the
/// call is not forwarded to the leader). The message says what was applied and what needs a restart.
struct ConfigurationController: APIController {
    func register(into routes: inout APIRoutes) {
        routes.add("/api/reload-configuration") { ctx in
            do {
                guard let reload = try await ctx.node.reloadConfiguration() else {
                    return .error("this node was not started from a configuration file: nothing to reload", status: 503)
                }
                return .ok(reload.summary, details: reload)
            } catch {
                return .error("cannot reload the configuration: \(error); the running configuration stays", status: 500)
            }
        }
    }
}
