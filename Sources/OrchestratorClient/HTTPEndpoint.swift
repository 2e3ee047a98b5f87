/// One orchestrator API base URL, e.g. `http://orc1:3000/api` or `https://orc1:3000/api`.
public struct HTTPEndpoint: Equatable, Sendable, CustomStringConvertible {
    /// `https://`: the request goes over TLS, the server's certificate verified (see `TLSSettings`).
    public var tls: Bool
    public var host: String
    public var port: Int
    /// Always ends in `/api` (upstream's client appends it when missing).
    public var basePath: String
    /// Credentials embedded in the URL (`http://user:pass@host/`), used when no others are given.
    public var user: String?
    public var password: String?

    public init(host: String, port: Int, basePath: String = "/api", user: String? = nil, password: String? = nil,
                tls: Bool = false) {
        self.tls = tls
        self.host = host
        self.port = port
        self.basePath = basePath
        self.user = user
        self.password = password
    }

    /// The URL without credentials, safe to print.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(tls ? "https" : "http")://\(shownHost):\(port)\(basePath)"
    }

    /// Parses one endpoint: `http[s]://[user[:password]@]host[:port][/path]`; a missing scheme means
    /// http. The default port is the scheme's (80, 443), as in any URL.
    public static func parse(_ text: String) throws(UsageError) -> HTTPEndpoint {
        var rest = Substring(text)
        var tls = false
        if let schemeEnd = rest.firstRange(of: "://") {
            let scheme = rest[..<schemeEnd.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else {
                throw UsageError("unsupported scheme '\(scheme)' in ORCHESTRATOR_API endpoint \(redacted(text)); use http://host:port or https://host:port")
            }
            tls = scheme == "https"
            rest = rest[schemeEnd.upperBound...]
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<cut]) }

        var user: String?
        var password: String?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = String(userInfo[..<colon])
                password = String(userInfo[userInfo.index(after: colon)...])
            } else {
                user = String(userInfo)
            }
        }
        var host = String(authority)
        var port = tls ? 443 : 80
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()), (1...65535).contains(number) else {
                    throw UsageError("invalid port in API endpoint \(redacted(text))")
                }
                port = number
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                throw UsageError("invalid port in API endpoint \(redacted(text))")
            }
            port = number
        }
        guard !host.isEmpty else { throw UsageError("no host in API endpoint '\(redacted(text))'; use http://host:port") }

        while path.hasSuffix("/") { path.removeLast() }
        if !path.hasSuffix("/api") { path += "/api" }
        return HTTPEndpoint(host: host, port: port, basePath: path, user: user, password: password, tls: tls)
    }

    /// Parses ORCHESTRATOR_API / -U: one or several endpoints separated by whitespace.
    public static func parseList(_ text: String) throws(UsageError) -> [HTTPEndpoint] {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard !words.isEmpty else { throw UsageError("ORCHESTRATOR_API is empty; set it to http://host:3000 (or use -U)") }
        var endpoints: [HTTPEndpoint] = []
        for word in words { endpoints.append(try parse(String(word))) }
        return endpoints
    }

    /// `text` with any `user:password@` part hidden, for messages.
    public static func redacted(_ text: String) -> String {
        var out = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !out.isEmpty { out += " " }
            if let at = word.lastIndex(of: "@") {
                let schemeEnd = word.firstRange(of: "://")?.upperBound ?? word.startIndex
                out += word[..<schemeEnd] + "<credentials removed>" + word[at...]
            } else {
                out += word
            }
        }
        return out
    }
}
