/// `/metrics` (and `/api/metrics`): this node's view in Prometheus' text format.
struct MetricsController: APIController {
    func register(into routes: inout APIRoutes) {
        routes.add("/metrics") { ctx in await ctx.metrics() }
        routes.add("/api/metrics") { ctx in await ctx.metrics() }
    }
}

extension APIContext {
    func metrics() async -> APIResponse {
        let status = await node.raftStatus()
        var raft = OrchdMetrics.RaftFacts(
            state: RaftStateName.upstream(status.role), isLeader: status.role == .leader, hasLeader: status.leader != nil,
            isPartOfQuorum: status.isPartOfQuorum, term: status.term, commitIndex: status.commitIndex,
            appliedIndex: status.appliedIndex, lastIndex: status.lastIndex, snapshotIndex: status.snapshotIndex,
            voters: status.voters.count)
        raft.peerRoundTrips = status.roundTrips
        let metrics = OrchdMetrics(
            raft: raft, inventory: await node.inventory(), analyses: await node.analyze(), intent: node.intent,
            recoveryFilters: node.settings.recoveryFilters, discovery: await node.discovery.probeCounters(),
            detections: await recovery?.detectionsTotal() ?? 0)
        return APIResponse(status: 200, contentType: PrometheusText.contentType, body: Array(metrics.text.utf8))
    }
}
