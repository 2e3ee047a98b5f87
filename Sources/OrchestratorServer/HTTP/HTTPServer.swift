import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import ServiceLifecycle

/// Serves `OrchestratorAPI` over HTTP/1.1 with Hummingbird, as a Service.
public struct HTTPServer: Service {
    let api: OrchestratorAPI
    let host: String
    let port: Int
    let logger: Logger

    /// `listenAddress` is upstream's `ListenAddress`: `:3000`, `127.0.0.1:3000` or `[::1]:3000`.
    public init(api: OrchestratorAPI, listenAddress: String, logger: Logger = Logger(label: "orchd.http")) throws {
        let (host, port) = try Self.parse(listenAddress)
        self.api = api
        self.host = host
        self.port = port
        self.logger = logger
    }

    static func parse(_ listenAddress: String) throws -> (String, Int) {
        let text = listenAddress.hasPrefix(":") ? "0.0.0.0" + listenAddress : listenAddress
        guard let key = try? InstanceKey(parsing: text, defaultPort: 3000) else {
            throw HTTPServerError(message: "ListenAddress \"\(listenAddress)\" is not host:port or :port")
        }
        return (key.hostname, key.port)
    }

    public func run() async throws {
        let api = self.api
        let responder = CallbackResponder { (request: Request, _: BasicRequestContext) -> Response in
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let apiRequest = APIRequest(method: request.method.rawValue, target: request.uri.string, headers: headers)
            let answer = await api.handle(apiRequest)
            var responseHeaders = HTTPFields()
            responseHeaders[.contentType] = answer.contentType
            for (name, value) in answer.headers {
                if let field = HTTPField.Name(name) { responseHeaders[field] = value }
            }
            return Response(status: .init(code: answer.status), headers: responseHeaders,
                            body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: "orchd", reuseAddress: true),
            logger: logger)
        try await app.run()
    }
}

public struct HTTPServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
