/// The organizational units (OU, OID 2.5.4.11) of an X.509 certificate's subject, read from its DER
/// bytes: what `SSLValidOUs` compares. A small strict DER walk over the few structures involved
/// (Certificate -> TBSCertificate -> subject Name); nil when the bytes are not such a certificate.
public enum X509Subject {
    public static func organizationalUnits(certificateDER der: [UInt8]) -> [String]? {
        var outer = DERReader(der)
        guard let certificate = outer.read(tag: 0x30) else { return nil }
        var cert = DERReader(certificate)
        guard let tbs = cert.read(tag: 0x30) else { return nil }
        var fields = DERReader(tbs)
        if fields.peekTag == 0xA0 { _ = fields.read(tag: 0xA0) }  // [0] version
        guard fields.read(tag: 0x02) != nil,  // serial number
              fields.read(tag: 0x30) != nil,  // signature algorithm
              fields.read(tag: 0x30) != nil,  // issuer
              fields.read(tag: 0x30) != nil,  // validity
              let subject = fields.read(tag: 0x30) else { return nil }
        var units: [String] = []
        var names = DERReader(subject)
        while !names.isAtEnd {
            guard let set = names.read(tag: 0x31) else { return nil }
            var attributes = DERReader(set)
            while !attributes.isAtEnd {
                guard let pair = attributes.read(tag: 0x30) else { return nil }
                var attribute = DERReader(pair)
                guard let oid = attribute.read(tag: 0x06), let (tag, value) = attribute.readAny() else { return nil }
                guard oid == [0x55, 0x04, 0x0B] else { continue }
                switch tag {
                case 0x0C, 0x13, 0x16, 0x14: units.append(String(decoding: value, as: UTF8.self))
                case 0x1E:  // BMPString: UTF-16 big-endian
                    var code: [UInt16] = []
                    var i = 0
                    while i + 1 < value.count { code.append(UInt16(value[i]) << 8 | UInt16(value[i + 1])); i += 2 }
                    units.append(String(decoding: code, as: UTF16.self))
                default: return nil
                }
            }
        }
        return units
    }
}

/// Reads DER tag-length-value items from a byte slice.
struct DERReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(_ slice: ArraySlice<UInt8>) { self.bytes = Array(slice) }

    var isAtEnd: Bool { offset >= bytes.count }
    var peekTag: UInt8? { isAtEnd ? nil : bytes[offset] }

    /// The contents of the next item when its tag is `tag` (the reader moves past it).
    mutating func read(tag: UInt8) -> ArraySlice<UInt8>? {
        guard peekTag == tag, let (_, value) = readAny() else { return nil }
        return value
    }

    /// The next item's tag and contents.
    mutating func readAny() -> (UInt8, ArraySlice<UInt8>)? {
        guard offset + 2 <= bytes.count else { return nil }
        let tag = bytes[offset]
        var length = Int(bytes[offset + 1])
        var start = offset + 2
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard (1...4).contains(count), start + count <= bytes.count else { return nil }
            length = bytes[start..<start + count].reduce(0) { $0 << 8 | Int($1) }
            start += count
        }
        guard length >= 0, start + length <= bytes.count else { return nil }
        offset = start + length
        return (tag, bytes[start..<start + length])
    }
}
