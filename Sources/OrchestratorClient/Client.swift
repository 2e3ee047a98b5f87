/// What a run printed and how it exits.
public struct ClientResult: Equatable, Sendable {
    public var stdout: [String]
    public var stderr: [String]
    public var status: Int32

    public init(stdout: [String] = [], stderr: [String] = [], status: Int32 = 0) {
        self.stdout = stdout
        self.stderr = stderr
        self.status = status
    }
}

/// orchestrator-client: parses the command line, talks to the API, prints what upstream prints.
/// Everything with side effects is injected, so tests can run it without sleeping.
public struct Client: Sendable {
    public var transport: any HTTPTransport
    public var sleep: @Sendable (Double) -> Void
    /// The default owner for downtime/maintenance (upstream: `whoami`).
    public var currentUser: @Sendable () -> String
    /// Sleeps between attempts after a failure (upstream's schedule).
    public var retrySleeps: [Double]

    public static let upstreamRetrySleeps: [Double] = [0.1, 0.2, 0.5, 1, 2, 2.5, 5]
    static let programName = "orchestrator-client"

    public init(
        transport: any HTTPTransport = SocketHTTPTransport(),
        sleep: @escaping @Sendable (Double) -> Void,
        currentUser: @escaping @Sendable () -> String = { "" },
        retrySleeps: [Double] = Client.upstreamRetrySleeps
    ) {
        self.transport = transport
        self.sleep = sleep
        self.currentUser = currentUser
        self.retrySleeps = retrySleeps
    }

    /// Runs one command line (without the program name).
    public func run(arguments: [String], environment: [String: String]) -> ClientResult {
        do {
            return try execute(arguments: arguments, environment: environment)
        } catch {
            let line = error.fromServer ? error.message : "\(Self.programName): \(error.message)"
            return ClientResult(stdout: error.output, stderr: [line], status: 1)
        }
    }

    func execute(arguments: [String], environment: [String: String]) throws(ClientFailure) -> ClientResult {
        let options: ClientOptions
        do {
            options = try ClientOptions.parse(arguments: arguments, environment: environment)
        } catch {
            throw ClientFailure(error.message)
        }
        if options.help || options.normalizedCommand == "help" {
            return ClientResult(stdout: HelpText.lines())
        }
        guard let name = options.normalizedCommand, !name.isEmpty else {
            throw ClientFailure("no command given; use \(Self.programName) -c <command> [...] (see -h for the commands)")
        }
        guard let spec = CommandSpec.named(name) else {
            throw ClientFailure(CommandSpec.unknownCommandMessage(name))
        }
        // Check the flags before touching the network.
        var path: String?
        if spec.route != nil {
            do {
                path = try spec.requestPath(options: options, currentUser: currentUser)
            } catch {
                throw ClientFailure(error.message)
            }
        } else if options.noop {
            throw ClientFailure("-c \(spec.name) does not support --noop")
        }
        let endpoints: [HTTPEndpoint]
        let headers: [(String, String)]
        do {
            endpoints = try HTTPEndpoint.parseList(options.api)
            headers = try Self.authHeaders(options: options)
        } catch {
            throw ClientFailure(error.message)
        }
        var transport = self.transport
        if endpoints.contains(where: \.tls) {
            // Only now: plain-HTTP runs never load a CA bundle nor touch BoringSSL.
            do {
                transport = try transport.withTLS(options.tls)
            } catch {
                throw ClientFailure(error.description)
            }
        }
        var session = APISession(endpoints: endpoints, headers: headers, transport: transport, sleep: sleep,
                                 retrySleeps: retrySleeps)
        let leader = try session.findLeader()
        guard let path else {
            return ClientResult(stdout: [leader.description])  // which-api
        }
        if let precheck = spec.raftPrecheck {
            try Self.checkRaftState(precheck, session: &session)
        }
        let response = try session.call(path, raw: spec.name == "api")
        let output = options.noop ? OutputKind.described : spec.output
        do {
            return ClientResult(stdout: try output.render(response))
        } catch {
            throw ClientFailure("unexpected response from GET \(leader.basePath)/\(path): \(error.message)")
        }
    }

    /// Upstream asks `raft-state` first and refuses unless the node says "Leader".
    static func checkRaftState(_ precheck: RaftPrecheck, session: inout APISession) throws(ClientFailure) {
        let state = try session.call("raft-state").raw
        let accepted = precheck == .leader ? ["Leader"] : ["Leader", "Follower"]
        guard accepted.contains(where: { state.contains($0) }) else {
            var message = "Cannot determine raft state: the node reports \"\(foldWhitespace(state))\", expected \(accepted.joined(separator: " or "))"
            if session.endpoints.count == 1 && state.contains("Follower") {
                message += "; list every node in ORCHESTRATOR_API so the client can find the leader"
            }
            throw ClientFailure(message)
        }
    }

    /// Basic auth from -b / ORCHESTRATOR_AUTH_USER+PASSWORD, plus the -e / ORCHESTRATOR_AUTH_USER_HEADER
    /// header.
    static func authHeaders(options: ClientOptions) throws(UsageError) -> [(String, String)] {
        var headers: [(String, String)] = []
        // Credentials inside an endpoint's URL are added by the transport, per endpoint, when these
        // give none.
        if let basic = options.basicAuth, basic != ":" {
            headers.append(("Authorization", "Basic " + base64(basic)))
        }
        if let header = options.headerAuth, !header.isEmpty {
            guard let colon = header.firstIndex(of: ":"), colon != header.startIndex else {
                throw UsageError("-e expects 'Header-Name: value', got '\(header)'")
            }
            let name = String(header[..<colon]).trimmingSpaces
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw UsageError("-e header name '\(name)' has characters not allowed in an HTTP header name")
            }
            let value = String(header[header.index(after: colon)...]).trimmingSpaces
            guard !value.contains("\r"), !value.contains("\n") else {
                throw UsageError("-e header value must be on one line")
            }
            headers.append((name, value))
        }
        return headers
    }
}
