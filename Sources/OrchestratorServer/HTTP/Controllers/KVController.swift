import OrchestratorCore

/// `submit-masters-to-kv-stores[/:clusterHint]`: the leader writes the masters of all clusters (or the
/// named one's) to the key-value stores now. Upstream's answer: "Submitted N masters" with the pairs
/// as `[{"Key","Value"}]`.
struct KVController: APIController {
    func register(into routes: inout APIRoutes) {
        routes.add("/api/submit-masters-to-kv-stores", mutating: true) { ctx in await ctx.submitMastersToKV(hint: nil) }
        routes.add("/api/submit-masters-to-kv-stores/:clusterHint", mutating: true) { ctx in
            await ctx.submitMastersToKV(hint: ctx.parameters["clusterHint"])
        }
    }
}

/// A pair as upstream's API shows it.
struct KVPairJSON: Encodable, Sendable {
    var key: String
    var value: String
    enum CodingKeys: String, CodingKey { case key = "Key", value = "Value" }
}

extension APIContext {
    func submitMastersToKV(hint: String?) async -> APIResponse {
        guard let publisher = recovery?.kvPublisher, !publisher.stores.isEmpty else {
            return .error("no key-value store is configured: set EtcdEndpoints", status: 400)
        }
        var aliases: Set<String>?
        if let hint {
            let inventory = await node.inventory()
            guard let cluster = inventory.cluster(forHint: hint, defaultPort: node.settings.defaultInstancePort) else {
                return .error("Unable to determine cluster name for \"\(hint)\": no cluster has that name or alias, "
                    + "and no known instance matches it", status: 404)
            }
            aliases = [cluster.clusterAlias]
        }
        let (pairs, errors) = await publisher.submitAll(aliases: aliases)
        guard errors.isEmpty else {
            return .error("cannot submit masters to key-value stores: " + errors.joined(separator: "; "), status: 502)
        }
        let masters = pairs.filter { !$0.key.hasSuffix("/hostname") && !$0.key.hasSuffix("/port")
            && !$0.key.hasSuffix("/ipv4") && !$0.key.hasSuffix("/ipv6") }.count
        return .ok("Submitted \(masters) masters", details: pairs.map { KVPairJSON(key: $0.key, value: $0.value) })
    }
}
