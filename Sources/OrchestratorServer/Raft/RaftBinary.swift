/// Little-endian binary writer/reader used by the wire codec and the snapshot file format.
/// Deliberately tiny: fixed-width integers, varints, length-prefixed bytes and strings.

// MARK: - Writer

package struct RaftBinaryWriter {
    package var bytes: [UInt8] = []

    package init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    package mutating func u8(_ v: UInt8) { bytes.append(v) }

    package mutating func u32(_ v: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }

    package mutating func u64(_ v: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    /// LEB128 unsigned varint: small numbers (terms, indexes on young clusters) take 1-3 bytes.
    package mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    package mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    package mutating func blob(_ v: [UInt8]) {
        varint(UInt64(v.count))
        bytes.append(contentsOf: v)
    }

    package mutating func string(_ v: String) { blob(Array(v.utf8)) }

    package mutating func optionalString(_ v: String?) {
        bool(v != nil)
        if let v { string(v) }
    }
}

// MARK: - Reader

/// Errors while decoding binary data.
public enum RaftDecodeError: Error, Equatable, CustomStringConvertible {
    case truncated(at: Int)
    case invalid(String)

    public var description: String {
        switch self {
        case let .truncated(at): return "raft frame truncated at byte \(at)"
        case let .invalid(what): return "raft frame invalid: \(what)"
        }
    }
}

package struct RaftBinaryReader {
    let buffer: [UInt8]
    package var offset: Int

    package init(_ bytes: [UInt8], offset: Int = 0) {
        self.buffer = bytes
        self.offset = offset
    }

    package var remaining: Int { buffer.count - offset }

    package mutating func u8() throws -> UInt8 {
        guard offset < buffer.count else { throw RaftDecodeError.truncated(at: offset) }
        defer { offset += 1 }
        return buffer[offset]
    }

    package mutating func u32() throws -> UInt32 {
        guard remaining >= 4 else { throw RaftDecodeError.truncated(at: offset) }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(buffer[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return v
    }

    package mutating func u64() throws -> UInt64 {
        guard remaining >= 8 else { throw RaftDecodeError.truncated(at: offset) }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(buffer[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return v
    }

    package mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try u8()
            guard shift < 64 else { throw RaftDecodeError.invalid("varint too long") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    package mutating func bool() throws -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        case let b: throw RaftDecodeError.invalid("bool byte \(b)")
        }
    }

    package mutating func blob() throws -> [UInt8] {
        let n = try varint()
        guard n <= UInt64(remaining) else { throw RaftDecodeError.truncated(at: offset) }
        let out = Array(buffer[offset..<offset + Int(n)])
        offset += Int(n)
        return out
    }

    package mutating func string() throws -> String {
        let raw = try blob()
        guard let s = String(validating: raw, as: UTF8.self) else { throw RaftDecodeError.invalid("string is not UTF-8") }
        return s
    }

    package mutating func optionalString() throws -> String? {
        try bool() ? try string() : nil
    }

    /// A count prefix, checked against what is left so a hostile count cannot make us allocate.
    package mutating func count(minimumElementSize: Int = 1) throws -> Int {
        let n = try varint()
        guard n <= UInt64(remaining / max(minimumElementSize, 1)) else { throw RaftDecodeError.invalid("count \(n) exceeds frame") }
        return Int(n)
    }
}

// MARK: - Checksum

/// FNV-1a 64: cheap integrity check for snapshot files (torn writes are excluded by rename; this
/// catches bit rot and files copied by hand).
package func fnv1a64(_ bytes: [UInt8], count: Int? = nil) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes.prefix(count ?? bytes.count) {
        h ^= UInt64(b)
        h = h &* 0x0000_0100_0000_01B3
    }
    return h
}
