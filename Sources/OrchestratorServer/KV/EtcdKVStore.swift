import Foundation
import OrchestratorCore
import Synchronization

/// An etcd user and password (`EtcdUsername`, `EtcdPassword`). The password is sent to
/// `/v3/auth/authenticate` only; it is never part of a description, an error or a log line.
public struct EtcdCredentials: Sendable, CustomStringConvertible {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    public var description: String { "etcd user \(username)" }
}

/// etcd v3 through its JSON gateway (`POST /v3/kv/txn`, base64 keys and values), as etcd 3.4 serves
/// it on its client port. The gateway rather than gRPC: orchd's own HTTP client already speaks HTTP/1.1,
/// and a gRPC stack (grpc-swift, HTTP/2, protobuf) would add minutes to every cold build for four keys.
///
/// One transaction per write, so an application never reads a new `host:port` with the old `/port`.
/// Endpoints are tried in order; the first that answers 200 wins. `https://` endpoints use the TLS
/// settings of `client` (EtcdCAFile, EtcdCertFile/EtcdKeyFile). With credentials, each endpoint gets a
/// token from `/v3/auth/authenticate` (etcd's simple tokens belong to the member that issued them),
/// kept until etcd refuses it (expired: `--auth-token-ttl`, or the member restarted), then renewed once.
public struct EtcdKVStore: MasterKVStore {
    public let endpoints: [HTTPAddress]
    let client: HTTPClient
    /// Bounds each endpoint's attempt (connect included), so a store that is down never holds a recovery.
    let timeout: Duration
    let credentials: EtcdCredentials?
    /// Per endpoint (its description): the token etcd last issued to this store.
    private let tokens = TokenCache()

    public init(endpoints: [HTTPAddress], client: HTTPClient, timeout: Duration = .seconds(2),
                credentials: EtcdCredentials? = nil) {
        self.endpoints = endpoints
        self.client = client
        self.timeout = timeout
        self.credentials = credentials
    }

    public var name: String { "etcd " + endpoints.map(\.description).joined(separator: ",") }

    /// How many tokens this store obtained from etcd so far.
    var tokensObtained: Int { tokens.obtained }

    public func put(_ pairs: [KVPair]) async throws {
        guard !pairs.isEmpty else { return }
        let body = try Self.transactionBody(pairs)
        var failures: [String] = []
        for endpoint in endpoints {
            do {
                let response = try await send(body, to: endpoint)
                if response.status == 200 { return }
                failures.append("\(endpoint): HTTP \(response.status) \(Self.errorText(response))"
                                + Self.hint(response, authenticated: credentials != nil))
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failures.append("\(error)")
            }
        }
        throw MasterKVStoreError("etcd: no endpoint accepted the write: " + failures.joined(separator: "; "))
    }

    /// Sends one transaction, with a token when the store has credentials: the cached one, else a fresh
    /// one; a token etcd refuses is renewed and the transaction sent once more. A fresh token can be
    /// refused too: a loaded etcd has answered "invalid auth token" to the first request carrying a token
    /// it had just issued (etcd's own client re-authenticates on that error as well).
    private func send(_ body: [UInt8], to endpoint: HTTPAddress) async throws -> HTTPClient.Response {
        guard let credentials else { return try await transaction(body, to: endpoint, token: nil) }
        let token: String
        if let cached = tokens.get(endpoint.description) { token = cached } else {
            token = try await authenticate(credentials, at: endpoint)
        }
        let response = try await transaction(body, to: endpoint, token: token)
        guard Self.isTokenRefused(response) else { return response }
        tokens.set(endpoint.description, nil)
        let renewed = try await authenticate(credentials, at: endpoint)
        return try await transaction(body, to: endpoint, token: renewed)
    }

    private func transaction(_ body: [UInt8], to endpoint: HTTPAddress, token: String?) async throws -> HTTPClient.Response {
        var headers = [(name: "Content-Type", value: "application/json")]
        if let token { headers.append((name: "Authorization", value: token)) }
        let request = HTTPClient.Request(method: "POST", target: endpoint.path + "/v3/kv/txn", headers: headers, body: body)
        return try await client.execute(request, to: endpoint, timeout: timeout)
    }

    /// `POST /v3/auth/authenticate`; caches and returns the token. Errors name the user, never the password.
    private func authenticate(_ credentials: EtcdCredentials, at endpoint: HTTPAddress) async throws -> String {
        let body = Array(try JSONSerialization.data(withJSONObject: ["name": credentials.username, "password": credentials.password],
                                                    options: [.sortedKeys]))
        let request = HTTPClient.Request(method: "POST", target: endpoint.path + "/v3/auth/authenticate",
                                         headers: [("Content-Type", "application/json")], body: body)
        let response = try await client.execute(request, to: endpoint, timeout: timeout)
        guard response.status == 200,
              let json = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let token = json["token"] as? String, !token.isEmpty else {
            throw MasterKVStoreError("\(endpoint): cannot authenticate as \(credentials) (EtcdUsername/EtcdPassword): "
                                     + "HTTP \(response.status) \(Self.errorText(response))")
        }
        tokens.set(endpoint.description, token)
        return token
    }

    /// etcd's `error` (or `message`) field, else the start of the body.
    static func errorText(_ response: HTTPClient.Response) -> String {
        if let json = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
           let text = (json["error"] ?? json["message"]) as? String {
            return text
        }
        return String(response.bodyText.prefix(200))
    }

    /// A token etcd no longer accepts: expired (simple tokens live `--auth-token-ttl` seconds), issued by
    /// a member that restarted since, or revoked. The gateway maps gRPC's Unauthenticated to 401.
    static func isTokenRefused(_ response: HTTPClient.Response) -> Bool {
        response.status == 401 || errorText(response).contains("invalid auth token")
    }

    /// What to do about an etcd that wants authentication we do not have.
    static func hint(_ response: HTTPClient.Response, authenticated: Bool) -> String {
        let text = errorText(response)
        if !authenticated, text.contains("user name is empty") || response.status == 401 {
            return " (etcd has authentication enabled: set EtcdUsername and EtcdPassword)"
        }
        if text.contains("permission denied") {
            return " (grant the etcd user read-write on KVClusterMasterPrefix)"
        }
        return ""
    }

    /// `{"success":[{"requestPut":{"key":b64,"value":b64}},...]}`: a transaction without a compare
    /// always takes its success branch.
    static func transactionBody(_ pairs: [KVPair]) throws -> [UInt8] {
        let puts: [[String: Any]] = pairs.map { pair in
            ["requestPut": ["key": Data(pair.key.utf8).base64EncodedString(),
                            "value": Data(pair.value.utf8).base64EncodedString()]]
        }
        return Array(try JSONSerialization.data(withJSONObject: ["success": puts], options: [.sortedKeys]))
    }
}

/// Tokens by endpoint, shared by copies of the store; counts the tokens obtained (for tests).
private final class TokenCache: Sendable {
    private let tokens = Mutex<(byEndpoint: [String: String], obtained: Int)>(([:], 0))
    func get(_ endpoint: String) -> String? { tokens.withLock { $0.byEndpoint[endpoint] } }
    func set(_ endpoint: String, _ token: String?) {
        tokens.withLock { state in
            state.byEndpoint[endpoint] = token
            if token != nil { state.obtained += 1 }
        }
    }
    var obtained: Int { tokens.withLock { $0.obtained } }
}
