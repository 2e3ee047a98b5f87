// The command table: every command of upstream's orchestrator-client (3.2.6 and the Percona fork),
// with upstream's API paths and output, plus our additions (marked). Paths use the "replica" spellings,
// which upstream's server registers as synonyms of every "slave" path.

extension CommandSpec {
    /// Every command, in the order `help` lists them.
    public static let all: [CommandSpec] = meta + discovery + information + refactoring + tags + pools
        + maintenance + replication + recovery + raft

    static let meta: [CommandSpec] = [
        .init("help", .meta, nil, .nothing, "Show available commands"),
        .init("which-api", .meta, nil, .nothing, "Output the HTTP API to be used"),
        .init("api", .meta, "{path}", .responseEchoed, "Invoke any API request; provide --path argument"),
    ]

    static let discovery: [CommandSpec] = [
        .init("async-discover", .discovery, "async-discover/{instance}", .detailsInstanceKey,
              "Lookup an instance, investigate it asynchronously. Useful for bulk loads"),
        .init("discover", .discovery, "discover/{instance}", .detailsInstanceKey, "Lookup an instance, investigate it"),
        .init("forget", .discovery, "forget/{instance}", .nothing, "Forget about an instance's existence"),
        .init("forget-cluster", .discovery, "forget-cluster/{hint}", .nothing, "Forget about a cluster"),
    ]

    static let information: [CommandSpec] = [
        .init("topology", .information, "topology/{hint}", .detailsRaw,
              "Show an ascii-graph of a replication topology, given a member of that topology"),
        .init("topology-tabulated", .information, "topology-tabulated/{hint}", .detailsRaw,
              "Show an ascii-graph of a replication topology, in tabulated format"),
        .init("topology-tags", .information, "topology-tags/{hint}", .detailsRaw,
              "Show an ascii-graph of a replication topology and instance tags"),
        .init("snapshot-topologies", .information, "snapshot-topologies", .detailsRaw,
              "Trigger topology snapshot (recording host/master settings for all hosts)"),
        .init("clusters", .information, "clusters-info", .responseEachField("ClusterName"),
              "List all clusters known to orchestrator"),
        .init("clusters-alias", .information, "clusters-info", .clustersAlias,
              "List all clusters known to orchestrator, with their aliases"),
        .init("search", .information, "search?s={text}", .responseInstanceKeys,
              "Search for instances matching given substring"),
        .init("instance", .information, "instance/{instance}", .responseKey, aliases: ["which-instance"],
              "Output the fully-qualified hostname:port of the given instance, or error if unknown"),
        .init("which-master", .information, "instance/{instance}", .responseMasterKey,
              "Output the fully-qualified hostname:port of a given instance's master"),
        .init("which-replicas", .information, "instance-replicas/{instance}", .responseInstanceKeys,
              "Output the fully-qualified hostname:port list of replicas of a given instance"),
        .init("which-broken-replicas", .information, "instance-replicas/{instance}", .brokenReplicaKeys,
              "Output the fully-qualified hostname:port list of broken replicas of a given instance"),
        .init("which-cluster-instances", .information, "cluster/{hint}", .responseInstanceKeys,
              "Output the list of instances participating in same cluster as given instance"),
        .init("which-cluster", .information, "cluster-info/{hint}", .responseField("ClusterName"),
              "Output the name of the cluster an instance belongs to, or error if unknown"),
        .init("which-cluster-alias", .information, "cluster-info/{hint}", .responseField("ClusterAlias"),
              "Output the alias of the cluster an instance belongs to, or error if unknown"),
        .init("which-cluster-master", .information, "master/{hint}", .responseKey,
              "Output the name of a writable master in given cluster"),
        .init("all-clusters-masters", .information, "masters", .responseInstanceKeys,
              "List of writeable masters, one per cluster"),
        .init("all-instances", .information, "all-instances", .responseInstanceKeys,
              "The complete list of known instances"),
        .init("which-cluster-osc-replicas", .information, "cluster-osc-replicas/{hint}", .responseInstanceKeys,
              "Output a list of replicas in a cluster, that could serve as pt-online-schema-change control replicas"),
        .init("which-cluster-osc-running-replicas", .information, "cluster-osc-replicas/{hint}", .runningReplicaKeys,
              "Output a list of healthy, replicating replicas in a cluster, for pt-online-schema-change control"),
        .init("downtimed", .information, "downtimed[/{hint}]", .responseInstanceKeys, "List all downtimed instances"),
        .init("dominant-dc", .information, "masters", .dominantDataCenter,
              "Name the data center where most masters are found"),
        .init("submit-masters-to-kv-stores", .information, "submit-masters-to-kv-stores[/{alias}]",
              .detailsKeyValuePairs, "Submit a cluster's master, or all clusters' masters to KV stores"),
    ]

