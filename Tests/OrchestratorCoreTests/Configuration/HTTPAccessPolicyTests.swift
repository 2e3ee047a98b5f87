@testable import OrchestratorCore
import Testing

private let path = "/etc/orchestrator.conf.json"

private func policy(_ json: String, env: [String: String] = [:]) throws -> HTTPAccessPolicy {
    let (config, _) = try OrchestratorConfiguration.load(json: Array(json.utf8), path: path, environment: env)
    return HTTPAccessPolicy(configuration: config)
}

private func failure(_ json: String) -> ConfigurationError? {
    do {
        _ = try OrchestratorConfiguration.load(json: Array(json.utf8), path: path)
        Issue.record("expected an error for \(json)")
        return nil
    } catch {
        return error
    }
}

/// `Authorization: Basic base64(user:password)`, with the encoding written out here so the test does
/// not trust the decoder under test.
private func basic(_ credentials: String) -> [String: String] {
    let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    let bytes = Array(credentials.utf8)
    var out = ""
    var i = 0
    while i < bytes.count {
        let n = min(3, bytes.count - i)
        let b0 = bytes[i], b1 = n > 1 ? bytes[i + 1] : 0, b2 = n > 2 ? bytes[i + 2] : 0
        out.append(table[Int(b0 >> 2)])
        out.append(table[Int((b0 & 3) << 4 | b1 >> 4)])
        out.append(n > 1 ? table[Int((b1 & 15) << 2 | b2 >> 6)] : "=")
        out.append(n > 2 ? table[Int(b2 & 63)] : "=")
        i += 3
    }
    return ["authorization": "Basic " + out]
}

private func isAllowed(_ d: HTTPAccessPolicy.Decision) -> Bool { if case .allow = d { return true } else { return false } }
private func isUnauthenticated(_ d: HTTPAccessPolicy.Decision) -> Bool {
    if case .unauthenticated = d { return true } else { return false }
}
private func forbiddenReason(_ d: HTTPAccessPolicy.Decision) -> String? {
    if case .forbidden(let reason) = d { return reason } else { return nil }
}

@Suite("HTTP access policy: AuthenticationMethod, PowerAuthUsers, ReadOnly")
struct HTTPAccessPolicyTests {
    @Test func noMethodLetsEveryoneDoEverything() throws {
        let p = try policy("{}")
        #expect(p.method == .open)
        #expect(isAllowed(p.decide(headers: [:], changesState: true)))
    }

