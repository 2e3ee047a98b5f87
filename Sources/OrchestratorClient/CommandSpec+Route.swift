// MARK: - Filling a route template from the options

extension CommandSpec {
    /// The API path below `/api/` for these options, e.g. `relocate/db1/3306/db2/3306`. Throws a usage
    /// error naming the missing flag, checking in the order the template mentions them.
    public func requestPath(options: ClientOptions, currentUser: () -> String = { "" }) throws(UsageError) -> String {
        guard let route else { throw UsageError("-c \(name) makes no API request") }
        if options.noop && !supportsNoop {
            throw UsageError("-c \(name) does not support --noop; it works with recover, graceful-master-takeover, refactoring and replication-control commands")
        }
        var path = ""
        var optional: String?  // text of the current [...] part while inside one
        var optionalComplete = true
        var index = route.startIndex
        while index < route.endIndex {
            let character = route[index]
            switch character {
            case "[":
                optional = ""
                optionalComplete = true
                index = route.index(after: index)
            case "]":
                if let part = optional, optionalComplete { path += part }
                optional = nil
                index = route.index(after: index)
            case "{":
                guard let close = route[index...].firstIndex(of: "}") else { preconditionFailure("bad route \(route)") }
                let placeholder = String(route[route.index(after: index)..<close])
                let value = try self.value(of: placeholder, options: options, currentUser: currentUser,
                                           required: optional == nil)
                if optional != nil {
                    if let value { optional! += value } else { optionalComplete = false }
                } else if let value {
                    path += value
                }
                index = route.index(after: close)
            default:
                if optional != nil { optional!.append(character) } else { path.append(character) }
                index = route.index(after: index)
            }
        }
        if options.noop { path += path.contains("?") ? "&noop=true" : "?noop=true" }
        return path
    }

    /// The encoded value for a placeholder; nil when absent and not required.
    func value(
        of placeholder: String, options: ClientOptions, currentUser: () -> String, required: Bool
    ) throws(UsageError) -> String? {
        func present(_ text: String?) -> String? {
            guard let text, !text.isEmpty else { return nil }
            return text
        }
        func need(_ text: String?, _ what: String) throws(UsageError) -> String? {
            if let text = present(text) { return text }
            if required { throw UsageError("-c \(name) needs \(what)") }
            return nil
        }
        switch placeholder {
        case "instance":
            guard let text = try need(options.instance, "an instance: give -i host[:port] (or set ORCHESTRATOR_INSTANCE)")
            else { return nil }
            return try InstanceArgument.hostPort(text, defaultPort: options.defaultPort, flag: "-i")
        case "destination":
            guard let text = try need(options.destination, "a destination: give -d host[:port]") else { return nil }
            return try InstanceArgument.hostPort(text, defaultPort: options.defaultPort, flag: "-d")
        case "hint":
            let hint = present(options.alias) ?? present(options.instance)
            return try need(hint, "a cluster: give -a <cluster alias> or -i host[:port]")
                .map { percentEncode($0, allowing: .pathSegment) }
        case "alias":
            return try need(options.alias, "a cluster alias: give -a <alias>").map { percentEncode($0, allowing: .pathSegment) }
        case "text":
            return try need(options.instance, "a value for -i (the search text, or a comma-separated instance list)").map { percentEncode($0, allowing: .strict) }
        case "owner":
            let owner = present(options.owner) ?? present(currentUser())
            return try need(owner, "an owner: give -o <owner>").map { percentEncode($0, allowing: .strict) }
        case "reason":
            return try need(options.reason, "a reason: give -r <reason>").map { percentEncode($0, allowing: .strict) }
        case "duration":
            return try need(options.duration, "a duration: give -u <duration>, e.g. 30m")
                .map { percentEncode($0, allowing: .pathSegment) }
        case "rule":
            return try need(options.promotionRule, "a promotion rule: give -R prefer|neutral|prefer_not|must_not")
                .map { percentEncode($0, allowing: .pathSegment) }
        case "tag":
            return try need(options.tag, "a tag: give -t name[=value]").map { percentEncode($0, allowing: .strict) }
        case "pool":
            return try need(options.pool, "a pool: give -l <pool>").map { percentEncode($0, allowing: .pathSegment) }
        case "hostname":
            return try need(options.hostname, "a host name: give -H <hostname>").map { percentEncode($0, allowing: .pathSegment) }
        case "seconds":
            return try need(options.seconds, "a number of seconds: give -S <seconds>").map { percentEncode($0, allowing: .pathSegment) }
        case "binlog":
            return try need(options.binlog, "a binary log name: give -n <binlog>").map { percentEncode($0, allowing: .pathSegment) }
        case "query":
            return try need(options.query, "a query: give -q <query>").map { percentEncode($0, allowing: .strict) }
        case "path":
            // Sent as given (it may carry its own query string); leading slashes dropped.
            guard let path = try need(options.path, "an API path: give -P <path>, e.g. -P clusters") else { return nil }
            var trimmed = Substring(path)
            while trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
            return percentEncode(String(trimmed), allowing: .requestTarget)
        default:
            preconditionFailure("unknown placeholder {\(placeholder)} in route of \(name)")
        }
    }
}
