/// An optional integer in Go's `sql.NullInt64` JSON shape: `{"Int64":n,"Valid":b}`.
///
/// Upstream serializes `SecondsBehindMaster`, `ReplicationLagSeconds` and `SecondsSinceLastSeen` this
/// way; tools that read the API expect it, so the Swift side keeps an `Int64?` and converts at the edge.
public struct NullInt64: Sendable, Hashable, Codable, ExpressibleByNilLiteral, ExpressibleByIntegerLiteral {
    public var value: Int64?

    public init(_ value: Int64?) { self.value = value }
    public init(nilLiteral: ()) { value = nil }
    public init(integerLiteral value: Int64) { self.value = value }

    /// Go's `.Valid`.
    public var isValid: Bool { value != nil }
    /// Go's `.Int64` (0 when invalid, as upstream).
    public var int64: Int64 { value ?? 0 }

    private enum CodingKeys: String, CodingKey {
        case int64 = "Int64"
        case valid = "Valid"
    }

    public init(from decoder: any Decoder) throws {
        // Accept a bare number or null as well, for leniency with hand-written JSON.
        if let single = try? decoder.singleValueContainer() {
            if single.decodeNil() { value = nil; return }
            if let number = try? single.decode(Int64.self) { value = number; return }
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let valid = try c.decodeIfPresent(Bool.self, forKey: .valid) ?? false
        let number = try c.decodeIfPresent(Int64.self, forKey: .int64) ?? 0
        value = valid ? number : nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(value ?? 0, forKey: .int64)
        try c.encode(value != nil, forKey: .valid)
    }
}
