import CNIOBoringSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A BoringSSL client context: trust roots, verification on, optional client certificate. Built only
/// when an `https://` endpoint is used, so plain-HTTP runs never touch BoringSSL.
///
/// BoringSSL's C API over the client's own non-blocking socket, rather than NIOSSL or Foundation: the
/// client stays a single-threaded poll loop (the leader race included) and links no runtime that would
/// slow every start-up.
public final class TLSContext: @unchecked Sendable {
    // @unchecked: the SSL_CTX is configured in init and only read afterwards (SSL_new), which BoringSSL
    // allows from any thread.
    let context: OpaquePointer
    let settings: TLSSettings
    /// Where trust comes from, for messages.
    let trust: String

    public init(settings: TLSSettings) throws(HTTPError) {
        do {
            try settings.validate()
        } catch {
            throw HTTPError.tlsSetup(error.message)
        }
        guard let context = SSL_CTX_new(TLS_method()) else {
            throw HTTPError.tlsSetup("cannot create a TLS context: \(Self.lastError())")
        }
        self.context = context
        self.settings = settings
        // SSL_write writes to the socket with write(2): a server closing early must be an error, not
        // SIGPIPE killing the process.
        signal(SIGPIPE, SIG_IGN)
        _ = SSL_CTX_set_min_proto_version(context, UInt16(TLS1_2_VERSION))
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)

        let caFile = settings.caFile ?? TLSSettings.systemCABundles.first { access($0, R_OK) == 0 }
        trust = settings.trustDescription(systemBundle: caFile)
        guard let caFile else {
            SSL_CTX_free(context)
            throw HTTPError.tlsSetup("no CA file to verify https endpoints with: none of \(TLSSettings.systemCABundles.joined(separator: ", ")) is readable; set ORCHESTRATOR_CA_FILE")
        }
        guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
            let reason = Self.lastError()
            SSL_CTX_free(context)
            throw HTTPError.tlsSetup("cannot load \(trust): \(Self.fileProblem(caFile) ?? reason)")
        }
        if let certificate = settings.clientCertificate {
            let key = settings.clientKey ?? certificate
            let certificateVariable = TLSSettings.clientCertificateVariable
            let keyVariable = settings.clientKey == nil ? certificateVariable : TLSSettings.clientKeyVariable
            guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1 else {
                let reason = Self.lastError()
                SSL_CTX_free(context)
                throw HTTPError.tlsSetup("cannot load the client certificate \(certificate) (\(certificateVariable)): \(Self.fileProblem(certificate) ?? reason)")
            }
            let mismatch = "the client key \(key) does not match the certificate \(certificate) (\(certificateVariable), \(TLSSettings.clientKeyVariable))"
            guard SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
                let reason = Self.lastError()
                SSL_CTX_free(context)
                if reason.contains("mismatch") { throw HTTPError.tlsSetup(mismatch) }
                throw HTTPError.tlsSetup("cannot load the client key \(key) (\(keyVariable)): \(Self.fileProblem(key) ?? reason)")
            }
            guard SSL_CTX_check_private_key(context) == 1 else {
                SSL_CTX_free(context)
                throw HTTPError.tlsSetup(mismatch)
            }
        }
    }

    deinit { SSL_CTX_free(context) }

    /// Why a file cannot be used, when the file system says so (clearer than BoringSSL's reason).
    static func fileProblem(_ path: String) -> String? {
        access(path, R_OK) == 0 ? nil : SocketHTTPTransport.errorText(errno)
    }

    /// The oldest queued BoringSSL error as text (and the queue cleared).
    static func lastError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0, let reason = ERR_reason_error_string(code) else { return "unknown TLS error" }
        return String(cString: reason).lowercased().replacingUnderscores
    }
}

/// One client TLS session over a connected non-blocking socket.
struct TLSSession {
    let ssl: OpaquePointer
    let context: TLSContext
    let target: String
    let host: String

