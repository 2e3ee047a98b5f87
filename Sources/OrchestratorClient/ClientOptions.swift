/// Everything the command line and the environment say, before any request is made.
///
/// Flags follow upstream's bash client (getopts letters plus its long spellings); `--flag=value`,
/// `-cVALUE`, `--instance`, `--destination`, `--default-port` and `--noop`/`--dry-run` are ours.
///
/// Why a hand-written getopt-style parser here, when orchd and the tools use swift-argument-parser:
/// - Compatibility: scripts written for upstream's bash client must keep working unchanged, and they
///   use getopts' grammar: `-c cmd -i host:port`, values glued to their letter (`-cdiscover`,
///   `-ihost:3306`), single-dash long names (`-instance`), `-h` swallowing the next word, `help` as a
///   bare word, and `--noop` in any position among the flags, as upstream's client accepts them.
///   ArgumentParser's grammar differs in these corners and would reject or misread such lines.
/// - Start-up time: a command is measured at ~4 ms, most of it process start; the client must not
///   link ArgumentParser (it brings FoundationEssentials: process start 6.8 ms instead of 4.7 ms for
///   plain Swift, measured here) nor Foundation (12 ms), a cost every call of a scripted loop pays.
public struct ClientOptions: Equatable, Sendable {
    public var command: String?
    public var instance: String?
    public var destination: String?
    public var alias: String?
    /// Owner for downtime/maintenance; `nil` means "the current user" (upstream runs `whoami`).
    public var owner: String?
    public var reason: String?
    public var duration: String = "10m"
    public var promotionRule: String?
    public var tag: String?
    public var pool: String?
    public var hostname: String?
    /// One or several space-separated API endpoints.
    public var api: String = "http://localhost:3000"
    public var path: String?
    public var query: String?
    public var binlog: String?
    public var seconds: String?
    /// `user:password` for HTTP basic auth.
    public var basicAuth: String?
    /// `Header-Name: value` sent with every request.
    public var headerAuth: String?
    public var defaultPort: Int = 3306
    /// CA file and client certificate for `https://` endpoints (environment only, see `TLSSettings`).
    public var tls = TLSSettings()
    public var noop: Bool = false
    public var help: Bool = false

    public init() {}

    /// The command with upstream's normalisation: the first "slave" becomes "replica".
    public var normalizedCommand: String? {
        guard var command else { return nil }
        if let range = command.firstRange(of: "slave") { command.replaceSubrange(range, with: "replica") }
        return command
    }
}

/// A command-line mistake, reported as one line before anything is sent.
public struct UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ClientOptions {
    /// Long spellings (with one or two dashes) and the short letter each stands for.
    static let longFlags: [String: Character] = [
        "help": "h", "command": "c", "alias": "a", "owner": "o", "reason": "r", "promotion-rule": "R",
        "duration": "u", "tag": "t", "pool": "l", "hostname": "H", "api": "U", "path": "P", "query": "q",
        "auth": "b", "headers-auth": "e", "binlog": "n", "seconds": "S",
        // Ours, for readability in scripts.
        "instance": "i", "destination": "d", "default-port": "D",
    ]

    /// Letters that take a value, as in upstream's getopts string.
    static let valueFlags: Set<Character> = [
        "c", "i", "d", "s", "a", "D", "U", "o", "r", "u", "R", "t", "l", "H", "P", "q", "b", "e", "n", "S",
    ]

    /// Builds options from the environment, then the arguments (which win).
    public static func parse(arguments: [String], environment: [String: String]) throws(UsageError) -> ClientOptions {
        var options = ClientOptions()
        options.applyEnvironment(environment)
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--noop" || argument == "-noop" || argument == "--dry-run" || argument == "-dry-run" {
                options.noop = true
                continue
            }
            if argument == "help" || argument == "-h" || argument == "--help" || argument == "-help" {
                options.help = true
                // getopts declares -h with a value, so upstream swallows the next word; so do we.
                if argument != "help", index < arguments.count, !arguments[index].hasPrefix("-") { index += 1 }
                continue
            }
            guard argument.hasPrefix("-"), argument.count > 1 else {
                throw UsageError("unexpected argument '\(argument)'; flags look like -c <command> (see -h)")
            }
            var letter: Character
            var inlineValue: String?
            if let long = longSpelling(argument) {
                let (name, value) = splitAssignment(long)
                guard let mapped = longFlags[name] else {
                    throw UsageError("unknown flag '\(argument)' (see -h)")
                }
                letter = mapped
                inlineValue = value
            } else {
                let body = argument.dropFirst()
                letter = body.first!
                if body.count > 1 { inlineValue = String(body.dropFirst()) }
            }
            if letter == "h" { options.help = true; continue }
            guard valueFlags.contains(letter) else {
                throw UsageError("unknown flag '\(argument)' (see -h)")
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else {
                    throw UsageError("flag '\(argument)' needs a value (see -h)")
                }
                value = arguments[index]
                index += 1
            }
            try options.set(letter, value, spelledAs: argument)
        }
        return options
    }

    /// `--name` or `-name` for a known long name (also `--name=value`); nil for short flags.
    static func longSpelling(_ argument: String) -> String? {
        if argument.hasPrefix("--") { return String(argument.dropFirst(2)) }
        let body = String(argument.dropFirst())
        let (name, _) = splitAssignment(body)
        if name.count > 1, longFlags[name] != nil { return body }
        return nil
    }

    static func splitAssignment(_ text: String) -> (String, String?) {
        guard let equals = text.firstIndex(of: "=") else { return (text, nil) }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    mutating func applyEnvironment(_ environment: [String: String]) {
        if let api = environment["ORCHESTRATOR_API"], !api.isEmpty { self.api = api }
        if let instance = environment["ORCHESTRATOR_INSTANCE"], !instance.isEmpty { self.instance = instance }
        let user = environment["ORCHESTRATOR_AUTH_USER"] ?? ""
        let password = environment["ORCHESTRATOR_AUTH_PASSWORD"] ?? ""
        if !user.isEmpty || !password.isEmpty { basicAuth = "\(user):\(password)" }
        if let header = environment["ORCHESTRATOR_AUTH_USER_HEADER"], !header.isEmpty { headerAuth = header }
        tls = TLSSettings.fromEnvironment(environment)
    }

    mutating func set(_ letter: Character, _ value: String, spelledAs flag: String) throws(UsageError) {
        switch letter {
        case "c": command = value
        case "i": instance = value
        case "d", "s": destination = value
        case "a": alias = value
        case "o": owner = value
        case "r": reason = value
        case "u": duration = value
        case "R": promotionRule = value
        case "t": tag = value
        case "l": pool = value
        case "H": hostname = value
        case "U": if !value.isEmpty { api = value }
        case "P": path = value
        case "q": query = value
        case "b": basicAuth = value
        case "e": headerAuth = value
        case "n": binlog = value
        case "S": seconds = value
        case "D":
            guard let port = Int(value), (1...65535).contains(port) else {
                throw UsageError("\(flag) expects a port number between 1 and 65535, got '\(value)'")
            }
            defaultPort = port
        default:
            throw UsageError("unknown flag '\(flag)' (see -h)")
        }
    }
}
