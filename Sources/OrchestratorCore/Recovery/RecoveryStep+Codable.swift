/// Readable JSON for plans (`/api/failover-plan`, `--noop`): each step is an object named by `Name`
/// with only the fields it uses, plus its `Description`:
/// `{"Name":"repoint","Instance":{"Hostname":"db","Port":2},"Target":{...},"Start":true,"Description":"..."}`.
extension RecoveryStep: Codable {
    enum CodingKeys: String, CodingKey {
        case name = "Name", instance = "Instance", instances = "Instances", target = "Target", position = "Position"
        case setWritable = "SetWritable", start = "Start", reason = "Reason", seconds = "Seconds", description = "Description"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        switch self {
        case .stopReplication(let keys): try c.encode(keys, forKey: .instances)
        case .waitUntilApplied(let k, let pos):
            try c.encode(k, forKey: .instance); try c.encode(pos, forKey: .position)
        case .catchUp(let k, let from, let pos):
            try c.encode(k, forKey: .instance); try c.encode(from, forKey: .target); try c.encode(pos, forKey: .position)
        case .promote(let k, let writable):
            try c.encode(k, forKey: .instance); try c.encode(writable, forKey: .setWritable)
        case .repoint(let k, let to, let start):
            try c.encode(k, forKey: .instance); try c.encode(to, forKey: .target); try c.encode(start, forKey: .start)
        case .fenceOldMaster(let k), .setReadOnly(let k), .setWritable(let k), .startReplication(let k), .detach(let k), .endDowntime(let k):
            try c.encode(k, forKey: .instance)
        case .downtime(let k, let reason, let seconds):
            try c.encode(k, forKey: .instance); try c.encode(reason, forKey: .reason); try c.encode(seconds, forKey: .seconds)
        }
        try c.encode(description, forKey: .description)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.decode(String.self, forKey: .name)
        func key() throws -> InstanceKey { try c.decode(InstanceKey.self, forKey: .instance) }
        func target() throws -> InstanceKey { try c.decode(InstanceKey.self, forKey: .target) }
        func position() throws -> RecoveryPosition { try c.decode(RecoveryPosition.self, forKey: .position) }
        switch name {
        case "stop-replication": self = .stopReplication(try c.decode([InstanceKey].self, forKey: .instances))
        case "wait-until-applied": self = .waitUntilApplied(try key(), upTo: try position())
        case "catch-up": self = .catchUp(try key(), from: try target(), upTo: try position())
        case "promote": self = .promote(try key(), setWritable: try c.decode(Bool.self, forKey: .setWritable))
        case "repoint": self = .repoint(try key(), to: try target(), start: try c.decode(Bool.self, forKey: .start))
        case "fence-old-master": self = .fenceOldMaster(try key())
        case "set-read-only": self = .setReadOnly(try key())
        case "set-writeable": self = .setWritable(try key())
        case "start-replication": self = .startReplication(try key())
        case "detach": self = .detach(try key())
        case "end-downtime": self = .endDowntime(try key())
        case "downtime":
            self = .downtime(try key(), reason: try c.decode(String.self, forKey: .reason),
                             seconds: try c.decode(Int64.self, forKey: .seconds))
        default:
            throw DecodingError.dataCorruptedError(forKey: .name, in: c, debugDescription: "unknown recovery step \"\(name)\"")
        }
    }
}

/// `{"Kind":"relay-log-end"}`, `{"Kind":"gtid","GTID":"0-1-100"}`, `{"Kind":"position-of","Instance":{...}}`.
extension RecoveryPosition: Codable {
    enum CodingKeys: String, CodingKey { case kind = "Kind", gtid = "GTID", instance = "Instance" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .relayLogEnd: try c.encode("relay-log-end", forKey: .kind)
        case .gtid(let text): try c.encode("gtid", forKey: .kind); try c.encode(text, forKey: .gtid)
        case .positionOf(let key): try c.encode("position-of", forKey: .kind); try c.encode(key, forKey: .instance)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "relay-log-end": self = .relayLogEnd
        case "gtid": self = .gtid(try c.decode(String.self, forKey: .gtid))
        case "position-of": self = .positionOf(try c.decode(InstanceKey.self, forKey: .instance))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown position kind \"\(other)\"")
        }
    }
}
