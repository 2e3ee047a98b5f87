#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Logging
import NIOPosix
import OrchestratorServer
import OrchestratorServerTestKit

/// Entry point: `node`, `bench` or `ctl`.
@main
struct RaftHarness: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raft-harness",
        abstract: "One Raft node with a toy state machine, for tests and benchmarks.",
        discussion: """
            Control protocol (one line each): propose <text>, confirm, transfer <id>, add <id>, remove <id>, \
            snapshot, status. Answers: ok | err <reason> | status key=value...
            """,
        subcommands: [Node.self, Bench.self, Ctl.self])

    /// Without a mode: the usage, exit status 2.
    func run() async throws {
        print(Self.helpMessage())
        throw ExitCode(2)
    }
}

// MARK: - node

extension RaftHarness {
    struct Node: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Runs one Raft node with a control port.")

        @Option(help: ArgumentHelp("This node's Raft id (its advertised address).", valueName: "host:port"))
        var id: String

        @Option(help: ArgumentHelp("Every voter's id, this node's included.", valueName: "id,id,..."))
        var peers: String

        @Option(help: ArgumentHelp("Directory of the node's SQLite Raft storage.", valueName: "dir"))
        var dataDir: String

        @Option(help: ArgumentHelp("Where the control line protocol listens.", valueName: "host:port"))
        var control: RaftAddress

        @Option(help: ArgumentHelp("Where Raft listens (default: --id).", valueName: "host:port"))
        var bind: RaftAddress?

        @OptionGroup(title: "Node timing and logging")
        var timing: NodeTiming

        @OptionGroup(title: "Mutual TLS between the nodes (all three or none)")
        var tls: NodeTLS

        var voters: [String] { peers.split(separator: ",").map(String.init) }

        func validate() throws {
            guard RaftAddress(parsing: id) != nil else { throw ValidationError("--id '\(id)' is not a host:port address") }
            guard !voters.isEmpty else { throw ValidationError("--peers needs at least one id") }
        }

        func run() async throws {
            let level = timing.logLevel
            LoggingSystem.bootstrap { label in
                var h = StreamLogHandler.standardError(label: label)
                h.logLevel = level
                return h
            }
            var settings = RaftService.Settings(id: id, voters: voters)
            settings.tickInterval = .milliseconds(timing.tickMs)
            settings.core = RaftConfiguration(electionTicks: timing.electionTicks, heartbeatTicks: timing.heartbeatTicks)
            settings.snapshotEvery = UInt64(timing.snapshotEvery)
            let storage = try SQLiteRaftStorage(dataDirectory: dataDir)
            guard let bind = bind ?? RaftAddress(parsing: id) else { throw HarnessError("--id '\(id)' is not a host:port address") }
            var options = NIORaftTransport.Options()
            options.tls = try tls.load()
            let transport = NIORaftTransport(localID: id, bind: bind, options: options)
            let machine = InMemoryRaftStateMachine()
            let service = try RaftService(settings: settings, storage: storage, transport: transport, stateMachine: machine)
            let control = RaftControlServer(service: service, address: control) {
                let s = machine.current
                return "commands=\(s.commands) digest=\(String(s.digest, radix: 16))"
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                group.addTask { try await control.run(group: MultiThreadedEventLoopGroup.singleton) }
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }

    /// The flags `node` takes that `bench` passes on to the nodes it starts.
    struct NodeTiming: ParsableArguments {
        @Option(help: ArgumentHelp("Milliseconds per Raft tick.", valueName: "ms"))
        var tickMs = 20

        @Option(help: ArgumentHelp("Election timeout in ticks.", valueName: "n"))
        var electionTicks = 9

        @Option(help: ArgumentHelp("Heartbeat interval in ticks.", valueName: "n"))
        var heartbeatTicks = 2

        @Option(help: ArgumentHelp("Take a snapshot every this many applied entries.", valueName: "n"))
        var snapshotEvery = 10_000

        @Option(help: ArgumentHelp("Log level.", valueName: "level"))
        var logLevel: Logger.Level = .info

        func validate() throws {
            for (flag, value) in [("--tick-ms", tickMs), ("--heartbeat-ticks", heartbeatTicks), ("--snapshot-every", snapshotEvery)]
            where value < 1 {
                throw ValidationError("\(flag) must be at least 1, got \(value)")
            }
            // RaftConfiguration would clamp these; a flag that says otherwise is a mistake, not a wish.
            guard heartbeatTicks < electionTicks else {
                throw ValidationError("--heartbeat-ticks (\(heartbeatTicks)) must be below --election-ticks (\(electionTicks))")
            }
        }

        /// The same settings as `node` flags.
        var arguments: [String] {
            ["--tick-ms", "\(tickMs)", "--election-ticks", "\(electionTicks)", "--heartbeat-ticks", "\(heartbeatTicks)",
             "--snapshot-every", "\(snapshotEvery)", "--log-level", logLevel.rawValue]
        }
    }

    /// orchd's RaftTLSCertFile / RaftTLSPrivateKeyFile / RaftTLSCAFile as flags.
    struct NodeTLS: ParsableArguments {
        @Option(help: ArgumentHelp("This node's certificate (PEM), presented to every peer.", valueName: "file"))
        var tlsCert: String?

        @Option(help: ArgumentHelp("Its private key (PEM).", valueName: "file"))
        var tlsKey: String?

        @Option(help: ArgumentHelp("The CA every peer's certificate must chain to (PEM).", valueName: "file"))
        var tlsCA: String?

        func validate() throws {
            let given = [tlsCert, tlsKey, tlsCA].compactMap { $0 }.count
            guard given == 0 || given == 3 else { throw ValidationError("--tls-cert, --tls-key and --tls-ca go together") }
        }

        /// nil for plain TCP.
        func load() throws -> RaftTLS? {
            guard let tlsCert, let tlsKey, let tlsCA else { return nil }
            return try RaftTLS(certificateFile: tlsCert, privateKeyFile: tlsKey, caFile: tlsCA)
        }

        /// The same settings as `node` flags.
        var arguments: [String] {
            guard let tlsCert, let tlsKey, let tlsCA else { return [] }
            return ["--tls-cert", tlsCert, "--tls-key", tlsKey, "--tls-ca", tlsCA]
        }
    }
}

// MARK: - ctl

extension RaftHarness {
    struct Ctl: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sends one control request and prints the answer.",
            discussion: "COMMAND: propose X | status | transfer ID | add ID | remove ID | snapshot | confirm")

        @Option(help: ArgumentHelp("The node's control address.", valueName: "host:port"))
        var control: RaftAddress

        @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The request, as words.", valueName: "command"))
        var command: [String] = []

        func validate() throws {
            guard !command.isEmpty else { throw ValidationError("ctl needs a COMMAND after --control HOST:PORT") }
        }

        func run() async throws {
            let client = try await RaftControlClient.connect(host: control.host, port: control.port)
            print(try await client.request(command.joined(separator: " ")))
            await client.close()
        }
    }
}

// MARK: - Argument types

extension RaftAddress: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

enum FileHandleStderr {
    static func write(_ s: String) {
        var s = s
        s.withUTF8 { buf in _ = Glibc.write(2, buf.baseAddress, buf.count) }
    }
}
