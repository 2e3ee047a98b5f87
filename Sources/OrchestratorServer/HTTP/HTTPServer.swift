import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HTTPTypes
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// Serves `OrchestratorAPI` over HTTP/1.1 with Hummingbird, as a Service; over HTTPS when `UseSSL`
/// (with `UseMutualTLS`, a client certificate signed by `SSLCAFile` is required, and with
/// `SSLValidOUs` its subject must hold one of those organizational units).
public struct HTTPServer: Service {
    let api: OrchestratorAPI
    let host: String
    let port: Int
    let tls: HTTPTLSSettings?
    /// Built once at start-up, so a missing or bad certificate file stops orchd with its name.
    let tlsConfiguration: TLSConfiguration?
    let logger: Logger

    /// `listenAddress` is upstream's `ListenAddress`: `:3000`, `127.0.0.1:3000` or `[::1]:3000`.
    public init(api: OrchestratorAPI, listenAddress: String, tls: HTTPTLSSettings? = nil,
                logger: Logger = Logger(label: "orchd.http")) throws {
        let (host, port) = try Self.parse(listenAddress)
        self.api = api
        self.host = host
        self.port = port
        self.tls = tls
        self.tlsConfiguration = try tls.map(Self.serverTLSConfiguration)
        self.logger = logger
    }

    static func serverTLSConfiguration(_ tls: HTTPTLSSettings) throws -> TLSConfiguration {
        func load<T>(_ file: String, _ key: String, _ body: () throws -> T) throws -> T {
            do { return try body() } catch {
                throw HTTPServerError(message: "cannot use \(file) (\(key)) for the API's TLS: \(error)")
            }
        }
        let chain = try load(tls.certificateFile, "SSLCertFile") { try NIOSSLCertificate.fromPEMFile(tls.certificateFile) }
        let key = try load(tls.privateKeyFile, "SSLPrivateKeyFile") { try NIOSSLPrivateKey(file: tls.privateKeyFile, format: .pem) }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                     privateKey: .privateKey(key))
        if tls.requireClientCertificate {
            let roots = try load(tls.caFile, "SSLCAFile") { try NIOSSLCertificate.fromPEMFile(tls.caFile) }
            configuration.trustRoots = .certificates(roots)
            configuration.certificateVerification = .noHostnameVerification
        }
        return configuration
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
        let tls = self.tls
        let responder = CallbackResponder { (request: Request, context: ChannelRequestContext) -> Response in
            if let tls, tls.checksOrganizationalUnits(path: request.uri.path),
               let refusal = await Self.organizationalUnitRefusal(context.channel, tls) {
                return Response(status: .forbidden, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(bytes: APIResponse.error(refusal, status: 403).body)))
            }
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
        let server: HTTPServerBuilder = try tlsConfiguration.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1()
        let app = Application(
            responder: responder, server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "orchd", reuseAddress: true),
            eventLoopGroupProvider: .shared(Self.loops),
            logger: logger)
        try await app.run()
    }

    /// The API's own event loop: kept apart from the probes' loops, where a request would otherwise
    /// wait behind thousands of probe connections' reads (at 10,000 servers every request took
    /// 15 ms more that way). One thread, for the process (never shut down, as NIO's singleton).
    static let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Why the client's certificate may not use the API (`SSLValidOUs`), or nil when it may.
    static func organizationalUnitRefusal(_ channel: any Channel, _ tls: HTTPTLSSettings) async -> String? {
        guard let certificate = try? await channel.nioSSL_peerCertificate().get() else {
            return "Forbidden: a client certificate is required (SSLValidOUs)"
        }
        guard let der = try? certificate.toDERBytes(), let units = X509Subject.organizationalUnits(certificateDER: der) else {
            return "Forbidden: the client certificate's subject cannot be read"
        }
        if tls.allows(organizationalUnits: units) { return nil }
        let shown = units.isEmpty ? "none" : units.joined(separator: ", ")
        return "Forbidden: the client certificate's organizational units (\(shown)) are not among SSLValidOUs"
    }
}

/// Hummingbird's request context, keeping the connection's channel (its TLS handler knows the peer's
/// certificate).
struct ChannelRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

public struct HTTPServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
