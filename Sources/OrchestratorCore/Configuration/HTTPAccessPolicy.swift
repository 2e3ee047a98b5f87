/// Who may use the HTTP API, and for what: upstream's `AuthenticationMethod` (`""`, `basic`, `multi`,
/// `proxy`), `HTTPAuthUser`/`HTTPAuthPassword`, `AuthUserHeader`, `PowerAuthUsers` and `ReadOnly`.
///
/// - `basic`: one user and password; whoever presents them may do everything.
/// - `multi`: like `basic`, and the user `readonly` with any password may read but not change anything.
/// - `proxy`: a reverse proxy authenticated the caller and names them in `AuthUserHeader`; anyone may
///   read, only `PowerAuthUsers` (`*` = everyone) may change things.
/// - `ReadOnly`: nobody changes anything through the API, whatever the method.
///
/// Load balancers' probes (`lb-check`, `leader-check`, `raft-health`) answer without credentials: they
/// reveal one bit (alive, leader, in a quorum) and HAProxy-style checks rarely carry credentials.
public struct HTTPAccessPolicy: Sendable, Equatable {
    public enum Method: String, Sendable, Equatable {
        case open = ""
        case basic, multi, proxy
    }

    public var method: Method
    public var user: String
    public var password: String
    /// The header a `proxy` method reads the user from (compared case-insensitively).
    public var userHeader: String
    public var powerUsers: [String]
    public var readOnly: Bool

    public init(method: Method = .open, user: String = "", password: String = "", userHeader: String = "X-Forwarded-User",
                powerUsers: [String] = ["*"], readOnly: Bool = false) {
        self.method = method
        self.user = user
        self.password = password
        self.userHeader = userHeader
        self.powerUsers = powerUsers
        self.readOnly = readOnly
    }

    /// No authentication, writes allowed: upstream's default.
    public static let open = HTTPAccessPolicy()

    /// What the caller proved.
    public struct Identity: Sendable, Equatable {
        /// The user name, when there is one (for logs and audit).
        public var user: String?
        /// May change state (subject to `ReadOnly`).
        public var mayWrite: Bool
    }

    public enum Decision: Sendable, Equatable {
        case allow(Identity)
        /// No or wrong credentials: answer 401 with a `WWW-Authenticate` challenge.
        case unauthenticated(String)
        /// Authenticated, but not allowed to do this: answer 403.
        case forbidden(String)
    }

    /// The realm sent in the 401 challenge.
    public static let realm = "orchd"

    /// Decides one request. `headers` may use any case for names; `changesState` is the route's
    /// "mutating" flag; `isProbe` marks the load-balancer probes that never need credentials.
    public func decide(headers: [String: String], changesState: Bool, isProbe: Bool = false) -> Decision {
        if isProbe, !changesState { return .allow(Identity(user: nil, mayWrite: false)) }
        let identity: Identity
        switch authenticate(headers: headers) {
        case .success(let who): identity = who
        case .failure(let denied): return .unauthenticated(denied.reason)
        }
        guard changesState else { return .allow(identity) }
        if readOnly {
            return .forbidden("this orchd is configured ReadOnly: the API changes nothing")
        }
        guard identity.mayWrite else {
            let who = identity.user.map { "user \"\($0)\"" } ?? "an unnamed user"
            switch method {
            case .proxy:
                return .forbidden("\(who) may read but not change anything: not listed in PowerAuthUsers")
            default:
                return .forbidden("\(who) may read but not change anything")
            }
        }
        return .allow(identity)
    }

    func authenticate(headers: [String: String]) -> Result<Identity, AccessDenied> {
        switch method {
        case .open:
            return .success(Identity(user: nil, mayWrite: true))
        case .proxy:
            let name = Self.header(userHeader, in: headers)?.trimmingWhitespace() ?? ""
            let power = powerUsers.contains("*") || (!name.isEmpty && powerUsers.contains(name))
            return .success(Identity(user: name.isEmpty ? nil : name, mayWrite: power))
        case .basic, .multi:
            guard let value = Self.header("Authorization", in: headers) else {
                return .failure(AccessDenied("authentication required: send HTTP basic credentials"))
            }
            guard let (name, secret) = Self.basicCredentials(value) else {
                return .failure(AccessDenied("the Authorization header is not valid HTTP basic credentials"))
            }
            if method == .multi, name == "readonly" {
                return .success(Identity(user: name, mayWrite: false))
            }
            // Both compared in full whatever matches, so the time taken says nothing about either.
            let userMatches = Self.constantTimeEquals(name, user)
            let passwordMatches = Self.constantTimeEquals(secret, password)
            guard userMatches && passwordMatches else {
                return .failure(AccessDenied("wrong user name or password"))
            }
            return .success(Identity(user: name, mayWrite: true))
        }
    }

