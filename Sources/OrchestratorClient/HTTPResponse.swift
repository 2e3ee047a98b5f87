/// A complete HTTP response.
public struct HTTPResponse: Equatable, Sendable {
    public var status: Int
    /// Header names lower-cased, in received order.
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.0 == lower }?.1
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.headers.count == rhs.headers.count
            && zip(lhs.headers, rhs.headers).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}

/// Incremental HTTP/1.1 response framing: feed bytes as they arrive; `response` is set once the
/// message is complete (Content-Length, chunked, or close-delimited at end of stream).
struct HTTPResponseParser {
    private(set) var buffer: [UInt8] = []
    private var head: (status: Int, headers: [(String, String)], bodyStart: Int)?
    private var chunked = ChunkedDecoder()
    private(set) var response: HTTPResponse?

    enum Framing { case length(Int), chunked, untilClose }

    /// Appends received bytes; throws on a malformed message.
    mutating func feed(_ bytes: ArraySlice<UInt8>) throws(HTTPError) {
        buffer.append(contentsOf: bytes)
        try advance(atEnd: false)
    }

    /// The peer closed the connection.
    mutating func finish() throws(HTTPError) {
        try advance(atEnd: true)
        if response == nil {
            throw HTTPError.closedEarly(head == nil ? "before the response headers" : "in the middle of the body")
        }
    }

    private mutating func advance(atEnd: Bool) throws(HTTPError) {
        guard response == nil else { return }
        if head == nil {
            guard let end = Self.find([13, 10, 13, 10], in: buffer[...], from: 0) else {
                if buffer.count > 1 << 20 { throw HTTPError.malformed("response headers larger than 1 MiB") }
                return
            }
            head = try Self.parseHead(buffer[0..<end])
            head!.bodyStart = end + 4
        }
        guard let head else { return }
        let body = buffer[head.bodyStart...]
        let framing = try Self.framing(status: head.status, headers: head.headers)
        switch framing {
        case let .length(length):
            if body.count >= length {
                response = HTTPResponse(status: head.status, headers: head.headers, body: Array(body.prefix(length)))
            }
        case .chunked:
            if try chunked.decode(body) {
                response = HTTPResponse(status: head.status, headers: head.headers, body: chunked.decoded)
            }
        case .untilClose:
            if atEnd { response = HTTPResponse(status: head.status, headers: head.headers, body: Array(body)) }
        }
    }

    static func framing(status: Int, headers: [(String, String)]) throws(HTTPError) -> Framing {
        if status == 204 || status == 304 || (100..<200).contains(status) { return .length(0) }
        if let encoding = headers.last(where: { $0.0 == "transfer-encoding" })?.1,
           encoding.lowercased().split(separator: ",").last?.trimmingSpaces == "chunked" {
            return .chunked
        }
        if let length = headers.last(where: { $0.0 == "content-length" })?.1 {
            guard let value = Int(length.trimmingSpaces), value >= 0 else {
                throw HTTPError.malformed("bad Content-Length '\(length)'")
            }
            return .length(value)
        }
        return .untilClose
    }

    static func parseHead(_ bytes: ArraySlice<UInt8>) throws(HTTPError) -> (Int, [(String, String)], Int) {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)[...]
        guard let statusLine = lines.popFirst() else { throw HTTPError.malformed("empty response") }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...999).contains(status) else {
            throw HTTPError.malformed("not an HTTP/1.x status line: '\(statusLine.prefix(80))'")
        }
        var headers: [(String, String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw HTTPError.malformed("bad header line '\(line.prefix(80))'") }
            headers.append((line[..<colon].lowercased(), String(line[line.index(after: colon)...]).trimmingSpaces))
        }
        return (status, headers, 0)
    }

    static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>, from start: Int) -> Int? {
        guard needle.count > 0 else { return start }
        var index = start
        let end = haystack.endIndex - needle.count
        while index <= end {
            if haystack[index] == needle[0] {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}

/// Decodes a chunked body incrementally: each call resumes where the previous one stopped, so a
/// large body arriving in many reads is scanned once.
struct ChunkedDecoder {
    private(set) var decoded: [UInt8] = []
    /// Offset into the body of the next unread chunk-size line (or trailer line).
    private var offset = 0
    private var inTrailers = false

    /// Consumes what it can of `body` (the whole body received so far); true once complete.
    mutating func decode(_ body: ArraySlice<UInt8>) throws(HTTPError) -> Bool {
        while true {
            let index = body.startIndex + offset
            guard let lineEnd = HTTPResponseParser.find([13, 10], in: body, from: index) else { return false }
            if inTrailers {
                offset = lineEnd + 2 - body.startIndex
                if lineEnd == index { return true }  // the empty line after the trailers
                continue
            }
            var sizeText = String(decoding: body[index..<lineEnd], as: UTF8.self)
            if let semicolon = sizeText.firstIndex(of: ";") { sizeText = String(sizeText[..<semicolon]) }
            guard let size = Int(sizeText.trimmingSpaces, radix: 16), size >= 0 else {
                throw HTTPError.malformed("bad chunk size '\(sizeText.prefix(20))'")
            }
            let dataStart = lineEnd + 2
            if size == 0 {
                inTrailers = true
                offset = dataStart - body.startIndex
                continue
            }
            guard body.endIndex - dataStart >= size + 2 else { return false }
            guard body[dataStart + size] == 13, body[dataStart + size + 1] == 10 else {
                throw HTTPError.malformed("chunk not followed by CRLF")
            }
            decoded.append(contentsOf: body[dataStart..<(dataStart + size)])
            offset = dataStart + size + 2 - body.startIndex
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
