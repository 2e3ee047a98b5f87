extension HTTPClient {
    /// One HTTP/1.1 request: method, path with query, headers, body. `Host`, `Content-Length` and
    /// `User-Agent` are added by the client.
    public struct Request: Sendable {
        public var method: String
        /// The request target: `/api/status?x=1` (already percent-encoded).
        public var target: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public init(method: String = "GET", target: String, headers: [(name: String, value: String)] = [],
                    body: [UInt8] = []) {
            self.method = method
            self.target = target
            self.headers = headers
            self.body = body
        }

        /// GET and HEAD: safe to send again when a kept-alive connection turns out closed before any
        /// answer (the keep-alive race every HTTP/1.1 client meets).
        var isIdempotent: Bool { method == "GET" || method == "HEAD" }
    }

    /// A complete response.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// The first value of the header `name` (case-insensitive).
        public func header(_ name: String) -> String? {
            let wanted = name.lowercased()
            return headers.first { $0.name.lowercased() == wanted }?.value
        }

        /// The body as UTF-8 text (invalid bytes replaced).
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }
}
