// MARK: - Turning a response into output lines

/// The response did not have the shape the command prints from.
public struct UnexpectedResponse: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension JSON {
    /// Whether this is upstream's `{"Code","Message","Details"}` envelope (jq: `has("Code")`).
    var isEnvelope: Bool { has("Code") }

    /// The envelope's `Details`, or the value itself when the server answered without an envelope.
    var details: JSON { isEnvelope ? self["Details"] : self }
}

extension OutputKind {
    /// The lines to print for `response`, reproducing upstream's jq expressions.
    public func render(_ response: JSON) throws(UnexpectedResponse) -> [String] {
        let details = response.details
        switch self {
        case .nothing:
            return []
        case .responseRaw:
            return [response.raw]
        case .responseLines:
            return try elements(response, "the response").map(\.raw)
        case let .responseField(field):
            return [response[field].raw]
        case let .responseEachField(field):
            return try elements(response, "the response").map { $0[field].raw }
        case .responseKey:
            return [try key(response["Key"], "Key")]
        case .responseMasterKey:
            return [try key(response["MasterKey"], "MasterKey")]
        case .responseInstanceKeys:
            return try elements(response, "the response").map { (instance) throws(UnexpectedResponse) in
                try key(instance["Key"], "Key")
            }
        case .responseKeys:
            return try elements(response, "the response").map { (item) throws(UnexpectedResponse) in
                try key(item, "instance key")
            }
        case .detailsRaw:
            return [details.raw]
        case .detailsEchoed:
            return [details.echoed]
        case .detailsLines:
            return try elements(details, "Details").map(\.raw)
        case let .detailsField(field):
            return [details[field].raw]
        case .detailsKey:
            return [try key(details, "Details")]
        case .detailsInstanceKey:
            return [try key(details["Key"], "Details.Key")]
        case .detailsKeys:
            return try elements(details, "Details").map { (item) throws(UnexpectedResponse) in
                try key(item, "instance key")
            }
        case .detailsInstanceKeys:
            return try elements(details, "Details").map { (instance) throws(UnexpectedResponse) in
                try key(instance["Key"], "Key")
            }
        case .detailsSuccessorKey:
            return [try key(details["SuccessorKey"], "Details.SuccessorKey")]
        case .detailsRelocated:
            return [try key(details["Key"], "Details.Key") + "<" + key(details["MasterKey"], "Details.MasterKey")]
        case .detailsKeyValuePairs:
            return try elements(details, "Details").map { jqConcat($0["Key"], ":", $0["Value"]) }
        case .clustersAlias:
            return try elements(response, "the response").map { jqConcat($0["ClusterName"], ",", $0["ClusterAlias"]) }
        case .brokenReplicaKeys:
            return try instanceKeys(response) { replica in
                let stopped = replica["ReplicationSQLThreadRuning"] == .bool(false)
                    || replica["ReplicationIOThreadRuning"] == .bool(false)
                let failed = replica["LastSQLError"] != .string("") || replica["LastIOError"] != .string("")
                return stopped && failed
            }
        case .runningReplicaKeys:
            return try instanceKeys(response) { replica in
                replica["ReplicationSQLThreadRuning"] == .bool(true) && replica["ReplicationIOThreadRuning"] == .bool(true)
            }
        case .replicatingKey:
            return try threadStates(response, equal: 1)
        case .replicationStoppedKey:
            return try threadStates(response, equal: 0)
        case .canReplicate:
            guard (response["Message"].stringValue ?? "").contains("true") else { return [] }
            return [try key(details, "Details")]
        case .dominantDataCenter:
            return [dominantDataCenter(try elements(response, "the response"))]
        case .replicationAnalysis:
            return try elements(details, "Details").map(analysisLine)
        case .responseEchoed:
            return [response.echoed]
        case .described:
            if details.isNull, let message = response["Message"].stringValue { return [message] }
            if let items = details.arrayValue, items.allSatisfy({ $0.stringValue != nil }) {
                return items.map(\.raw)
            }
            return [details.raw]
        }
    }

    // MARK: - Helpers

    func elements(_ value: JSON, _ what: String) throws(UnexpectedResponse) -> [JSON] {
        if let items = value.arrayValue { return items }
        if value.isNull { return [] }  // Go encodes an empty slice as null.
        throw UnexpectedResponse("expected a list in \(what), got \(value.typeName)")
    }

    /// An InstanceKey as `host:port` (jq: `.Hostname + ":" + (.Port | tostring)`).
    func key(_ value: JSON, _ what: String) throws(UnexpectedResponse) -> String {
        guard case .object = value else {
            throw UnexpectedResponse("expected an instance key in \(what), got \(value.typeName)")
        }
        let port: String
        switch value["Port"] {
        case let .number(text): port = text
        case let .string(text): port = text
        case .null: port = "null"
        case let other: port = other.compact
        }
        return (value["Hostname"].stringValue ?? "") + ":" + port
    }

    /// jq's string `+`: null is the identity.
    func jqConcat(_ left: JSON, _ separator: String, _ right: JSON) -> String {
        (left.stringValue ?? "") + separator + (right.stringValue ?? "")
    }

    func instanceKeys(_ response: JSON, where include: (JSON) -> Bool) throws(UnexpectedResponse) -> [String] {
        var lines: [String] = []
        for instance in try elements(response, "the response") where include(instance) {
            lines.append(try key(instance["Key"], "Key"))
        }
        return lines
    }

    func threadStates(_ instance: JSON, equal state: Int) throws(UnexpectedResponse) -> [String] {
        guard instance["ReplicationSQLThreadState"].intValue == state,
              instance["ReplicationIOThreadState"].intValue == state
        else { return [] }
        return [try key(instance["Key"], "Key")]
    }

    /// The most common `DataCenter` of the masters; ties go to the name sorting last, as upstream's
    /// `sort | uniq -c | sort -nr | head -n 1` does.
    func dominantDataCenter(_ masters: [JSON]) -> String {
        var counts: [String: Int] = [:]
        for master in masters { counts[master["DataCenter"].stringValue ?? "", default: 0] += 1 }
        let best = counts.max { lhs, rhs in lhs.value != rhs.value ? lhs.value < rhs.value : lhs.key < rhs.key }
        return best?.key ?? ""
    }

    func analysisLine(_ entry: JSON) -> String {
        let key = entry["AnalyzedInstanceKey"]
        let port: String
        switch key["Port"] {
        case let .number(text): port = text
        case let .string(text): port = text
        default: port = "null"
        }
        let cluster = entry["ClusterDetails"]["ClusterName"].stringValue ?? ""
        let prefix = (key["Hostname"].stringValue ?? "") + ":" + port + " (cluster " + cluster + "): "
        let analysis = entry["Analysis"].stringValue ?? ""
        if analysis == "NoProblem" { return prefix + (entry["StructureAnalysis"][0].stringValue ?? "") }
        return prefix + analysis
    }
}
