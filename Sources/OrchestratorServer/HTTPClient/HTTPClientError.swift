/// Why a request to another node got no complete answer. Always names the address; the message says
/// what to check.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for callers that branch on it.
    public enum Code: String, Sendable {
        /// The address does not parse.
        case invalidAddress
        /// The host name does not resolve.
        case cannotResolve
        /// Nothing listens at the address (TCP reset on connect).
        case connectRefused
        /// No TCP connection within the connect timeout.
        case connectTimeout
        /// Another connect failure (unreachable network, ...).
        case connectFailed
        /// The TLS handshake failed: the certificate does not verify, the host name does not match, the
        /// peer wants a client certificate, ...
        case tlsFailure
        /// No complete response within the request timeout.
        case timeout
        /// The peer closed the connection before the response was complete.
        case connectionClosed
        /// The response is not HTTP/1.x as expected, or larger than allowed.
        case badResponse
        /// The client was shut down.
        case shutDown
    }

    public var code: Code
    /// `scheme://host:port` (or the text that did not parse).
    public var address: String
    /// The underlying reason, one line.
    public var detail: String

    public init(_ code: Code, address: String, detail: String) {
        self.code = code
        self.address = address
        self.detail = detail
    }

    public var description: String {
        switch code {
        case .invalidAddress:
            return "invalid address \"\(address)\": \(detail)"
        case .cannotResolve:
            return "cannot resolve the host of \(address): \(detail); check the name in HTTPAdvertise / RaftNodes"
        case .connectRefused:
            return "connection refused by \(address): nothing listens there; check that orchd runs and that its HTTPAdvertise matches ListenAddress"
        case .connectTimeout:
            return "timed out connecting to \(address) (\(detail)); check that the host is up and no firewall drops the port"
        case .connectFailed:
            return "cannot connect to \(address): \(detail)"
        case .tlsFailure:
            return "TLS with \(address) failed: \(detail)"
        case .timeout:
            return "no complete response from \(address) within \(detail)"
        case .connectionClosed:
            return "\(address) closed the connection \(detail)"
        case .badResponse:
            return "bad response from \(address): \(detail)"
        case .shutDown:
            return "cannot send to \(address): the HTTP client is shut down (orchd is stopping)"
        }
    }
}