    init(context: TLSContext, fd: Int32, host: String, target: String) throws(HTTPError) {
        guard let ssl = SSL_new(context.context) else {
            throw HTTPError.tls(target, "cannot start TLS: \(TLSContext.lastError())")
        }
        self.ssl = ssl
        self.context = context
        self.target = target
        self.host = host
        SSL_set_connect_state(ssl)
        _ = SSL_set_fd(ssl, fd)
        // The certificate must name the host we were told to reach: its IP address, or its DNS name.
        let parameters = SSL_get0_param(ssl)
        if Self.isIPAddress(host) {
            _ = X509_VERIFY_PARAM_set1_ip_asc(parameters, host)
        } else {
            _ = X509_VERIFY_PARAM_set1_host(parameters, host, host.utf8.count)
            _ = SSL_set_tlsext_host_name(ssl, host)
        }
    }

    func free() { SSL_free(ssl) }

    static func isIPAddress(_ host: String) -> Bool {
        var buffer = in6_addr()
        return inet_pton(AF_INET, host, &buffer) == 1 || inet_pton(AF_INET6, host, &buffer) == 1
    }

    /// What a TLS call asks for next.
    enum Progress {
        case done(Int)
        case wait(Int16)
        case closed
    }

    /// Advances the handshake; `.done` once established.
    func handshake() throws(HTTPError) -> Progress {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .done(0) }
        return try progress(result, during: "handshake")
    }

    func write(_ bytes: ArraySlice<UInt8>) throws(HTTPError) -> Progress {
        ERR_clear_error()
        let result = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        if result > 0 { return .done(Int(result)) }
        return try progress(result, during: "sending")
    }

    func read(into buffer: inout [UInt8]) throws(HTTPError) -> Progress {
        ERR_clear_error()
        let result = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
        if result > 0 { return .done(Int(result)) }
        return try progress(result, during: "reading")
    }

    private func progress(_ result: Int32, during step: String) throws(HTTPError) -> Progress {
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ: return .wait(Int16(POLLIN))
        case SSL_ERROR_WANT_WRITE: return .wait(Int16(POLLOUT))
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL where ERR_peek_error() == 0:
            // EOF without close_notify (result 0), or a socket error.
            if result == 0 || errno == 0 {
                if step == "handshake" { throw HTTPError.tls(target, "the server closed the connection during the TLS handshake") }
                return .closed
            }
            throw HTTPError.io("\(step) (TLS) with \(target): \(SocketHTTPTransport.errorText(errno))")
        default:
            throw HTTPError.tls(target, explain(step: step))
        }
    }

    /// The failure in words: a certificate that does not verify names the CA or the host; an alert
    /// from the server about our certificate names the variables to set.
    private func explain(step: String) -> String {
        let verify = SSL_get_verify_result(ssl)
        if verify != X509_V_OK {
            let reason = String(cString: X509_verify_cert_error_string(verify))
            switch Int32(verify) {
            case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
                return "certificate verify failed: the server's certificate is not valid for host \(host) (host name mismatch)"
            case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
                 X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
                return "certificate verify failed: the server's certificate is not signed by a CA in \(context.trust) (\(reason)); set ORCHESTRATOR_CA_FILE to the CA that signed it"
            default:
                return "certificate verify failed: \(reason) (verified against \(context.trust))"
            }
        }
        let reason = TLSContext.lastError()
        let upper = reason.uppercased()
        if upper.contains("CERTIFICATE REQUIRED") || upper.contains("BAD CERTIFICATE")
            || upper.contains("HANDSHAKE FAILURE") || upper.contains("UNKNOWN CA") {
            if context.settings.clientCertificate == nil {
                return "the server refused the connection (\(reason)): it requires a client certificate; set \(TLSSettings.clientCertificateVariable) and \(TLSSettings.clientKeyVariable)"
            }
            return "the server refused our client certificate \(context.settings.clientCertificate!) (\(reason)); it must be signed by the server's SSLCAFile"
        }
        if upper.contains("WRONG VERSION NUMBER") {
            return "\(step): the server does not speak TLS (\(reason)); is it serving plain HTTP? use http://"
        }
        return "\(step): \(reason)"
    }
}

extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}
