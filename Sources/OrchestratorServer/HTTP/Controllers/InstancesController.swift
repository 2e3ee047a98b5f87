/// Read-only inventory routes: served by every node from its own view.
struct InstancesController: APIController {
    func register(into routes: inout APIRoutes) {
        routes.add("/api/instance/:host/:port") { ctx in
            await ctx.withInstance { instance, inventory in .instances([instance], from: inventory, single: true) }
        }
        routes.add("/api/instance-replicas/:host/:port") { ctx in
            switch ctx.instanceKey() {
            case .failure(let failure): return failure.response
            case .success(let key):
                let inventory = await ctx.node.inventory()
                guard inventory.instance(key) != nil else { return .instanceNotFound(key) }
                return .instances(inventory.replicas(of: key), from: inventory)
            }
        }
        routes.add("/api/all-instances") { ctx in
            let inventory = await ctx.node.inventory()
            return .instances(inventory.instances, from: inventory)
        }
        routes.add("/api/clusters") { ctx in .json(await ctx.node.inventory().clusterNames) }
        routes.add("/api/clusters-info") { ctx in
            let inventory = await ctx.node.inventory()
            let filters = ctx.node.settings.recoveryFilters
            // The filters are part of each cluster's answer and change on a configuration reload.
            let name = "clusters-info\u{0}\(filters.masterFilters)\u{0}\(filters.intermediateMasterFilters)"
            let answer: @Sendable (Inventory) -> APIResponse = { inventory in
                .memoized(name, in: inventory) { inventory.clusterNames.compactMap { inventory.clusterInfo($0, recovery: filters) } }
            }
            ctx.node.keepWarm(name) { _ = answer($0) }
            return answer(inventory)
        }
        routes.add("/api/cluster-info/:clusterHint") { ctx in
            await ctx.withCluster { inventory, name in
                .json(inventory.clusterInfo(name, recovery: ctx.node.settings.recoveryFilters))
            }
        }
        routes.add("/api/cluster/:clusterHint") { ctx in
            await ctx.withCluster { inventory, name in .instances(inventory.instances(inCluster: name), from: inventory) }
        }
        routes.add("/api/cluster/instance/:host/:port") { ctx in
            await ctx.withInstance { instance, inventory in
                .instances(inventory.instances(inCluster: instance.clusterName), from: inventory)
            }
        }
        routes.add("/api/master/:clusterHint") { ctx in
            await ctx.withCluster { inventory, name in
                guard let master = inventory.master(ofCluster: name) else {
                    return .error("cluster \(name) has no known master", status: 404)
                }
                return .instances([master], from: inventory, single: true)
            }
        }
        routes.add("/api/masters") { ctx in
            let inventory = await ctx.node.inventory()
            return .instances(inventory.masters, from: inventory)
        }
        routes.add("/api/topology/:clusterHint") { ctx in
            await ctx.withCluster { inventory, name in
                .ok("Topology for \(name)", details: TopologyTree.render(inventory.instances(inCluster: name)))
            }
        }
        routes.add("/api/topology/:host/:port") { ctx in
            await ctx.withInstance { instance in
                let members = await ctx.node.inventory().instances(inCluster: instance.clusterName)
                return .ok("Topology for \(instance.clusterName)", details: TopologyTree.render(members))
            }
        }
        routes.add("/api/topology-tabulated/:clusterHint") { ctx in
            await ctx.withCluster { inventory, name in
                .ok("Topology for \(name)", details: TopologyTree.render(inventory.instances(inCluster: name), tabulated: true))
            }
        }
        routes.add("/api/topology-tabulated/:host/:port") { ctx in
            await ctx.withInstance { instance in
                let members = await ctx.node.inventory().instances(inCluster: instance.clusterName)
                return .ok("Topology for \(instance.clusterName)", details: TopologyTree.render(members, tabulated: true))
            }
        }
        // Upstream answers with the bare list of downtimed instances (all, or of one cluster).
        routes.add("/api/downtimed") { ctx in
            let inventory = await ctx.node.inventory()
            return .instances(inventory.instances.filter(\.isDowntimed), from: inventory)
        }
        routes.add("/api/downtimed/:clusterHint") { ctx in
            await ctx.withCluster { inventory, name in
                .instances(inventory.instances(inCluster: name).filter(\.isDowntimed), from: inventory)
            }
        }
        routes.add("/api/cluster-osc-replicas/:clusterHint") { ctx in
            await ctx.withCluster { inventory, name in
                .instances(OSCReplicas.choose(from: inventory.instances(inCluster: name),
                                              ignoreHostnameFilters: ctx.node.settings.oscIgnoreHostnameFilters),
                           from: inventory)
            }
        }
        routes.add("/api/search/:searchString") { ctx in
            let inventory = await ctx.node.inventory()
            return .instances(inventory.search(ctx.parameters["searchString"] ?? ""), from: inventory)
        }
        routes.add("/api/search") { ctx in
            guard let text = ctx.request.query["s"], !text.isEmpty else {
                return .error("missing search text: use /api/search?s=TEXT", status: 400)
            }
            let inventory = await ctx.node.inventory()
            return .instances(inventory.search(text), from: inventory)
        }
    }
}

extension APIResponse {
    /// Instances as upstream returns them (a JSON array, or one object with `single`), each encoded
    /// once per inventory. `instances` must come from `inventory` unchanged: the memo is by key.
    static func instances(_ instances: [Instance], from inventory: Inventory, single: Bool = false) -> APIResponse {
        do {
            let encoder = APIJSON.encoder
            var body: [UInt8] = single ? [] : [UInt8(ascii: "[")]
            for (i, instance) in instances.enumerated() {
                if i > 0 { body.append(UInt8(ascii: ",")) }
                body += try inventory.memo.encodedInstance(instance.key) { Array(try encoder.encode(instance)) }
            }
            if !single { body.append(UInt8(ascii: "]")) }
            return APIResponse(status: 200, body: body)
        } catch {
            return .error("cannot encode response: \(error)", status: 500)
        }
    }

    static func instanceNotFound(_ key: InstanceKey) -> APIResponse {
        .error("Cannot read instance: \(key) is not known to this node (discover it first)", status: 404)
    }
}

extension APIContext {
    /// Runs `body` with the instance named by `:host/:port`, or answers 400/404.
    func withInstance(_ body: (Instance) async -> APIResponse) async -> APIResponse {
        await withInstance { instance, _ in await body(instance) }
    }

    /// Runs `body` with the instance named by `:host/:port` and the inventory it came from, or answers 400/404.
    func withInstance(_ body: (Instance, Inventory) async -> APIResponse) async -> APIResponse {
        switch instanceKey() {
        case .failure(let failure): return failure.response
        case .success(let key):
            let inventory = await node.inventory()
            guard let instance = inventory.instance(key) else { return .instanceNotFound(key) }
            return await body(instance, inventory)
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
