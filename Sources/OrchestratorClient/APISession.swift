/// A failure that ends the run: one line for stderr, and (as upstream) optional stdout lines.
public struct ClientFailure: Error, Equatable, Sendable {
    public var message: String
    public var output: [String]
    /// The server's own ERROR message is printed as it is (as upstream); the client's get its name.
    public var fromServer: Bool
    public init(_ message: String, output: [String] = [], fromServer: Bool = false) {
        self.message = message
        self.output = output
        self.fromServer = fromServer
    }
}

/// Talks to the orchestrator API: finds the leader among the endpoints, sends GETs with upstream's
/// retry schedule, and unwraps the `{"Code","Message","Details"}` envelope.
struct APISession {
    let endpoints: [HTTPEndpoint]
    let headers: [(String, String)]
    let transport: any HTTPTransport
    let sleep: @Sendable (Double) -> Void
    /// Sleeps left before giving up; shared by leader discovery and the calls, so the total wait is
    /// bounded by upstream's schedule (0.1 0.2 0.5 1 2 2.5 5 s).
    var sleepsLeft: ArraySlice<Double>
    var leader: HTTPEndpoint?

    init(endpoints: [HTTPEndpoint], headers: [(String, String)], transport: any HTTPTransport,
         sleep: @escaping @Sendable (Double) -> Void, retrySleeps: [Double]) {
        self.endpoints = endpoints
        self.headers = headers
        self.transport = transport
        self.sleep = sleep
        self.sleepsLeft = retrySleeps[...]
    }

    /// Sleeps before the next attempt; false when the schedule is used up.
    mutating func backOff() -> Bool {
        guard let seconds = sleepsLeft.popFirst() else { return false }
        sleep(seconds)
        return true
    }

    var endpointList: String { endpoints.map(\.description).joined(separator: " ") }

    // MARK: - Leader discovery

    /// The endpoint to talk to: the only one given, or the one answering 200 to `leader-check` (then
    /// `routed-leader-check`), asking all endpoints at once so a hung node costs nothing. While no node
    /// claims leadership but some answer (an election in progress), it retries on the schedule; when
    /// none can be reached it fails at once.
    mutating func findLeader() throws(ClientFailure) -> HTTPEndpoint {
        if let leader { return leader }
        if endpoints.count == 1 {
            leader = endpoints[0]
            return endpoints[0]
        }
        while true {
            var reachable = false
            var problems: [String] = []
            for check in ["leader-check", "routed-leader-check"] {
                let outcome = transport.race(endpoints.map { ($0, $0.basePath + "/" + check) }, headers: headers,
                                             timeouts: .leaderCheck) { $0.status == 200 }
                if let (index, _) = outcome.winner {
                    leader = endpoints[index]
                    return endpoints[index]
                }
                if let (index, _) = outcome.rejected.first(where: { $0.value.status == 401 }) {
                    throw ClientFailure(Self.unauthorized(endpoints[index]))
                }
                reachable = reachable || !outcome.rejected.isEmpty
                if check == "leader-check" {
                    problems = outcome.failures.keys.sorted().map { "\(endpoints[$0]): \(outcome.failures[$0]!)" }
                }
            }
            if !reachable {
                throw ClientFailure("cannot reach any orchestrator endpoint (\(problems.joined(separator: "; "))); check ORCHESTRATOR_API and that orchd is running")
            }
            guard backOff() else {
                throw ClientFailure("Cannot determine leader from \(endpointList): no endpoint answered 200 to leader-check")
            }
        }
    }

    static func unauthorized(_ endpoint: HTTPEndpoint) -> String {
        "Cannot access orchestrator at \(endpoint): 401 Unauthorized; check ORCHESTRATOR_AUTH_USER/ORCHESTRATOR_AUTH_PASSWORD (or -b user:password)"
    }

    // MARK: - Calls

    /// GETs `/api/<path>` on the leader. With `raw` (the `api` command), an ERROR envelope is printed
    /// whole; otherwise its Message goes to stderr and its Details to stdout, as upstream does.
    mutating func call(_ path: String, raw: Bool = false) throws(ClientFailure) -> JSON {
        var lastProblem = ""
        while true {
            let endpoint = try findLeader()
            do {
                let response = try transport.get(endpoint, path: endpoint.basePath + "/" + path, headers: headers,
                                                 timeouts: .apiCall)
                if let json = try Self.interpret(response, endpoint: endpoint, path: path, raw: raw) { return json }
                lastProblem = "HTTP \(response.status) with a body that is not JSON"
            } catch let error as HTTPError {
                if case .tls = error {  // a certificate that does not verify will not verify on retry
                    throw ClientFailure("Cannot access orchestrator at \(endpoint): \(error)")
                }
                lastProblem = error.description
                if endpoints.count > 1 { leader = nil }  // the leader may have just died: look again
            } catch let failure as ClientFailure {
                throw failure
            } catch {
                lastProblem = "\(error)"
            }
            guard backOff() else {
                throw ClientFailure("Cannot access orchestrator at \(endpoint): \(lastProblem). Check ORCHESTRATOR_API is configured correctly and orchestrator is running")
            }
        }
    }

    /// The JSON to use, nil to retry (a gateway error), or a failure to report now.
    static func interpret(_ response: HTTPResponse, endpoint: HTTPEndpoint, path: String, raw: Bool)
        throws(ClientFailure) -> JSON?
    {
        if response.status == 401 { throw ClientFailure(unauthorized(endpoint)) }
        let json: JSON
        do {
            json = try JSON.parse(response.body)
        } catch {
            if response.status >= 500 { return nil }
            let firstLine = response.bodyText.split(separator: "\n").first.map { String($0.prefix(120)) } ?? ""
            throw ClientFailure("HTTP \(response.status) from GET \(endpoint.basePath)/\(path)" + (firstLine.isEmpty ? "" : ": \(firstLine)"))
        }
        if json.isEnvelope, json["Code"].stringValue == "ERROR" {
            if raw {
                throw ClientFailure(foldWhitespace(json["Message"].stringValue ?? "ERROR"), output: [json.echoed],
                                    fromServer: true)
            }
            let message = foldWhitespace(json["Message"].stringValue ?? "")
            let details = json["Details"]
            throw ClientFailure(message.isEmpty ? "orchestrator answered ERROR" : message,
                                output: details.isNull ? [] : [details.echoed], fromServer: !message.isEmpty)
        }
        if response.status >= 400 && !raw && !json.isEnvelope {
            throw ClientFailure("HTTP \(response.status) from GET \(endpoint.basePath)/\(path): \(String(json.compact.prefix(200)))")
        }
        return json
    }
}
