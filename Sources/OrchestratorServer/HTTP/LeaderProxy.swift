import Foundation

/// Sends an `APIRequest` to another node's API (the leader, or a peer asked for a second opinion) over
/// the node's `HTTPClient`, and turns the answer back into an `APIResponse`.
struct LeaderProxy: Sendable {
    let client: HTTPClient

    /// Only `relayedHeaders` (lowercase names) go along: the caller's credentials, the proxied mark.
    /// The leader's `WWW-Authenticate` challenge comes back so a browser can ask for credentials.
    func forward(_ address: String, _ request: APIRequest, timeoutSeconds: Double,
                 relayedHeaders: Set<String> = ["authorization", OrchestratorAPI.proxiedHeader]) async throws -> APIResponse {
        let destination = try HTTPAddress(parsing: address)
        let headers = request.headers.filter { relayedHeaders.contains($0.key.lowercased()) }
            .sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        let response = try await client.execute(
            HTTPClient.Request(method: request.method, target: Self.target(request), headers: headers), to: destination,
            timeout: .milliseconds(Int64(max(0.001, timeoutSeconds) * 1000)))
        var answer = APIResponse(status: response.status, contentType: response.header("content-type") ?? "application/json",
                                 body: response.body)
        if let challenge = response.header("www-authenticate") { answer.headers["WWW-Authenticate"] = challenge }
        return answer
    }

    /// The request's path and its query, percent-encoded (`&`, `=` and `+` inside values too), keys sorted.
    static func target(_ request: APIRequest) -> String {
        guard !request.query.isEmpty else { return request.path }
        let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))
        return request.path + "?" + request.query.sorted { $0.key < $1.key }.map { key, value in
            "\(key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
    }
}
