#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOPosix
import OrchestratorServer
import OrchestratorServerTestKit

/// Entry point: `node`, `bench` or `ctl` (see `usage`).
@main
enum RaftHarness {
    static func main() async {
        let args = CommandLine.arguments
        guard args.count >= 2, !["--help", "-h", "help"].contains(args[1]) else {
            print(usage)
            exit(args.count >= 2 ? 0 : 2)
        }
        do {
            switch args[1] {
            case "node": try await runNode(try Flags(args.dropFirst(2)))
            case "bench": try await Bench(flags: try Flags(args.dropFirst(2))).run()
            case "ctl":
                guard args.count >= 5, args[2] == "--control" else { throw HarnessError("usage: ctl --control HOST:PORT COMMAND...") }
                let addr = try address(args[3])
                let client = try await RaftControlClient.connect(host: addr.host, port: addr.port)
                print(try await client.request(args[4...].joined(separator: " ")))
                await client.close()
            default: throw HarnessError("unknown mode '\(args[1])' (see --help)")
            }
        } catch {
            FileHandleStderr.write("raft-harness: \(error)\n")
            exit(1)
        }
    }

    static func address(_ text: String) throws -> RaftAddress {
        guard let a = RaftAddress(parsing: text) else { throw HarnessError("'\(text)' is not a host:port address") }
        return a
    }

    static func runNode(_ flags: Flags) async throws {
        let id = try flags.string("id")
        let level = Logger.Level(rawValue: try flags.string("log-level", "info")) ?? .info
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        var settings = RaftService.Settings(id: id, voters: try flags.string("peers").split(separator: ",").map(String.init))
        settings.tickInterval = .milliseconds(try flags.int("tick-ms", 20))
        settings.core = RaftConfiguration(
            electionTicks: try flags.int("election-ticks", 9), heartbeatTicks: try flags.int("heartbeat-ticks", 2))
        settings.snapshotEvery = UInt64(try flags.int("snapshot-every", 10_000))
        let storage = try SQLiteRaftStorage(dataDirectory: try flags.string("data-dir"))
        let transport = NIORaftTransport(localID: id, bind: try address(try flags.string("bind", id)))
        let machine = InMemoryRaftStateMachine()
        let service = try RaftService(settings: settings, storage: storage, transport: transport, stateMachine: machine)
        let control = RaftControlServer(service: service, address: try address(try flags.string("control"))) {
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

enum FileHandleStderr {
    static func write(_ s: String) {
        var s = s
        s.withUTF8 { buf in _ = Glibc.write(2, buf.baseAddress, buf.count) }
    }
}
