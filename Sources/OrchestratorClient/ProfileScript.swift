/// Reads `ORCHESTRATOR_*` assignments from upstream's `/etc/profile.d/orchestrator-client.sh`.
///
/// Upstream's bash client sources that file. We cannot run shell, so we take the plain assignments
/// (`[export] ORCHESTRATOR_X=value`, value optionally quoted) and skip anything that needs a shell to
/// evaluate (`$`, backticks). Variables already in the environment win over the file.
public enum ProfileScript {
    public static let defaultPath = "/etc/profile.d/orchestrator-client.sh"

    /// The assignments found in `text`.
    public static func assignments(in text: String) -> [String: String] {
        var result: [String: String] = [:]
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            var line = Substring(rawLine.trimmingSpaces)
            if line.hasPrefix("export ") { line = Substring(line.dropFirst("export ".count).trimmingSpaces) }
            guard line.hasPrefix("ORCHESTRATOR_"), let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals]
            guard name.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }) else { continue }
            var value = Substring(line[line.index(after: equals)...].trimmingSpaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            } else if let comment = value.firstIndex(of: "#") {
                value = Substring(value[..<comment].trimmingSpaces)
            }
            guard !value.contains("$"), !value.contains("`") else { continue }
            result[String(name)] = String(value)
        }
        return result
    }

    /// `environment` with the file's assignments added where the environment has no value.
    public static func merged(_ environment: [String: String], fileText: String?) -> [String: String] {
        guard let fileText else { return environment }
        var merged = environment
        for (name, value) in assignments(in: fileText) where (merged[name] ?? "").isEmpty {
            merged[name] = value
        }
        return merged
    }
}
