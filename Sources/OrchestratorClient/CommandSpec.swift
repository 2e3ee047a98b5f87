/// One `-c` command: where it sends its request and how it prints the answer.
public struct CommandSpec: Sendable {
    /// The name used with `-c`.
    public let name: String
    /// Other accepted names (e.g. `which-instance` for `instance`).
    public let aliases: [String]
    public let group: CommandGroup
    /// One line for `help`.
    public let summary: String
    /// The API path below `/api/`, with `{placeholders}`; a `[...]` part is left out when a
    /// placeholder inside it has no value. `nil` for commands answered locally (`help`, `which-api`).
    public let route: String?
    public let output: OutputKind
    /// Accepts `--noop`: the request gets `noop=true` and the server only describes what it would do.
    public let supportsNoop: Bool
    /// A `raft-state` request made first, as upstream does for its raft commands.
    public let raftPrecheck: RaftPrecheck?

    init(
        _ name: String, _ group: CommandGroup, _ route: String?, _ output: OutputKind, aliases: [String] = [],
        noop: Bool = false, raft: RaftPrecheck? = nil, _ summary: String
    ) {
        self.name = name
        self.aliases = aliases
        self.group = group
        self.summary = summary
        self.route = route
        self.output = output
        self.supportsNoop = noop
        self.raftPrecheck = raft
    }
}

/// The sections `help` prints, in upstream's order.
public enum CommandGroup: String, CaseIterable, Sendable {
    case meta = "General"
    case discovery = "Discovery"
    case information = "Topology information"
    case refactoring = "Topology refactoring"
    case tags = "Tags"
    case pools = "Pools"
    case maintenance = "Maintenance and candidates"
    case replication = "Replication control"
    case recovery = "Recovery"
    case raft = "Raft"
}

/// What must hold before a raft command is sent.
public enum RaftPrecheck: Sendable, Equatable {
    /// The node answering must report "Leader" (it reads its own status, or yields).
    case leader
    /// "Leader" or "Follower": a follower in a healthy group knows the leader too.
    case member
}

/// How a response becomes output lines. Each case names the jq expression of upstream's client it
/// reproduces; "details" is the `Details` member of an `{Code, Message, Details}` envelope.
public enum OutputKind: Sendable, Equatable {
    /// Prints nothing (forget, forget-cluster).
    case nothing
    /// `jq -r .` on the response: strings raw, other values pretty.
    case responseRaw
    /// `jq -r '.[]'` on the response.
    case responseLines
    /// `jq -r '.Field'` on the response.
    case responseField(String)
    /// `jq -r '.[].Field'` on the response.
    case responseEachField(String)
    /// `.Key` of the response as host:port.
    case responseKey
    /// `.MasterKey` of the response as host:port.
    case responseMasterKey
    /// `.[] | .Key` of the response, host:port per line.
    case responseInstanceKeys
    /// `.[]` of the response (instance keys), host:port per line.
    case responseKeys
    /// `jq -r .` on the details.
    case detailsRaw
    /// `echo $api_details`: the details as JSON folded onto one line.
    case detailsEchoed
    /// `jq -r '.[]'` on the details.
    case detailsLines
    /// `jq -r '.Field'` on the details.
    case detailsField(String)
    /// The details are an instance key: host:port.
    case detailsKey
    /// `.Key` of the details (an instance) as host:port.
    case detailsInstanceKey
    /// The details are a list of instance keys.
    case detailsKeys
    /// The details are a list of instances: their keys.
    case detailsInstanceKeys
    /// `.SuccessorKey` of the details (a TopologyRecovery) as host:port.
    case detailsSuccessorKey
    /// `instance<master` from the details (an instance), as refactoring commands print.
    case detailsRelocated
    /// `.[] | (.Key + ":" + .Value)` on the details.
    case detailsKeyValuePairs
    /// `.[] | (.ClusterName + "," + .ClusterAlias)` on the response.
    case clustersAlias
    /// Replicas with a stopped thread and an error.
    case brokenReplicaKeys
    /// Replicas with both threads running.
    case runningReplicaKeys
    /// The instance's key if both replication threads run (state 1); nothing otherwise.
    case replicatingKey
    /// The instance's key if both replication threads are stopped (state 0); nothing otherwise.
    case replicationStoppedKey
    /// The details' key when the message says "true"; nothing otherwise.
    case canReplicate
    /// The data center with the most masters.
    case dominantDataCenter
    /// `host:port (cluster name): analysis` per entry.
    case replicationAnalysis
    /// `echo $api_response`: the whole response folded onto one line (`-c api`).
    case responseEchoed
    /// The details (or a non-envelope response): strings raw, lists of strings one per line,
    /// anything else pretty JSON; the Message when there are no details. Used for our additions and
    /// for `--noop` answers.
    case described
}
