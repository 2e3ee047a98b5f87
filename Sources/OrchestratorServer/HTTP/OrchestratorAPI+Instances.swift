/// Read-only inventory routes: served by every node from its own view.
extension OrchestratorAPI {
    mutating func registerInstanceRoutes() {
        add("/api/instance/:host/:port") { ctx in
            await ctx.withInstance { .json($0) }
        }
        add("/api/instance-replicas/:host/:port") { ctx in
            switch ctx.instanceKey() {
            case .failure(let failure): return failure.response
            case .success(let key):
                let inventory = await ctx.node.inventory()
                guard inventory.instance(key) != nil else { return .instanceNotFound(key) }
                return .json(inventory.replicas(of: key))
            }
        }
        add("/api/all-instances") { ctx in .json(await ctx.node.inventory().instances) }
        add("/api/clusters") { ctx in .json(await ctx.node.inventory().clusterNames) }
        add("/api/clusters-info") { ctx in
            let inventory = await ctx.node.inventory()
            let filters = ctx.node.settings.recoveryFilters
            return .json(inventory.clusterNames.compactMap { inventory.clusterInfo($0, recovery: filters) })
        }
        add("/api/cluster-info/:clusterHint") { ctx in
            await ctx.withCluster { inventory, name in
                .json(inventory.clusterInfo(name, recovery: ctx.node.settings.recoveryFilters))
            }
        }
        add("/api/cluster/:clusterHint") { ctx in
            await ctx.withCluster { inventory, name in .json(inventory.instances(inCluster: name)) }
        }
        add("/api/cluster/instance/:host/:port") { ctx in
            await ctx.withInstance { instance in
                .json(await ctx.node.inventory().instances(inCluster: instance.clusterName))
            }
        }
        add("/api/master/:clusterHint") { ctx in
            await ctx.withCluster { inventory, name in
                guard let master = inventory.master(ofCluster: name) else {
                    return .error("cluster \(name) has no known master", status: 404)
                }
                return .json(master)
            }
        }
        add("/api/masters") { ctx in .json(await ctx.node.inventory().masters) }
        add("/api/topology/:clusterHint") { ctx in
            await ctx.withCluster { inventory, name in
                .ok("Topology for \(name)", details: TopologyTree.render(inventory.instances(inCluster: name)))
            }
        }
        add("/api/topology/:host/:port") { ctx in
            await ctx.withInstance { instance in
                let members = await ctx.node.inventory().instances(inCluster: instance.clusterName)
                return .ok("Topology for \(instance.clusterName)", details: TopologyTree.render(members))
            }
        }
        add("/api/search/:searchString") { ctx in
            .json(await ctx.node.inventory().search(ctx.parameters["searchString"] ?? ""))
        }
        add("/api/search") { ctx in
            guard let text = ctx.request.query["s"], !text.isEmpty else {
                return .error("missing search text: use /api/search?s=TEXT", status: 400)
            }
            return .json(await ctx.node.inventory().search(text))
        }
    }
}

extension APIResponse {
    static func instanceNotFound(_ key: InstanceKey) -> APIResponse {
        .error("Cannot read instance: \(key) is not known to this node (discover it first)", status: 404)
    }
}

extension APIContext {
    /// Runs `body` with the instance named by `:host/:port`, or answers 400/404.
    func withInstance(_ body: (Instance) async -> APIResponse) async -> APIResponse {
        switch instanceKey() {
        case .failure(let failure): return failure.response
        case .success(let key):
            guard let instance = await node.inventory().instance(key) else { return .instanceNotFound(key) }
            return await body(instance)
        }
    }

    /// Runs `body` with the cluster named by `:clusterHint` (name, alias or member instance), or 404.
    func withCluster(_ body: (Inventory, String) async -> APIResponse) async -> APIResponse {
        let hint = parameters["clusterHint"] ?? ""
        let inventory = await node.inventory()
        guard let cluster = inventory.cluster(forHint: hint, defaultPort: node.settings.defaultInstancePort) else {
            return .error("Unable to determine cluster name for \"\(hint)\": no cluster has that name or alias, "
                + "and no known instance matches it", status: 404)
        }
        return await body(inventory, cluster.clusterName)
    }
}
