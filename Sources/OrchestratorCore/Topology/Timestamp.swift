/// A point in time as whole seconds since the Unix epoch (UTC).
///
/// Core never reads the clock: callers pass `now` in. In JSON a timestamp is a string in upstream's
/// RFC 3339 layout `2006-01-02T15:04:05Z`; decoding also accepts the MySQL layout `2006-01-02 15:04:05`,
/// fractional seconds, a `+hh:mm` offset, a bare number of seconds, and `""`/null for "never" (decoded
/// by the optional properties that hold timestamps).
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }

    /// This time plus `seconds`.
    public func adding(seconds: Int64) -> Timestamp { Timestamp(secondsSinceEpoch: secondsSinceEpoch + seconds) }

    /// Seconds from `earlier` to this time (negative when `earlier` is later).
    public func seconds(since earlier: Timestamp) -> Int64 { secondsSinceEpoch - earlier.secondsSinceEpoch }

    // MARK: - Text

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public var rfc3339: String {
        let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400
        let secondOfDay = secondsSinceEpoch - days * 86_400
        let (y, m, d) = Timestamp.civil(fromDays: days)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2))Z"
    }

    /// `YYYY-MM-DD HH:MM:SS` (UTC), the layout MySQL and SQLite use for DATETIME text.
    public var sqlDateTime: String {
        let text = rfc3339
        return String(text.dropLast()).replacingFirst("T", with: " ")
    }

    public var description: String { rfc3339 }

    /// Parses RFC 3339 (`2006-01-02T15:04:05Z`, `...05.123+02:00`) or `2006-01-02 15:04:05` (taken as
    /// UTC). Returns nil for anything else.
    public init?(parsing text: String) {
        let chars = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= chars.count else { return nil }
            var value: Int64 = 0
            for c in chars[from..<(from + count)] {
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int64(c - 48)
            }
            return value
        }
        guard chars.count >= 19, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
              chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: " ") || chars[10] == UInt8(ascii: "t"),
              chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":"),
              let y = number(0, 4), let mo = number(5, 2), let d = number(8, 2),
              let h = number(11, 2), let mi = number(14, 2), let s = number(17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61
        else { return nil }
        var index = 19
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            index += 1
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 { index += 1 }
        }
        var offset: Int64 = 0
        if index < chars.count {
            let c = chars[index]
            if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
                index += 1
            } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                guard let oh = number(index + 1, 2), index + 3 < chars.count, chars[index + 3] == UInt8(ascii: ":"),
                      let om = number(index + 4, 2) else { return nil }
                offset = (oh * 3600 + om * 60) * (c == UInt8(ascii: "+") ? 1 : -1)
                index += 6
            } else {
                return nil
            }
        }
        guard index == chars.count else { return nil }
        let days = Timestamp.days(fromCivil: y, mo, d)
        secondsSinceEpoch = days * 86_400 + h * 3600 + mi * 60 + s - offset
    }

    // MARK: - Codable

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let seconds = try? c.decode(Int64.self) {
            self.init(secondsSinceEpoch: seconds)
            return
        }
        let text = try c.decode(String.self)
        guard let value = Timestamp(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                in: c, debugDescription: "invalid timestamp \"\(text)\": expected 2006-01-02T15:04:05Z")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rfc3339)
    }

    // MARK: - Calendar arithmetic (proleptic Gregorian, UTC)

    /// Days since 1970-01-01 for a civil date (Howard Hinnant's well-known days_from_civil algorithm).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date for a day count since 1970-01-01 (inverse of `days(fromCivil:)`).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }
}

private func pad(_ value: Int64, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

extension String {
    func replacingFirst(_ target: Character, with replacement: Character) -> String {
        guard let index = firstIndex(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(index...index, with: String(replacement))
        return copy
    }
}
