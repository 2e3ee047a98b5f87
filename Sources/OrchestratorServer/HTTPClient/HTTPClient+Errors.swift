import NIOCore
import NIOPosix
import NIOSSL
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HTTPClient {
    /// Turns what NIO, NIOSSL or the connection reported into an `HTTPClientError` that names the
    /// address and says what to check. `connecting`: the failure came before the request was sent.
    func describe(_ error: any Error, origin: HTTPAddress, timeout: Duration, connecting: Bool) -> any Error {
        let address = origin.description
        switch error {
        case let error as HTTPClientError:
            return error
        case is CancellationError:
            return error
        case HTTPConnectionFailure.timedOut:
            return HTTPClientError(.timeout, address: address, detail: Self.seconds(timeout))
        case HTTPConnectionFailure.closed(let receivedAny, let cause):
            if let cause, let tls = tlsDescription(cause, origin: origin) { return tls }
            if origin.scheme == .https, connecting {
                return HTTPClientError(.tlsFailure, address: address, detail:
                    "the peer closed the connection during the handshake (does it want a client certificate? see SSLCertFile)")
            }
            if receivedAny {
                return HTTPClientError(.connectionClosed, address: address, detail: "in the middle of the response")
            }
            if origin.scheme == .https, configuration.tls.certificateFile == nil {
                // With TLS 1.3 a server checks the client certificate after the handshake, and just hangs up.
                return HTTPClientError(.connectionClosed, address: address, detail:
                    "before answering (a peer that requires a client certificate does this: set SSLCertFile and SSLPrivateKeyFile)")
            }
            return HTTPClientError(.connectionClosed, address: address, detail: "before answering")
        case HTTPConnectionFailure.tooLarge(let limit):
            return HTTPClientError(.badResponse, address: address, detail: "the response is larger than \(limit) bytes")
        case HTTPConnectionFailure.busy:
            return HTTPClientError(.badResponse, address: address, detail: "internal error: two requests on one connection")
        case ChannelError.connectTimeout(let amount):
            let seconds = Self.seconds(.nanoseconds(amount.nanoseconds))
            return HTTPClientError(.connectTimeout, address: address, detail: "no connection within \(seconds)")
        case let error as NIOConnectionError:
            if let dns = error.dnsAError ?? error.dnsAAAAError {
                return HTTPClientError(.cannotResolve, address: address, detail: "\(dns)")
            }
            let causes = error.connectionErrors.map(\.error)
            if causes.contains(where: { ($0 as? IOError)?.errnoCode == ECONNREFUSED }) {
                return HTTPClientError(.connectRefused, address: address, detail: "")
            }
            if causes.contains(where: { if case ChannelError.connectTimeout = $0 { true } else { false } }) {
                return HTTPClientError(.connectTimeout, address: address, detail: "no connection within \(Self.seconds(configuration.connectTimeout))")
            }
            if error.connectionErrors.isEmpty {
                return HTTPClientError(.cannotResolve, address: address, detail: "no address found for \(origin.host)")
            }
            return HTTPClientError(.connectFailed, address: address, detail: causes.map { "\($0)" }.joined(separator: "; "))
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            return HTTPClientError(.connectRefused, address: address, detail: "")
        case is HTTPParserError:
            let hint = origin.scheme == .http ? " (does the peer speak https? then advertise an https:// address)" : ""
            return HTTPClientError(.badResponse, address: address, detail: "not an HTTP/1.1 response: \(error)\(hint)")
        default:
            if let tls = tlsDescription(error, origin: origin) { return tls }
            return HTTPClientError(connecting ? .connectFailed : .connectionClosed, address: address, detail: "\(error)")
        }
    }

    /// A TLS failure in words an operator can act on; nil when `error` is not a TLS error.
    private func tlsDescription(_ error: any Error, origin: HTTPAddress) -> HTTPClientError? {
        let address = origin.description
        let trust = configuration.tls.trustDescription
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return HTTPClientError(.tlsFailure, address: address, detail:
                "the certificate presented is not issued for \"\(origin.host)\" (no matching subject alternative name); "
                + "advertise a name or address the certificate is issued for")
        }
        guard error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError else { return nil }
        let text = "\(error)"
        if text.uppercased().contains("CERTIFICATE_VERIFY_FAILED") {
            // BoringSSL's text adds only a source location to this; the reason is the whole story.
            return HTTPClientError(.tlsFailure, address: address, detail:
                "the certificate presented does not verify against \(trust) (CERTIFICATE_VERIFY_FAILED)")
        }
        return HTTPClientError(.tlsFailure, address: address, detail:
            "\(text); check the peer's certificate, \(trust), and \(configuration.tls.keyNames.certificateFile)/"
            + "\(configuration.tls.keyNames.privateKeyFile) if the peer asks for a client certificate")
    }

    /// `2 s`, `0.5 s`.
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds) s" }
        return "\(Double(seconds) + Double(attoseconds) / 1e18) s"
    }
}
