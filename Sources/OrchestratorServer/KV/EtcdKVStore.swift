import Foundation
import OrchestratorCore

/// etcd v3 through its JSON gateway (`POST /v3/kv/txn`, base64 keys and values), as etcd 3.4 serves
/// it on its client port. The gateway rather than gRPC: orchd's own HTTP client already speaks HTTP/1.1,
/// and a gRPC stack (grpc-swift, HTTP/2, protobuf) would add minutes to every cold build for four keys.
///
/// One transaction per write, so an application never reads a new `host:port` with the old `/port`.
/// Endpoints are tried in order; the first that answers 200 wins.
public struct EtcdKVStore: MasterKVStore {
    public let endpoints: [HTTPAddress]
    let client: HTTPClient
    /// Bounds each endpoint's attempt (connect included), so a store that is down never holds a recovery.
    let timeout: Duration

    public init(endpoints: [HTTPAddress], client: HTTPClient, timeout: Duration = .seconds(2)) {
        self.endpoints = endpoints
        self.client = client
        self.timeout = timeout
    }

    public var name: String { "etcd " + endpoints.map(\.description).joined(separator: ",") }

    public func put(_ pairs: [KVPair]) async throws {
        guard !pairs.isEmpty else { return }
        let body = try Self.transactionBody(pairs)
        var failures: [String] = []
        for endpoint in endpoints {
            let request = HTTPClient.Request(method: "POST", target: endpoint.path + "/v3/kv/txn",
                                             headers: [("Content-Type", "application/json")], body: body)
            do {
                let response = try await client.execute(request, to: endpoint, timeout: timeout)
                if response.status == 200 { return }
                failures.append("\(endpoint): HTTP \(response.status) \(response.bodyText.prefix(200))")
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failures.append("\(error)")
            }
        }
        throw MasterKVStoreError("etcd: no endpoint accepted the write: " + failures.joined(separator: "; "))
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