    public struct AccessDenied: Error, Sendable, Equatable {
        public var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    static func header(_ name: String, in headers: [String: String]) -> String? {
        if let exact = headers[name] { return exact }
        let lower = name.lowercased()
        return headers.first { $0.key.lowercased() == lower }?.value
    }

    /// `Basic base64(user:password)` -> (user, password).
    static func basicCredentials(_ value: String) -> (String, String)? {
        let parts = value.trimmingWhitespace().split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let bytes = Base64.decode(String(parts[1]).trimmingWhitespace()) else { return nil }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        guard let name = String(validating: bytes[..<colon], as: UTF8.self),
              let secret = String(validating: bytes[(colon + 1)...], as: UTF8.self) else { return nil }
        return (name, secret)
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        let n = max(x.count, y.count)
        for i in 0..<n {
            difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return difference == 0
    }
}

extension HTTPAccessPolicy {
    /// Why a request that changes state looks like a browser's cross-site request, or nil.
    ///
    /// Upstream's API changes state with plain GETs, and a browser that has the API's basic-auth
    /// credentials (the web UI) sends them with any request to it, even one another site's page makes
    /// (`<img src=".../api/disable-global-recoveries">`). Browsers say where a request comes from
    /// (`Sec-Fetch-Site`, `Origin`); the CLI, curl and scripts send neither, so they are unaffected.
    public static func crossSiteReason(headers: [String: String]) -> String? {
        if let site = header("Sec-Fetch-Site", in: headers)?.lowercased(), site == "cross-site" || site == "same-site" {
            return "a browser request from another site (Sec-Fetch-Site: \(site)) cannot change anything"
        }
        guard let origin = header("Origin", in: headers)?.trimmingWhitespace() else { return nil }
        let host = header("Host", in: headers)?.trimmingWhitespace().lowercased() ?? ""
        var originHost = origin.lowercased()
        for scheme in ["http://", "https://"] where originHost.hasPrefix(scheme) { originHost.removeFirst(scheme.count) }
        if originHost.hasSuffix("/") { originHost.removeLast() }
        guard originHost == host, !host.isEmpty else {
            return "a browser request from another origin (\(origin)) cannot change anything"
        }
        return nil
    }

    /// The policy the configuration asks for. `validate()` has already refused methods orchd lacks.
    public init(configuration config: OrchestratorConfiguration) {
        self.init(method: Method(rawValue: config.authenticationMethod.lowercased()) ?? .open,
                  user: config.httpAuthUser, password: config.httpAuthPassword,
                  userHeader: config.string("AuthUserHeader"), powerUsers: config.strings("PowerAuthUsers"),
                  readOnly: config.readOnly)
    }
}

/// Standard base64 (RFC 4648), padding optional; nil for anything else.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        var padding = 0
        for c in text.utf8 {
            if c == UInt8(ascii: "=") { padding += 1; continue }
            guard padding == 0 else { return nil }
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(c - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(c - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"): values.append(62)
            case UInt8(ascii: "/"): values.append(63)
            default: return nil
            }
        }
        guard padding <= 2, values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var i = 0
        while i < values.count {
            let chunk = values[i..<min(i + 4, values.count)]
            let a = chunk[chunk.startIndex], b = chunk[chunk.startIndex + 1]
            out.append(a << 2 | b >> 4)
            if chunk.count > 2 {
                let c = chunk[chunk.startIndex + 2]
                out.append((b & 0x0F) << 4 | c >> 2)
                if chunk.count > 3 { out.append((c & 0x03) << 6 | chunk[chunk.startIndex + 3]) }
            }
            i += 4
        }
        return out
    }
}
