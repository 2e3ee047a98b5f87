// A small JSON value model. The client avoids Foundation to keep process start-up in the low
// milliseconds, so it parses and prints JSON itself. Objects keep their key order (as jq does) and
// numbers keep their literal text, so printed output matches what the server sent.

/// A parsed JSON document.
public enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number's literal text, exactly as received.
    case number(String)
    case string(String)
    case array([JSON])
    /// Members in document order.
    case object([(String, JSON)])

    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b || Double(a) == Double(b)
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    // MARK: - Access

    /// The member named `key` of an object (the first one if repeated); `.null` otherwise, as jq's `.key`.
    public subscript(key: String) -> JSON {
        if case let .object(members) = self {
            for (name, value) in members where name == key { return value }
        }
        return .null
    }

    /// The element at `index` of an array; `.null` otherwise, as jq's `.[n]`.
    public subscript(index: Int) -> JSON {
        if case let .array(items) = self, index >= 0, index < items.count { return items[index] }
        return .null
    }

    /// Whether this is an object that has the member `key`, as jq's `has(key)`.
    public func has(_ key: String) -> Bool {
        if case let .object(members) = self { return members.contains { $0.0 == key } }
        return false
    }

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    public var intValue: Int? {
        if case let .number(text) = self { return Int(text) ?? Double(text).flatMap { Int(exactly: $0) } }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case let .array(items) = self { return items }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// jq's `type`.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
