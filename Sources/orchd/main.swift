import Foundation
import Logging
import OrchestratorServer

// orchd: thin entry point. Flags -> configuration -> daemon -> run.

let usage = """
    Usage: orchd [--config FILE] [--debug]

    Runs one orchd node. Without --config, the first of /etc/orchestrator.conf.json,
    conf/orchestrator.conf.json and ./orchestrator.conf.json that exists is read; with none, a single
    node runs on defaults with its SQLite backend in ./orchestrator.sqlite3.
    """

var configPath: String?
var debug = false
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--config", "-config", "-c":
        guard let value = arguments.popFirst() else { fail("--config needs a file name") }
        configPath = value
    case let flag where flag.hasPrefix("--config="):
        configPath = String(flag.dropFirst("--config=".count))
    case "--debug":
        debug = true
    case "--help", "-h":
        print(usage)
        exit(0)
    default:
        fail("unknown argument \"\(argument)\"\n\(usage)")
    }
}

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = debug ? .debug : .info
    return handler
}
let logger = Logger(label: "orchd")

let configuration: OrchestratorConfiguration
do {
    configuration = try ConfigurationFile.load(explicitPath: configPath, logger: logger)
} catch {
    fail("\(error)")
}

do {
    let daemon = try OrchestratorDaemon(configuration: configuration, logger: logger)
    logger.info("orchd starting", metadata: [
        "listen": "\(configuration.listenAddress)", "raft": "\(configuration.raftEnabled)",
        "raftAdvertise": "\(configuration.raftAdvertise)", "backend": "\(configuration.sqlite3DataFile)",
    ])
    try await daemon.run()
    logger.info("orchd stopped")
} catch {
    fail("\(error)")
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("orchd: \(message)\n".utf8))
    exit(1)
}