    @Test func basicNeedsTheRightUserAndPassword() throws {
        let p = try policy(#"{"AuthenticationMethod": "basic", "HTTPAuthUser": "dba", "HTTPAuthPassword": "s3cret:x"}"#)
        #expect(isUnauthenticated(p.decide(headers: [:], changesState: false)))
        #expect(isUnauthenticated(p.decide(headers: basic("dba:wrong"), changesState: false)))
        #expect(isUnauthenticated(p.decide(headers: basic("dbax:s3cret:x"), changesState: false)))
        #expect(isUnauthenticated(p.decide(headers: basic("dba:s3cret"), changesState: false)), "a prefix is not enough")
        #expect(isUnauthenticated(p.decide(headers: basic("readonly:anything"), changesState: false)),
                "readonly is a multi-only user")
        #expect(isUnauthenticated(p.decide(headers: ["authorization": "Bearer abc"], changesState: false)))
        #expect(isUnauthenticated(p.decide(headers: ["authorization": "Basic !!!"], changesState: false)))
        // The password may hold a colon: only the first one separates the user.
        #expect(isAllowed(p.decide(headers: basic("dba:s3cret:x"), changesState: true)))
        #expect(isAllowed(p.decide(headers: ["Authorization": basic("dba:s3cret:x")["authorization"]!], changesState: true)),
                "header names are case-insensitive")
    }

    @Test func loadBalancerProbesNeedNoCredentials() throws {
        let p = try policy(#"{"AuthenticationMethod": "basic", "HTTPAuthUser": "dba", "HTTPAuthPassword": "pw"}"#)
        #expect(isAllowed(p.decide(headers: [:], changesState: false, isProbe: true)))
        #expect(isUnauthenticated(p.decide(headers: [:], changesState: true, isProbe: true)),
                "a probe flag never opens a route that changes state")
    }

    @Test func multiAddsAReadOnlyUserWithAnyPassword() throws {
        let p = try policy(#"{"AuthenticationMethod": "multi", "HTTPAuthUser": "dba", "HTTPAuthPassword": "pw"}"#)
        #expect(isAllowed(p.decide(headers: basic("readonly:whatever"), changesState: false)))
        #expect(forbiddenReason(p.decide(headers: basic("readonly:whatever"), changesState: true))?.contains("readonly") == true)
        #expect(isAllowed(p.decide(headers: basic("dba:pw"), changesState: true)))
        #expect(isUnauthenticated(p.decide(headers: basic("dba:nope"), changesState: false)))
        #expect(isUnauthenticated(p.decide(headers: [:], changesState: false)))
    }

    @Test func proxyTrustsTheHeaderAndPowerAuthUsersMayWrite() throws {
        let p = try policy(#"{"AuthenticationMethod": "proxy", "AuthUserHeader": "X-Auth-User", "PowerAuthUsers": ["alice"]}"#)
        #expect(isAllowed(p.decide(headers: [:], changesState: false)), "anyone may read")
        #expect(isAllowed(p.decide(headers: ["x-auth-user": "alice"], changesState: true)))
        #expect(forbiddenReason(p.decide(headers: ["x-auth-user": "bob"], changesState: true))?.contains("PowerAuthUsers") == true)
        #expect(forbiddenReason(p.decide(headers: [:], changesState: true)) != nil)
        let everyone = try policy(#"{"AuthenticationMethod": "proxy"}"#)
        #expect(everyone.userHeader == "X-Forwarded-User")
        #expect(isAllowed(everyone.decide(headers: [:], changesState: true)), "PowerAuthUsers defaults to *")
    }

    @Test func readOnlyRefusesEveryChangeWhateverTheMethod() throws {
        let open = try policy(#"{"ReadOnly": true}"#)
        #expect(isAllowed(open.decide(headers: [:], changesState: false)))
        #expect(forbiddenReason(open.decide(headers: [:], changesState: true))?.contains("ReadOnly") == true)
        let basicRO = try policy(#"{"ReadOnly": true, "AuthenticationMethod": "basic", "HTTPAuthUser": "u", "HTTPAuthPassword": "p"}"#)
        #expect(forbiddenReason(basicRO.decide(headers: basic("u:p"), changesState: true)) != nil)
        #expect(isUnauthenticated(basicRO.decide(headers: [:], changesState: true)), "authentication comes first")
    }

    @Test func passwordFromTheEnvironment() throws {
        let p = try policy(#"{"AuthenticationMethod": "basic", "HTTPAuthUser": "dba", "HTTPAuthPassword": "${API_PW}"}"#,
                           env: ["API_PW": "from-env"])
        #expect(isAllowed(p.decide(headers: basic("dba:from-env"), changesState: true)))
    }

    @Test func configurationErrorsNameTheKey() {
        #expect(failure(#"{"AuthenticationMethod": "basic", "HTTPAuthPassword": "p"}"#)?.key == "HTTPAuthUser")
        #expect(failure(#"{"AuthenticationMethod": "basic", "HTTPAuthUser": "u"}"#)?.key == "HTTPAuthPassword")
        #expect(failure(#"{"AuthenticationMethod": "multi", "HTTPAuthUser": "readonly", "HTTPAuthPassword": "p"}"#)?.key
                == "HTTPAuthUser")
        let oauth = failure(#"{"AuthenticationMethod": "oauth"}"#)
        #expect(oauth?.key == "AuthenticationMethod")
        #expect(oauth?.description.contains("not supported") == true)
        #expect(failure(#"{"AuthenticationMethod": "kerberos"}"#)?.key == "AuthenticationMethod")
        #expect(failure(#"{"AuthenticationMethod": "proxy", "AuthUserHeader": ""}"#)?.key == "AuthUserHeader")
    }

    @Test func powerAuthGroupsIsRefused() {
        // Group permissions would be silently missing: refused at start-up, with the alternative.
        var refusal: ConfigurationError?
        do {
            _ = try OrchestratorConfiguration.load(
                json: Array(#"{"AuthenticationMethod": "proxy", "PowerAuthGroups": ["dba"]}"#.utf8), path: path)
        } catch { refusal = error }
        #expect(refusal?.key == "PowerAuthGroups")
        #expect(refusal?.description.contains("PowerAuthUsers") == true)
    }

    @Test func browsersCrossSiteRequestsAreRecognised() {
        #expect(HTTPAccessPolicy.crossSiteReason(headers: [:]) == nil, "the CLI and curl send no such header")
        #expect(HTTPAccessPolicy.crossSiteReason(headers: ["sec-fetch-site": "cross-site"]) != nil)
        #expect(HTTPAccessPolicy.crossSiteReason(headers: ["Sec-Fetch-Site": "same-site"]) != nil)
        #expect(HTTPAccessPolicy.crossSiteReason(headers: ["sec-fetch-site": "same-origin"]) == nil)
        #expect(HTTPAccessPolicy.crossSiteReason(headers: ["sec-fetch-site": "none"]) == nil, "typed in the address bar")
        #expect(HTTPAccessPolicy.crossSiteReason(headers: ["origin": "http://orchd:3000", "host": "orchd:3000"]) == nil)
        #expect(HTTPAccessPolicy.crossSiteReason(headers: ["origin": "https://evil.example", "host": "orchd:3000"]) != nil)
        #expect(HTTPAccessPolicy.crossSiteReason(headers: ["origin": "null", "host": "orchd:3000"]) != nil)
    }

    @Test func base64DecodesWithAndWithoutPadding() {
        #expect(Base64.decode("ZGJhOnB3") == Array("dba:pw".utf8))
        #expect(Base64.decode("YQ==") == Array("a".utf8))
        #expect(Base64.decode("YQ") == Array("a".utf8))
        #expect(Base64.decode("YWI=") == Array("ab".utf8))
        #expect(Base64.decode("Y") == nil)
        #expect(Base64.decode("YQ=a") == nil)
        #expect(Base64.decode("Y Q") == nil)
    }
}
