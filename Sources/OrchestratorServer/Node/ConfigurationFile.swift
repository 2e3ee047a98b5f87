import Foundation
import Logging

/// Finds and reads orchestrator.conf.json (and the credentials file it names) from disk.
public enum ConfigurationFile {
    /// Where upstream looks when `--config` is not given, in order.
    public static let searchPaths = ["/etc/orchestrator.conf.json", "conf/orchestrator.conf.json", "./orchestrator.conf.json"]

    /// Loads the configuration, logging each warning (unknown keys...) by name.
    /// - Throws: an error naming the file (and the key) when it cannot be read or is invalid.
    public static func load(explicitPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                            logger: Logger) throws -> OrchestratorConfiguration {
        let path: String
        if let explicitPath {
            path = explicitPath
        } else if let found = searchPaths.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            path = found
        } else {
            let looked = searchPaths.joined(separator: ", ")
            logger.warning("no configuration file found (looked at \(looked)); running a single node on defaults with SQLite in ./orchestrator.sqlite3")
            var config = OrchestratorConfiguration()
            config.backendDB = "sqlite"
            config.sqlite3DataFile = "orchestrator.sqlite3"
            return config
        }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(path: path, reason: "cannot read the file (missing or not readable)")
        }
        var (config, warnings) = try OrchestratorConfiguration.load(json: bytes, path: path, environment: environment)
        for warning in warnings { logger.warning("\(warning)") }
        let credentialsPath = config.mysqlTopologyCredentialsConfigFile
        if !credentialsPath.isEmpty {
            guard let data = FileManager.default.contents(atPath: credentialsPath) else {
                throw ConfigurationError(path: path, key: "MySQLTopologyCredentialsConfigFile",
                                         reason: "names \(credentialsPath), which cannot be read")
            }
            config.applyTopologyCredentials(try MySQLCredentialsFile.parse(String(decoding: data, as: UTF8.self),
                                                                           path: credentialsPath))
        }
        return config
    }

    /// `orchd --check-config FILE`: every key with its value (secrets masked), status and reason, and
    /// whether orchd would start with this file (false on a refused key or any other configuration error).
    public static func check(path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> (report: String, startable: Bool) {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            return ("cannot read \(path): the file is missing or not readable", false)
        }
        let config: OrchestratorConfiguration
        let warnings: [ConfigurationWarning]
        do {
            (config, warnings) = try OrchestratorConfiguration.load(json: bytes, path: path, environment: environment,
                                                                    refuseUnsupportedKeys: false)
        } catch {
            return ("\(error)", false)
        }
        let refused = config.keyReport.filter(\.blocksStartup)
        var lines = [config.keyReportTable(), ""]
        lines += warnings.map { "warning: \($0)" }
        lines.append("legend: * set in the file, ! set and refused (orchd will not start)")
        if refused.isEmpty {
            lines.append("\(path): orchd can start with this configuration")
        } else {
            lines.append("\(path): orchd refuses to start: " + refused.map(\.key).joined(separator: ", ")
                         + " (each row says what to do)")
        }
        return (lines.joined(separator: "\n"), refused.isEmpty)
    }
}
