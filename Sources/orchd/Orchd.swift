import ArgumentParser
import Foundation
import Logging
import OrchestratorCore
import OrchestratorServer

/// orchd: thin entry point. Flags -> configuration -> daemon -> run.
///
/// Flags keep the spellings orchd has always accepted (`--config FILE`, `--config=FILE`, `-config FILE`,
/// `-c FILE`, `--debug`); a bad or unknown flag is an error with the usage, exit status 64.
/// `--check-config FILE` prints what orchd makes of every key of FILE and exits (non-zero when orchd
/// would refuse to start with it).
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

    @Option(name: .customLong("check-config"),
            help: ArgumentHelp("Print every configuration key of the file with its value (secrets masked), whether "
                               + "orchd honours, ignores (with a warning) or refuses it, and why; then exit, non-zero "
                               + "if orchd would refuse to start with it.", valueName: "file"))
    var checkConfig: String?

    func run() async throws {
        if let checkConfig {
            let (report, startable) = ConfigurationFile.check(path: checkConfig)
            print(report)
            if !startable { throw ExitCode.failure }
            return
        }
        MemoryTuning.apply()
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
            let daemon = try OrchestratorDaemon(configuration: configuration, configurationPath: config, logger: logger)
            logger.info("orchd starting", metadata: [
                "version": "\(OrchestratorVersion.current)",
                "listen": "\(configuration.listenAddress)", "raft": "\(configuration.raftEnabled)",
                "raftAdvertise": "\(configuration.raftAdvertise)", "backend": "\(configuration.sqlite3DataFile)",
            ])
            let codePages = Task.detached { await MemoryTuning.releaseCodePagesPeriodically(logger: logger) }
            defer { codePages.cancel() }
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
