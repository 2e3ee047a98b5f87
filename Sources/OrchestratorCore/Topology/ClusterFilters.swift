/// Matching of cluster filter lists (`RecoverMasterClusterFilters`,
/// `RecoverIntermediateMasterClusterFilters`) and of the `ClusterNameToAlias` map, with upstream's rules.
public enum ClusterFilters {
    /// True when any filter matches the cluster. A filter matches when it is `*`, equals the cluster
    /// name or alias, is `alias=NAME` with NAME equal to the alias, is `alias~=REGEX` with REGEX found
    /// in the alias, or is a regular expression found in the cluster name. Invalid regular expressions
    /// match nothing (configuration loading rejects none of these, as upstream).
    public static func matches(_ filters: [String], clusterName: String, clusterAlias: String) -> Bool {
        for filter in filters where !filter.isEmpty {
            if filter == "*" || filter == clusterName || filter == clusterAlias { return true }
            if filter.hasPrefix("alias=") {
                if String(filter.dropFirst("alias=".count)) == clusterAlias { return true }
            } else if filter.hasPrefix("alias~=") {
                if search(String(filter.dropFirst("alias~=".count)), in: clusterAlias) { return true }
            } else if search(filter, in: clusterName) {
                return true
            }
        }
        return false
    }

    /// The alias `ClusterNameToAlias` gives `clusterName`: an exact key match first, else the first
    /// pattern (in sorted order, for determinism; upstream's order is random) found in the name.
    public static func mappedAlias(_ clusterNameToAlias: [String: String], clusterName: String) -> String? {
        if let exact = clusterNameToAlias[clusterName], !exact.isEmpty { return exact }
        for pattern in clusterNameToAlias.keys.sorted() where !pattern.isEmpty {
            if let alias = clusterNameToAlias[pattern], !alias.isEmpty, search(pattern, in: clusterName) { return alias }
        }
        return nil
    }

    /// Unanchored regular-expression search, like Go's `regexp.MatchString`.
    public static func search(_ pattern: String, in text: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return text.contains(regex)
    }

    /// True when `hostname` matches any of the regular expressions (the `...HostnameFilters` keys).
    public static func hostnameMatchesAny(_ hostname: String, filters: [String]) -> Bool {
        filters.contains { !$0.isEmpty && search($0, in: hostname) }
    }

    /// The first capture group of `pattern` in `hostname` (`DataCenterPattern`, `RegionPattern`,
    /// `PhysicalEnvironmentPattern`), or "" when the pattern is empty, invalid or does not match.
    public static func firstCapture(_ pattern: String, in hostname: String) -> String {
        guard !pattern.isEmpty, let regex = try? Regex(pattern), let match = hostname.firstMatch(of: regex),
              match.output.count > 1, let capture = match.output[1].substring else { return "" }
        return String(capture)
    }
}
