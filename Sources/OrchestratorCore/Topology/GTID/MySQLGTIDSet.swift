/// A MySQL GTID set such as `@@gtid_executed`: `uuid:1-5:7-9,uuid2:1-3`, and MySQL 8.4 tagged GTIDs
/// `uuid:1-5:tag:1-3` (a tag applies to the ranges that follow it within the same UUID entry).
///
/// Stored canonically: UUIDs and tags lower-cased, ranges sorted and merged, empty sources dropped; so
/// `==` is set equality. `description` prints the canonical text (`uuid:1-5:7,uuid2:...`), one entry
/// per UUID, untagged ranges first, then tags alphabetically.
public struct MySQLGTIDSet: Sendable, Hashable, CustomStringConvertible {
    /// Where a transaction came from: the originating server's UUID plus an optional tag ("" = none).
    public struct Source: Sendable, Hashable, Comparable {
        public var uuid: String
        public var tag: String

        public init(uuid: String, tag: String = "") {
            self.uuid = uuid.lowercased()
            self.tag = tag.lowercased()
        }

        public static func < (lhs: Source, rhs: Source) -> Bool {
            lhs.uuid != rhs.uuid ? lhs.uuid < rhs.uuid : lhs.tag < rhs.tag
        }
    }

    /// Canonical ranges per source; never holds an empty list.
    public private(set) var ranges: [Source: [GTIDInterval]] = [:]

    public init() {}

    /// Builds a set from explicit ranges (normalized here).
    public init(_ ranges: [Source: [GTIDInterval]]) {
        for (source, list) in ranges {
            let normalized = GTIDIntervals.normalize(list)
            if !normalized.isEmpty { self.ranges[source] = normalized }
        }
    }

    public var isEmpty: Bool { ranges.isEmpty }

    /// The UUIDs present (lower-cased, sorted).
    public var uuids: [String] { Array(Set(ranges.keys.map(\.uuid))).sorted() }

    /// Total number of transactions in the set.
    public var transactionCount: UInt64 { ranges.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } } }

    // MARK: - Text

    /// Parses MySQL's text form. Whitespace and newlines (as MySQL prints long sets) are ignored;
    /// an empty string is the empty set.
    public init(parsing text: String) throws(GTIDParseError) {
        let compact = String(text.filter { !($0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t") })
        self.init()
        guard !compact.isEmpty else { return }
        var collected: [Source: [GTIDInterval]] = [:]
        for entry in compact.split(separator: ",", omittingEmptySubsequences: false) {
            func fail(_ token: Substring, _ reason: String) -> GTIDParseError {
                GTIDParseError(flavor: .mysql, input: text, token: String(token), reason: reason)
            }
            guard !entry.isEmpty else { throw fail(entry, "empty entry between commas") }
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            guard let uuid = MySQLGTIDSet.normalizedUUID(parts[0]) else {
                throw fail(parts[0], "expected a server UUID like 3e11fa47-71ca-11e1-9e33-c80aa9429562")
            }
            guard parts.count > 1 else { throw fail(entry, "expected uuid:N or uuid:N-M after the UUID") }
            var tag = ""
            var sawRange = false
            for part in parts.dropFirst() {
                if let first = part.first, first.isNumber {
                    let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
                    guard bounds.count <= 2, let lower = UInt64(bounds[0]), lower >= 1 else {
                        throw fail(part, "expected a transaction number N >= 1 or a range N-M")
                    }
                    let upper = bounds.count == 2 ? UInt64(bounds[1]) : lower
                    guard let upper, upper >= lower else {
                        throw fail(part, "range end must be a number not below its start")
                    }
                    collected[Source(uuid: uuid, tag: tag), default: []].append(GTIDInterval(lower, upper))
                    sawRange = true
                } else {
                    guard MySQLGTIDSet.isValidTag(part) else {
                        throw fail(part, "expected a range N-M or a tag (letters, digits, _; up to 32; not starting with a digit)")
                    }
                    tag = part.lowercased()
                }
            }
            guard sawRange else { throw fail(entry, "no transaction range given") }
        }
        self.init(collected)
    }

    public var description: String {
        var byUUID: [String: [Source]] = [:]
        for source in ranges.keys { byUUID[source.uuid, default: []].append(source) }
        return byUUID.keys.sorted().map { uuid in
            var text = uuid
            for source in byUUID[uuid]!.sorted() {
                if !source.tag.isEmpty { text += ":" + source.tag }
                for range in ranges[source]! { text += ":" + range.description }
            }
            return text
        }.joined(separator: ",")
    }

    // MARK: - Set algebra

    /// Every transaction in either set.
    public func union(_ other: MySQLGTIDSet) -> MySQLGTIDSet {
        var result = self
        for (source, list) in other.ranges {
            result.ranges[source] = GTIDIntervals.union(result.ranges[source] ?? [], list)
        }
        return result
    }

    /// Transactions in `self` that are not in `other` (MySQL's `GTID_SUBTRACT(self, other)`).
    public func subtracting(_ other: MySQLGTIDSet) -> MySQLGTIDSet {
        var result = MySQLGTIDSet()
        for (source, list) in ranges {
            let left = other.ranges[source].map { GTIDIntervals.subtract(list, $0) } ?? list
            if !left.isEmpty { result.ranges[source] = left }
        }
        return result
    }

    /// Transactions in both sets.
    public func intersection(_ other: MySQLGTIDSet) -> MySQLGTIDSet {
        subtracting(subtracting(other))
    }

    /// True when every transaction of `other` is in `self` (MySQL's `GTID_SUBSET(other, self)`).
    public func contains(_ other: MySQLGTIDSet) -> Bool { other.subtracting(self).isEmpty }

    /// True when every transaction of `self` is in `other`.
    public func isSubset(of other: MySQLGTIDSet) -> Bool { other.contains(self) }

    /// The set without any transaction from `uuid` (all tags).
    public func removingUUID(_ uuid: String) -> MySQLGTIDSet {
        let lower = uuid.lowercased()
        var result = self
        for source in ranges.keys where source.uuid == lower { result.ranges[source] = nil }
        return result
    }

    /// True when the set contains transaction `number` from `source`.
    public func contains(_ source: Source, _ number: UInt64) -> Bool {
        ranges[source]?.contains { $0.lower <= number && number <= $0.upper } ?? false
    }

    // MARK: - Lexical helpers

    /// 8-4-4-4-12 hex digits (also accepted without dashes), lower-cased with dashes.
    static func normalizedUUID(_ text: Substring) -> String? {
        let hex = text.filter { $0 != "-" }
        guard hex.count == 32, hex.allSatisfy(\.isHexDigit) else { return nil }
        if text.contains("-") {
            let groups = text.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
            guard groups == [8, 4, 4, 4, 12] else { return nil }
        }
        let h = Array(hex.lowercased())
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-"
            + String(h[16..<20]) + "-" + String(h[20..<32])
    }

    /// MySQL 8.4 tag rule: 1-32 of [a-z0-9_], not starting with a digit.
    static func isValidTag(_ text: Substring) -> Bool {
        guard let first = text.first, !first.isNumber, text.count <= 32 else { return false }
        return text.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" }
    }
}

extension MySQLGTIDSet: Codable {
    /// Encoded as its canonical text, like upstream's string fields.
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
