/// Where another node's API answers: `http://host:port` or `https://host:port` (upstream's
/// `HTTPAdvertise`). The server's own small URL type: scheme, host and port are all the client needs;
/// a path after the authority is kept but requests name their own path.
public struct HTTPAddress: Hashable, Sendable, CustomStringConvertible {
    /// `http` or `https`.
    public enum Scheme: String, Hashable, Sendable {
        case http, https

        /// 80 or 443.
        public var defaultPort: Int { self == .http ? 80 : 443 }
    }

    public var scheme: Scheme
    /// A name, an IPv4 address or an IPv6 address (without brackets).
    public var host: String
    public var port: Int
    /// Whatever followed the authority, e.g. `/api`; empty when nothing did.
    public var path: String

    public init(scheme: Scheme, host: String, port: Int, path: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
    }

    /// Parses `http[s]://host[:port][/path]`; the scheme is required (an address without one is more
    /// likely a Raft address given by mistake than an API address).
    public init(parsing text: String) throws(HTTPClientError) {
        func invalid(_ why: String) -> HTTPClientError {
            HTTPClientError(.invalidAddress, address: text, detail: "\(why); expected http://host:port or https://host:port")
        }
        guard let schemeEnd = text.firstRange(of: "://") else { throw invalid("no scheme") }
        guard let scheme = Scheme(rawValue: text[..<schemeEnd.lowerBound].lowercased()) else {
            throw invalid("unsupported scheme \"\(text[..<schemeEnd.lowerBound])\"")
        }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<cut]) }
        guard !authority.contains("@") else {
            // Peers authenticate with the node's configured credentials, never with ones in an address.
            throw invalid("credentials in the address are not accepted")
        }
        var host = String(authority)
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("unclosed \"[\" in the host") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected \"\(after)\" after the host") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        }
        var port = scheme.defaultPort
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw invalid("invalid port \"\(portText)\"")
            }
            port = number
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "[" || $0 == "]" }) else {
            throw invalid("no valid host")
        }
        self.init(scheme: scheme, host: host, port: port, path: path)
    }

    /// `host:port` as the `Host` header and messages want it (IPv6 in brackets).
    public var authority: String { "\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// The same scheme, host and port (the unit connections are pooled by).
    var origin: HTTPAddress { HTTPAddress(scheme: scheme, host: host, port: port) }

    /// `scheme://host:port` (without the path), the form errors name.
    public var description: String { "\(scheme.rawValue)://\(authority)" }
}