    static let refactoring: [CommandSpec] = [
        .init("relocate", .refactoring, "relocate/{instance}/{destination}", .detailsRelocated, noop: true,
              "Relocate a replica beneath another instance"),
        .init("relocate-replicas", .refactoring, "relocate-replicas/{instance}/{destination}", .detailsInstanceKeys,
              noop: true, "Relocates all or part of the replicas of a given instance under another instance"),
        .init("match", .refactoring, "match/{instance}/{destination}", .detailsRelocated, noop: true,
              "Matches a replica beneath another (destination) instance using Pseudo-GTID"),
        .init("match-up", .refactoring, "match-up/{instance}", .detailsRelocated, noop: true,
              "Transport the replica one level up the hierarchy, using Pseudo-GTID"),
        .init("match-up-replicas", .refactoring, "match-up-replicas/{instance}[/{destination}]", .detailsInstanceKeys,
              noop: true, "Matches replicas of the given instance one level up the topology, using Pseudo-GTID"),
        .init("move-up", .refactoring, "move-up/{instance}", .detailsRelocated, noop: true,
              "Move a replica one level up the topology"),
        .init("move-below", .refactoring, "move-below/{instance}/{destination}", .detailsRelocated, noop: true,
              "Moves a replica beneath its sibling. Both replicas must be actively replicating from same master"),
        .init("move-equivalent", .refactoring, "move-equivalent/{instance}/{destination}", .detailsRelocated,
              noop: true, "Moves a replica beneath another server, based on previously recorded equivalence coordinates"),
        .init("move-up-replicas", .refactoring, "move-up-replicas/{instance}[/{destination}]", .detailsInstanceKeys,
              noop: true, "Moves replicas of the given instance one level up the topology"),
        .init("make-co-master", .refactoring, "make-co-master/{instance}", .detailsRelocated, noop: true,
              "Create a master-master replication. Given instance is a replica which replicates directly from a master"),
        .init("take-master", .refactoring, "take-master/{instance}", .detailsRelocated, noop: true,
              "Turn an instance into a master of its own master; essentially switch the two"),
        // Upstream's client calls /api/move-gtid, which its server never registered; the server's name
        // for this operation is move-below-gtid, so both spellings go there.
        .init("move-gtid", .refactoring, "move-below-gtid/{instance}/{destination}", .detailsRelocated, noop: true,
              "Move a replica beneath another instance via GTID"),
        .init("move-below-gtid", .refactoring, "move-below-gtid/{instance}/{destination}", .detailsRelocated,
              noop: true, "Move a replica beneath another instance via GTID (same as move-gtid)"),
        .init("move-replicas-gtid", .refactoring, "move-replicas-gtid/{instance}/{destination}", .detailsInstanceKeys,
              noop: true, "Moves all replicas of a given instance under another (destination) instance using GTID"),
        .init("repoint", .refactoring, "repoint/{instance}/{destination}", .detailsRelocated, noop: true,
              "Make the given instance replicate from another instance without changing the binlog coordinates"),
        .init("repoint-replicas", .refactoring, "repoint-replicas/{instance}[/{destination}]", .detailsInstanceKeys,
              noop: true, "Repoint all replicas of given instance to replicate back from the instance. Use with care"),
        .init("take-siblings", .refactoring, "take-siblings/{instance}", .detailsRelocated, noop: true,
              "Turn all siblings of a replica into its sub-replicas"),
    ]

    static let tags: [CommandSpec] = [
        .init("tags", .tags, "tags/{instance}", .responseLines, "List tags for a given instance"),
        .init("tag-value", .tags, "tag-value/{instance}?tag={tag}", .responseRaw, "Show the value of a tag on an instance"),
        .init("tag", .tags, "tag/{instance}?tag={tag}", .detailsKey,
              "Add a tag to a given instance. Tag in \"tagname\" or \"tagname=tagvalue\" format"),
        .init("untag", .tags, "untag/{instance}?tag={tag}", .detailsKeys, "Remove a tag from an instance"),
        .init("untag-all", .tags, "untag-all?tag={tag}", .detailsKeys, "Remove a tag from all matching instances"),
        .init("tagged", .tags, "tagged?tag={tag}", .responseKeys,
              "List instances tagged by tag-string: \"tagname\", \"tagname=tagvalue\" or \"tag0,tag1=val1\""),
    ]

    static let pools: [CommandSpec] = [
        .init("submit-pool-instances", .pools, "submit-pool-instances/{pool}?instances={text}", .detailsRaw,
              "Submit a pool name with a list of instances in that pool"),
        .init("which-heuristic-cluster-pool-instances", .pools, "heuristic-cluster-pool-instances/{hint}[/{pool}]",
              .detailsInstanceKeys, "List instances of a given cluster which are in either any pool or in a specific pool"),
    ]

    static let maintenance: [CommandSpec] = [
        .init("begin-downtime", .maintenance, "begin-downtime/{instance}/{owner}/{reason}/{duration}", .detailsKey,
              "Mark an instance as downtimed"),
        .init("end-downtime", .maintenance, "end-downtime/{instance}", .detailsKey,
              "Indicate an instance is no longer downtimed"),
        .init("begin-maintenance", .maintenance, "begin-maintenance/{instance}/{owner}/{reason}", .detailsKey,
              "Request a maintenance lock on an instance"),
        .init("end-maintenance", .maintenance, "end-maintenance/{instance}", .detailsKey,
              "Remove maintenance lock from an instance"),
        .init("register-candidate", .maintenance, "register-candidate/{instance}/{rule}", .detailsKey,
              "Indicate the promotion rule for a given instance"),
        .init("register-hostname-unresolve", .maintenance, "register-hostname-unresolve/{instance}/{hostname}",
              .detailsKey, "Assigns the given instance a virtual (aka \"unresolved\") name"),
        .init("deregister-hostname-unresolve", .maintenance, "deregister-hostname-unresolve/{instance}", .detailsKey,
              "Explicitly deregister/disassociate a hostname with an \"unresolved\" name"),
    ]
}
