/// Identity of a MySQL/MariaDB server: the host name (or address) and port orchestrator reaches it by.
///
/// JSON shape is upstream's: `{"Hostname":"db1","Port":3306}`. The text form is `host:port`, with
/// IPv6 literals written in brackets (`[::1]:3306`).
public struct InstanceKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The port used when a key is written without one.
    public static let defaultPort = 3306

    public var hostname: String
    public var port: Int

    public init(hostname: String, port: Int) {
        self.hostname = hostname
        self.port = port
    }

    /// The "no key" value upstream uses for a server with no master: `{"Hostname":"","Port":0}`.
    public static let empty = InstanceKey(hostname: "", port: 0)

    /// True when this is the empty key (no hostname).
    public var isEmpty: Bool { hostname.isEmpty }

    /// True when the key names a reachable server: a host name and a port in 1...65535.
    public var isValid: Bool { !hostname.isEmpty && hostname != "_" && (1...65535).contains(port) }

    /// True for the master key a replica shows after `detach-replica-master-host` (`//host`): it
    /// remembers the master but names no server to probe.
    public var isDetachedMasterKey: Bool { hostname.hasPrefix("//") }

    // MARK: - Text form

    /// `host:port`; IPv6 hosts are bracketed so the string parses back to the same key.
    public var displayString: String {
        hostname.contains(":") ? "[\(hostname)]:\(port)" : "\(hostname):\(port)"
    }

    public var description: String { displayString }

    /// Parses `host:port`, `host`, `[v6]:port`, `[v6]` or a bare IPv6 literal (`::1`, which then takes
    /// the default port). Surrounding whitespace is ignored.
    public init(parsing text: String, defaultPort: Int = InstanceKey.defaultPort) throws(InstanceKeyError) {
        let input = text.trimmingWhitespace()
        guard !input.isEmpty else { throw .emptyHostname(input: text) }
        var host: Substring
        var portText: Substring?
        if input.hasPrefix("[") {
            guard let close = input.firstIndex(of: "]") else { throw .unbalancedBracket(input: text) }
            host = input[input.index(after: input.startIndex)..<close]
            let rest = input[input.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw .unexpectedText(input: text, text: String(rest)) }
                portText = rest.dropFirst()
            }
        } else {
            let colons = input.filter { $0 == ":" }.count
            if colons == 1, let colon = input.firstIndex(of: ":") {
                host = input[..<colon]
                portText = input[input.index(after: colon)...]
            } else {
                // No colon, or several: a bare IPv6 literal without port.
                host = Substring(input)
                if colons > 1 && !InstanceKey.looksLikeIPv6(host) {
                    throw .invalidHostname(input: text, hostname: String(host))
                }
            }
        }
        guard !host.isEmpty else { throw .emptyHostname(input: text) }
        if host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "[" || $0 == "]" }) {
            throw .invalidHostname(input: text, hostname: String(host))
        }
        var port = defaultPort
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw .invalidPort(input: text, port: String(portText))
            }
            port = value
        }
        self.init(hostname: String(host), port: port)
    }

    /// The shape of an IPv6 literal: hex groups of up to 4 digits separated by colons, compressed with
    /// `::` or complete, an optional embedded IPv4 tail and `%zone` suffix.
    static func looksLikeIPv6(_ text: Substring) -> Bool {
        let address = text.split(separator: "%", maxSplits: 1).first ?? text
        guard address.contains(":"), address.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
        let groups = address.split(separator: ":", omittingEmptySubsequences: false)
        guard groups.allSatisfy({ $0.count <= 4 || $0.contains(".") }) else { return false }
        // Either compressed ("::") or all groups present (8, or 7 ending in an embedded IPv4 address).
        let embeddedIPv4 = groups.last?.contains(".") ?? false
        return address.contains("::") || groups.count == 8 || (groups.count == 7 && embeddedIPv4)
    }

    // MARK: - Ordering

    public static func < (lhs: InstanceKey, rhs: InstanceKey) -> Bool {
        lhs.hostname != rhs.hostname ? lhs.hostname < rhs.hostname : lhs.port < rhs.port
    }

    // MARK: - Codable

    private enum CodingKeys: String, CodingKey {
        case hostname = "Hostname"
        case port = "Port"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hostname = try c.decodeIfPresent(String.self, forKey: .hostname) ?? ""
        port = try c.decodeIfPresent(Int.self, forKey: .port) ?? 0
    }
}

/// Why a `host[:port]` string could not be read as an `InstanceKey`.
public enum InstanceKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyHostname(input: String)
    case invalidPort(input: String, port: String)
    case unbalancedBracket(input: String)
    case unexpectedText(input: String, text: String)
    case invalidHostname(input: String, hostname: String)

    public var description: String {
        switch self {
        case .emptyHostname(let input):
            return "invalid instance \"\(input)\": the host name is empty; expected host[:port]"
        case .invalidPort(let input, let port):
            return "invalid instance \"\(input)\": port \"\(port)\" must be a number from 1 to 65535"
        case .unbalancedBracket(let input):
            return "invalid instance \"\(input)\": missing \"]\" after an IPv6 address; write [addr]:port"
        case .unexpectedText(let input, let text):
            return "invalid instance \"\(input)\": unexpected \"\(text)\" after \"]\"; write [addr]:port"
        case .invalidHostname(let input, let hostname):
            return "invalid instance \"\(input)\": \"\(hostname)\" is not a host name or address; expected host[:port] or [IPv6]:port"
        }
    }
}

extension String {
    /// Trims spaces, tabs and newlines without Foundation.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
