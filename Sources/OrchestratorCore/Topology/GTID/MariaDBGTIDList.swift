/// One MariaDB GTID, `domain-server-sequence` (e.g. `0-1-42`).
public struct MariaDBGTID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var domainID: UInt32
    public var serverID: UInt32
    public var sequence: UInt64

    public init(domainID: UInt32, serverID: UInt32, sequence: UInt64) {
        self.domainID = domainID
        self.serverID = serverID
        self.sequence = sequence
    }

    /// Orders by domain, then server, then sequence (the canonical print order).
    public static func < (lhs: MariaDBGTID, rhs: MariaDBGTID) -> Bool {
        (lhs.domainID, lhs.serverID, lhs.sequence) < (rhs.domainID, rhs.serverID, rhs.sequence)
    }

    public var description: String { "\(domainID)-\(serverID)-\(sequence)" }
}

/// A MariaDB GTID position or state: a comma list of `domain-server-seq`, as in `@@gtid_current_pos`,
/// `@@gtid_slave_pos`, `@@gtid_binlog_pos` (one entry per domain) or `@@gtid_binlog_state` (one per
/// domain and server).
///
/// Semantics: within a domain, sequence numbers grow monotonically, so a position "has" every event of
/// that domain up to its highest sequence, whatever server wrote it. Containment and ordering are
/// therefore decided per domain by sequence; the server id is kept because it tells who wrote the
/// latest event, which errant-GTID detection uses (see `ErrantGTID`).
///
/// Stored canonically: sorted by domain then server, one entry per (domain, server) holding the highest
/// sequence seen; `==` compares that canonical list.
public struct MariaDBGTIDList: Sendable, Hashable, CustomStringConvertible {
    public private(set) var entries: [MariaDBGTID] = []

    public init() {}

    /// Builds a list from entries (normalized here).
    public init(_ entries: [MariaDBGTID]) {
        var best: [Pair: MariaDBGTID] = [:]
        for entry in entries {
            let pair = Pair(domain: entry.domainID, server: entry.serverID)
            if let existing = best[pair], existing.sequence >= entry.sequence { continue }
            best[pair] = entry
        }
        self.entries = best.values.sorted()
    }

    private struct Pair: Hashable { var domain: UInt32; var server: UInt32 }

    public var isEmpty: Bool { entries.isEmpty }

    /// Domains present, ascending.
    public var domains: [UInt32] { Array(Set(entries.map(\.domainID))).sorted() }

    /// The latest GTID in `domain` (highest sequence; on a tie the lower server id), nil when absent.
    public func latest(inDomain domain: UInt32) -> MariaDBGTID? {
        entries.filter { $0.domainID == domain }.max { a, b in
            a.sequence != b.sequence ? a.sequence < b.sequence : a.serverID > b.serverID
        }
    }

    /// The highest sequence reached in `domain` (0 when absent).
    public func sequence(inDomain domain: UInt32) -> UInt64 { latest(inDomain: domain)?.sequence ?? 0 }

    /// Collapsed to one entry per domain (its latest GTID): what a position variable would show.
    public var position: MariaDBGTIDList { MariaDBGTIDList(domains.compactMap { latest(inDomain: $0) }) }

    // MARK: - Text

    /// Parses `d-s-n[,d-s-n...]`; whitespace is ignored and an empty string is the empty list.
    public init(parsing text: String) throws(GTIDParseError) {
        let compact = String(text.filter { !($0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t") })
        guard !compact.isEmpty else { self.init(); return }
        var parsed: [MariaDBGTID] = []
        for token in compact.split(separator: ",", omittingEmptySubsequences: false) {
            func fail(_ reason: String) -> GTIDParseError {
                GTIDParseError(flavor: .mariadb, input: text, token: String(token), reason: reason)
            }
            guard !token.isEmpty else { throw fail("empty entry between commas") }
            let parts = token.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3 else { throw fail("expected domain-server-sequence, e.g. 0-1-42") }
            guard let domain = UInt32(parts[0]) else { throw fail("domain id \"\(parts[0])\" is not a number 0-4294967295") }
            guard let server = UInt32(parts[1]) else { throw fail("server id \"\(parts[1])\" is not a number 0-4294967295") }
            guard let sequence = UInt64(parts[2]) else { throw fail("sequence \"\(parts[2])\" is not a non-negative number") }
            parsed.append(MariaDBGTID(domainID: domain, serverID: server, sequence: sequence))
        }
        self.init(parsed)
    }

    /// Canonical text: `d-s-n` entries sorted by domain then server, comma-separated.
    public var description: String { entries.map(\.description).joined(separator: ",") }

    // MARK: - Position algebra (per domain, by sequence)

    /// True when, in every domain of `other`, `self` has reached at least `other`'s sequence.
    public func contains(_ other: MariaDBGTIDList) -> Bool {
        other.domains.allSatisfy { domain in
            guard latest(inDomain: domain) != nil else { return false }
            return sequence(inDomain: domain) >= other.sequence(inDomain: domain)
        }
    }

    /// True when `other` contains `self`.
    public func isSubset(of other: MariaDBGTIDList) -> Bool { other.contains(self) }

    /// Both lists merged, keeping the highest sequence per (domain, server).
    public func union(_ other: MariaDBGTIDList) -> MariaDBGTIDList { MariaDBGTIDList(entries + other.entries) }

    /// The entries of `self` that `other` has not reached: entries in a domain `other` lacks, or with a
    /// sequence above `other`'s highest sequence in that domain. (MariaDB cannot name the exact missing
    /// event range, only the latest event beyond it.)
    public func subtracting(_ other: MariaDBGTIDList) -> MariaDBGTIDList {
        MariaDBGTIDList(entries.filter { entry in
            guard other.latest(inDomain: entry.domainID) != nil else { return true }
            return entry.sequence > other.sequence(inDomain: entry.domainID)
        })
    }
}

extension MariaDBGTIDList: Codable {
    /// Encoded as its canonical text.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
