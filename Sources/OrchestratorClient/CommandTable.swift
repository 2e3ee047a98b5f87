// The command table: every command of upstream's orchestrator-client (3.2.6 and the Percona fork),
// with upstream's API paths and output, plus our additions (marked). Paths use the "replica" spellings,
// which upstream's server registers as synonyms of every "slave" path.

extension CommandSpec {
    /// Every command, in the order `help` lists them.
    public static let all: [CommandSpec] = meta + discovery + information + refactoring + tags + pools
        + maintenance + replication + recovery + raft

    static let meta: [CommandSpec] = [
        .init("help", .meta, nil, .nothing, "Print this help"),
        .init("which-api", .meta, nil, .nothing, "Print the API endpoint that would be used (the leader's, with several endpoints)"),
        .init("api", .meta, "{path}", .responseEchoed, "Call any API path given with -P and print the JSON answer"),
        .init("reload-configuration", .meta, "reload-configuration", .responseField("Message"),
              "Re-read the configuration file of the node answering; print what was applied and what needs a restart"),
    ]

    static let discovery: [CommandSpec] = [
        .init("async-discover", .discovery, "async-discover/{instance}", .detailsInstanceKey,
              "Queue an instance for discovery without waiting (handy for bulk loading)"),
        .init("discover", .discovery, "discover/{instance}", .detailsInstanceKey, "Probe an instance now and start tracking it; prints host:port"),
        .init("forget", .discovery, "forget/{instance}", .nothing, "Stop tracking an instance"),
        .init("forget-cluster", .discovery, "forget-cluster/{hint}", .nothing, "Stop tracking every instance of a cluster"),
    ]

    static let information: [CommandSpec] = [
        .init("topology", .information, "topology/{hint}", .detailsRaw,
              "Draw the replication tree of a cluster (-a alias or -i any member)"),
        .init("topology-tabulated", .information, "topology-tabulated/{hint}", .detailsRaw,
              "Draw the replication tree with aligned columns"),
        .init("topology-tags", .information, "topology-tags/{hint}", .detailsRaw,
              "Draw the replication tree with each instance's tags"),
        .init("snapshot-topologies", .information, "snapshot-topologies", .detailsRaw,
              "Record every instance's current master and position"),
        .init("clusters", .information, "clusters-info", .responseEachField("ClusterName"),
              "Print every known cluster name, one per line"),
        .init("clusters-alias", .information, "clusters-info", .clustersAlias,
              "Print every known cluster as name,alias"),
        .init("search", .information, "search?s={text}", .responseInstanceKeys,
              "Print instances whose name contains the -i text"),
        .init("instance", .information, "instance/{instance}", .responseKey, aliases: ["which-instance"],
              "Print host:port of a known instance; fails if it is unknown"),
        .init("which-master", .information, "instance/{instance}", .responseMasterKey,
              "Print host:port of the instance's master"),
        .init("which-replicas", .information, "instance-replicas/{instance}", .responseInstanceKeys,
              "Print host:port of each direct replica of the instance"),
        .init("which-broken-replicas", .information, "instance-replicas/{instance}", .brokenReplicaKeys,
              "Print the instance's replicas that have a stopped thread and an error"),
        .init("which-cluster-instances", .information, "cluster/{hint}", .responseInstanceKeys,
              "Print host:port of every instance in the cluster"),
        .init("which-cluster", .information, "cluster-info/{hint}", .responseField("ClusterName"),
              "Print the name of the cluster the instance or alias belongs to"),
        .init("which-cluster-alias", .information, "cluster-info/{hint}", .responseField("ClusterAlias"),
              "Print the alias of the cluster the instance or alias belongs to"),
        .init("which-cluster-master", .information, "master/{hint}", .responseKey,
              "Print host:port of the cluster's writable master"),
        .init("all-clusters-masters", .information, "masters", .responseInstanceKeys,
              "Print the writable master of every cluster"),
        .init("all-instances", .information, "all-instances", .responseInstanceKeys,
              "Print every known instance"),
        .init("which-cluster-osc-replicas", .information, "cluster-osc-replicas/{hint}", .responseInstanceKeys,
              "Print replicas suited as pt-online-schema-change control replicas"),
        .init("which-cluster-osc-running-replicas", .information, "cluster-osc-replicas/{hint}", .runningReplicaKeys,
              "As which-cluster-osc-replicas, only those replicating now"),
        .init("downtimed", .information, "downtimed[/{hint}]", .responseInstanceKeys, "Print instances in downtime (of one cluster with -a/-i)"),
        .init("dominant-dc", .information, "masters", .dominantDataCenter,
              "Print the data center holding the most masters"),
        .init("submit-masters-to-kv-stores", .information, "submit-masters-to-kv-stores[/{alias}]",
              .detailsKeyValuePairs, "Write the master of one cluster (-a) or of all to the key-value stores"),
    ]

