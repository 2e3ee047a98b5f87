import ArgumentParser
import Foundation
import Logging
import OrchestratorCore
import OrchestratorServer

/// orchd: thin entry point. Flags -> configuration -> daemon -> run.
///
/// Flags keep the spellings orchd has always accepted (`--config FILE`, `--config=FILE`, `-config FILE`,
/// `-c FILE`, `--debug`); a bad or unknown flag is an error with the usage, exit status 64.
/// Room for more modes (e.g. checking a configuration file and exiting): add an option here and branch
/// at the top of `run()` before the daemon starts.
@main
struct Orchd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orchd",
        abstract: "Runs one orchd node: MySQL/MariaDB replication topology discovery and recovery, in a Raft group.",
        discussion: """
            Without --config, the first of \(ConfigurationFile.searchPaths.joined(separator: ", ")) that \
            exists is read; with none, a single node runs on defaults with its SQLite backend in \
            ./orchestrator.sqlite3.
            """,
        version: OrchestratorVersion.current
    )

    @Option(
        name: [.customLong("config"), .customLong("config", withSingleDash: true), .customShort("c")],
        help: ArgumentHelp("The configuration file (orchestrator.conf.json).", valueName: "file"))
    var config: String?

    @Flag(help: "Log at debug level (default: info).")
    var debug = false

    func run() async throws {
        let level: Logger.Level = debug ? .debug : .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "orchd")

        let configuration: OrchestratorConfiguration
        do {
            configuration = try ConfigurationFile.load(explicitPath: config, logger: logger)
        } catch {
            throw Self.failure("\(error)")
        }

        do {
            let daemon = try OrchestratorDaemon(configuration: configuration, logger: logger)
            logger.info("orchd starting", metadata: [
                "version": "\(OrchestratorVersion.current)",
                "listen": "\(configuration.listenAddress)", "raft": "\(configuration.raftEnabled)",
                "raftAdvertise": "\(configuration.raftAdvertise)", "backend": "\(configuration.sqlite3DataFile)",
            ])
            try await daemon.run()
            logger.info("orchd stopped")
        } catch {
            throw Self.failure("\(error)")
        }
    }

    /// Errors after the flags were read (configuration, start-up): one line naming the problem, exit 1.
    static func failure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("orchd: \(message)\n".utf8))
        return .failure
    }
}
