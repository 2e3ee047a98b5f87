// MARK: - Instance arguments and URL encoding

enum InstanceArgument {
    /// `host:port` -> `host/port`, `host` -> `host/<default port>`, as upstream's `to_hostport`.
    /// `[v6addr]:port` is accepted too. The port must be a number.
    static func hostPort(_ text: String, defaultPort: Int, flag: String) throws(UsageError) -> String {
        var host = text
        var port = String(defaultPort)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { port = String(rest.dropFirst()) }
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            port = String(text[text.index(after: colon)...])
        }
        guard !host.isEmpty else { throw UsageError("\(flag) '\(text)' has no host name; use host[:port]") }
        guard let number = Int(port), (1...65535).contains(number) else {
            throw UsageError("\(flag) '\(text)' has an invalid port '\(port)'; use host[:port]")
        }
        return percentEncode(host, allowing: .pathSegment) + "/" + String(number)
    }
}

enum EncodingSet {
    /// RFC 3986 `pchar` minus '%': host names and cluster hints (`host:3306`) pass through unchanged.
    case pathSegment
    /// Only unreserved characters stay, as jq's `@uri` (used upstream for owner, reason, query, tag).
    case strict
    /// A whole path with its query, as typed for `-c api -P`: only what cannot appear in a request line
    /// (spaces, controls, non-ASCII, quotes and the like) is encoded; '%', '/', '?', '&' stay.
    case requestTarget

    func allows(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        case UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="):
            return self != .strict
        case UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "%"), UInt8(ascii: "["),
            UInt8(ascii: "]"):
            return self == .requestTarget
        default:
            return false
        }
    }
}

/// Percent-encodes the UTF-8 bytes of `text` that `set` does not allow.
func percentEncode(_ text: String, allowing set: EncodingSet) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count)
    for byte in text.utf8 {
        if set.allows(byte) {
            out.append(byte)
        } else {
            out.append(UInt8(ascii: "%"))
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// Standard base64 (RFC 4648, with padding), for the basic-auth header.
func base64(_ text: String) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    let bytes = Array(text.utf8)
    var out: [UInt8] = []
    var index = 0
    while index < bytes.count {
        let b0 = bytes[index]
        let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
        let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
        out.append(alphabet[Int(b0 >> 2)])
        out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
        out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
        out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
        index += 3
    }
    return String(decoding: out, as: UTF8.self)
}
