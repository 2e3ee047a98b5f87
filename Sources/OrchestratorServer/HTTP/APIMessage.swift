import Foundation

/// An API request, independent of the HTTP server library (so handlers are testable in-process).
public struct APIRequest: Sendable {
    public var method: String
    /// The path without the query string, percent-decoded per segment by the router.
    public var path: String
    public var query: [String: String]
    public var headers: [String: String]

    public init(method: String = "GET", path: String, query: [String: String] = [:], headers: [String: String] = [:]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }

    /// Parses `path?query` as sent on the wire.
    public init(method: String = "GET", target: String, headers: [String: String] = [:]) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = Self.decode(String(kv[0]))
                query[name] = kv.count == 2 ? Self.decode(String(kv[1])) : ""
            }
        }
        self.init(method: method, path: String(parts[0]), query: query, headers: headers)
    }

    static func decode(_ text: String) -> String {
        (text.replacingOccurrences(of: "+", with: " ")).removingPercentEncoding ?? text
    }
}

/// An API response: status, content type and body bytes.
public struct APIResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    /// Headers besides Content-Type (a 401's `WWW-Authenticate`).
    public var headers: [String: String] = [:]

    public init(status: Int, contentType: String = "application/json", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// 401 with the basic-auth challenge, in upstream's ERROR envelope.
    public static func unauthorized(_ reason: String) -> APIResponse {
        var response = APIResponse.error("Unauthorized: \(reason)", status: 401)
        response.headers["WWW-Authenticate"] = "Basic realm=\"\(HTTPAccessPolicy.realm)\""
        return response
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Raw JSON of `value` (upstream returns many reads without the envelope).
    public static func json<T: Encodable>(_ value: T, status: Int = 200) -> APIResponse {
        do {
            return APIResponse(status: status, body: Array(try APIJSON.encoder.encode(value)))
        } catch {
            return .error("cannot encode response: \(error)", status: 500)
        }
    }

    /// Raw JSON of `make()`, encoded once per inventory (see ``InventoryMemo/encodedAnswer(_:_:)``).
    public static func memoized<T: Encodable>(_ name: String, in inventory: Inventory, _ make: () -> T) -> APIResponse {
        do {
            return APIResponse(status: 200, body: try inventory.memo.encodedAnswer(name) {
                Array(try APIJSON.encoder.encode(make()))
            })
        } catch {
            return .error("cannot encode response: \(error)", status: 500)
        }
    }

    /// Upstream's envelope with Code "OK".
    public static func ok(_ message: String, details: (any Encodable & Sendable)? = nil) -> APIResponse {
        envelope(code: "OK", message: message, details: details, status: 200)
    }

    /// Upstream's envelope with Code "ERROR" (HTTP 500 unless told otherwise, as upstream).
    public static func error(_ message: String, status: Int = 500) -> APIResponse {
        envelope(code: "ERROR", message: message, details: nil, status: status)
    }

    static func envelope(code: String, message: String, details: (any Encodable & Sendable)?, status: Int) -> APIResponse {
        let body = Envelope(code: code, message: message, details: details.map(AnyEncodable.init))
        guard let data = try? APIJSON.encoder.encode(body) else {
            return APIResponse(status: 500, contentType: "text/plain", body: Array("encoding failed".utf8))
        }
        return APIResponse(status: status, body: Array(data))
    }

    /// Plain text.
    public static func text(_ text: String, status: Int = 200) -> APIResponse {
        APIResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }
}

/// `{"Code":..,"Message":..,"Details":..}`.
struct Envelope: Encodable {
    var code: String
    var message: String
    var details: AnyEncodable?

    enum CodingKeys: String, CodingKey {
        case code = "Code", message = "Message", details = "Details"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        if let details { try c.encode(details, forKey: .details) } else { try c.encodeNil(forKey: .details) }
    }
}

struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

enum APIJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension HTTPAccessPolicy {
    /// The `Authorization` header one orchd node sends another's API: the configured basic
    /// credentials under `basic` / `multi`, nothing otherwise.
    public var peerAuthorization: String? {
        guard method == .basic || method == .multi else { return nil }
        return "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }
}