    static let refactoring: [CommandSpec] = [
        .init("relocate", .refactoring, "relocate/{instance}/{destination}", .detailsRelocated, noop: true,
              "Move the instance below -d, choosing the method; prints instance<master"),
        .init("relocate-replicas", .refactoring, "relocate-replicas/{instance}/{destination}", .detailsInstanceKeys,
              noop: true, "Move the instance's replicas below -d"),
        .init("match", .refactoring, "match/{instance}/{destination}", .detailsRelocated, noop: true,
              "Move the instance below -d by Pseudo-GTID matching"),
        .init("match-up", .refactoring, "match-up/{instance}", .detailsRelocated, noop: true,
              "Move the instance up one level by Pseudo-GTID matching"),
        .init("match-up-replicas", .refactoring, "match-up-replicas/{instance}[/{destination}]", .detailsInstanceKeys,
              noop: true, "Move the instance's replicas up one level by Pseudo-GTID matching"),
        .init("move-up", .refactoring, "move-up/{instance}", .detailsRelocated, noop: true,
              "Make the instance a sibling of its master (replicate from its grandparent)"),
        .init("move-below", .refactoring, "move-below/{instance}/{destination}", .detailsRelocated, noop: true,
              "Make the instance replicate from its sibling -d"),
        .init("move-equivalent", .refactoring, "move-equivalent/{instance}/{destination}", .detailsRelocated,
              noop: true, "Move the instance below -d using recorded equivalent positions"),
        .init("move-up-replicas", .refactoring, "move-up-replicas/{instance}[/{destination}]", .detailsInstanceKeys,
              noop: true, "Make the instance's replicas its siblings"),
        .init("make-co-master", .refactoring, "make-co-master/{instance}", .detailsRelocated, noop: true,
              "Make the instance's master also replicate from the instance (master-master)"),
        .init("take-master", .refactoring, "take-master/{instance}", .detailsRelocated, noop: true,
              "Swap the instance with its master"),
        // Upstream's client calls /api/move-gtid, which its server never registered; the server's name
        // for this operation is move-below-gtid, so both spellings go there.
        .init("move-gtid", .refactoring, "move-below-gtid/{instance}/{destination}", .detailsRelocated, noop: true,
              "Move the instance below -d using GTID"),
        .init("move-below-gtid", .refactoring, "move-below-gtid/{instance}/{destination}", .detailsRelocated,
              noop: true, "Move the instance below -d using GTID (same as move-gtid)"),
        .init("move-replicas-gtid", .refactoring, "move-replicas-gtid/{instance}/{destination}", .detailsInstanceKeys,
              noop: true, "Move the instance's replicas below -d using GTID"),
        .init("repoint", .refactoring, "repoint/{instance}/{destination}", .detailsRelocated, noop: true,
              "Point the instance at -d keeping its binlog position; only when that is safe"),
        .init("repoint-replicas", .refactoring, "repoint-replicas/{instance}[/{destination}]", .detailsInstanceKeys,
              noop: true, "Point the instance's replicas back at it keeping their positions"),
        .init("take-siblings", .refactoring, "take-siblings/{instance}", .detailsRelocated, noop: true,
              "Make the instance's siblings its replicas"),
    ]

    static let tags: [CommandSpec] = [
        .init("tags", .tags, "tags/{instance}", .responseLines, "Print the instance's tags"),
        .init("tag-value", .tags, "tag-value/{instance}?tag={tag}", .responseRaw, "Print the value of tag -t on the instance"),
        .init("tag", .tags, "tag/{instance}?tag={tag}", .detailsKey,
              "Set tag -t (name or name=value) on the instance"),
        .init("untag", .tags, "untag/{instance}?tag={tag}", .detailsKeys, "Remove tag -t from the instance"),
        .init("untag-all", .tags, "untag-all?tag={tag}", .detailsKeys, "Remove tag -t from every instance having it"),
        .init("tagged", .tags, "tagged?tag={tag}", .responseKeys,
              "Print instances having tag -t (name, name=value, or a comma list meaning all of them)"),
    ]

    static let pools: [CommandSpec] = [
        .init("submit-pool-instances", .pools, "submit-pool-instances/{pool}?instances={text}", .detailsRaw,
              "Declare pool -l to consist of the comma-separated instances in -i"),
        .init("which-heuristic-cluster-pool-instances", .pools, "heuristic-cluster-pool-instances/{hint}[/{pool}]",
              .detailsInstanceKeys, "Print cluster instances in any pool, or in pool -l"),
    ]

    static let maintenance: [CommandSpec] = [
        .init("begin-downtime", .maintenance, "begin-downtime/{instance}/{owner}/{reason}/{duration}", .detailsKey,
              "Put the instance in downtime (-o owner, -r reason, -u duration)"),
        .init("end-downtime", .maintenance, "end-downtime/{instance}", .detailsKey,
              "Take the instance out of downtime"),
        .init("begin-maintenance", .maintenance, "begin-maintenance/{instance}/{owner}/{reason}", .detailsKey,
              "Take a maintenance lock on the instance (-o owner, -r reason)"),
        .init("end-maintenance", .maintenance, "end-maintenance/{instance}", .detailsKey,
              "Release the instance's maintenance lock"),
        .init("register-candidate", .maintenance, "register-candidate/{instance}/{rule}", .detailsKey,
              "Set the instance's promotion rule -R (prefer, neutral, prefer_not, must_not)"),
        .init("register-hostname-unresolve", .maintenance, "register-hostname-unresolve/{instance}/{hostname}",
              .detailsKey, "Give the instance the virtual name -H"),
        .init("deregister-hostname-unresolve", .maintenance, "deregister-hostname-unresolve/{instance}", .detailsKey,
              "Drop the instance's virtual name"),
    ]
}
