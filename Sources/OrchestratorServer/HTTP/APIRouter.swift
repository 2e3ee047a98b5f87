/// Matches request paths against upstream-style patterns (`/api/discover/:host/:port`), with
/// upstream's synonyms: every pattern containing "slave" also answers with "replica", and vice versa.
public struct APIRouter<Handler: Sendable>: Sendable {
    public struct Route: Sendable {
        public var pattern: String
        public var segments: [Substring]
        /// Changes state: served by the Raft leader (followers proxy it).
        public var mutating: Bool
        public var handler: Handler
    }

    public private(set) var routes: [Route] = []
    private var index: [Int: [Int]] = [:]

    public init() {}

    public mutating func add(_ pattern: String, mutating: Bool = false, _ handler: Handler) {
        var patterns = [pattern]
        if pattern.contains("slave") { patterns.append(pattern.replacingAll("slave", with: "replica")) }
        if pattern.contains("replica") { patterns.append(pattern.replacingAll("replica", with: "slave")) }
        for p in patterns where !routes.contains(where: { $0.pattern == p }) {
            let segments = p.split(separator: "/")
            index[segments.count, default: []].append(routes.count)
            routes.append(Route(pattern: p, segments: segments, mutating: mutating, handler: handler))
        }
    }

    /// The route for `path` and its parameters (percent-decoded), preferring literal segments.
    public func match(_ path: String) -> (route: Route, parameters: [String: String])? {
        let parts = path.split(separator: "/")
        var best: (route: Route, parameters: [String: String], literals: Int)?
        for i in index[parts.count] ?? [] {
            let route = routes[i]
            var parameters: [String: String] = [:]
            var literals = 0
            var ok = true
            for (pattern, part) in zip(route.segments, parts) {
                if pattern.hasPrefix(":") {
                    parameters[String(pattern.dropFirst())] = APIRequest.decode(String(part))
                } else if pattern == part {
                    literals += 1
                } else {
                    ok = false
                    break
                }
            }
            if ok, best == nil || literals > best!.literals { best = (route, parameters, literals) }
        }
        return best.map { ($0.route, $0.parameters) }
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
