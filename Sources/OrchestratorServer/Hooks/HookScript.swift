import OrchestratorCore

/// The shell text and environment for one configured hook command.
///
/// **Quoting.** Upstream splices placeholder values raw into the command, so a value such as a cluster
/// alias `x; rm -rf /` (aliases come from `DetectClusterAliasQuery`, i.e. from data on a MySQL server)
/// would run as shell code. orchd never puts a value into the shell text. Each known `{name}` is
/// replaced by a reference to the environment variable `ORCHD_HOOK_name`, which holds the value; a
/// shell expands a variable's value as data and never parses it as code. The reference is written for
/// the quoting context the placeholder sits in, so the command receives exactly the value, as one word,
/// whichever way the configuration quoted it:
///
/// | placeholder written as | becomes                       |
/// |------------------------|-------------------------------|
/// | `{failedHost}`         | `"${ORCHD_HOOK_failedHost}"`  |
/// | `"…{failedHost}…"`     | `"…${ORCHD_HOOK_failedHost}…"`|
/// | `'…{failedHost}…'`     | `'…'"${ORCHD_HOOK_failedHost}"'…'` |
///
/// Unknown `{names}` (and shell `${VAR}`) are left as written, like `HookContext.expand`. A value used
/// inside the command's own `eval` or `bash -c '…'` is re-parsed by that shell: that is the command's
/// choice, and hooks should pass values on as arguments instead.
///
/// A command ending in `&` is upstream's asynchronous form: the `&` is removed and the rest runs
/// without being waited for.
public struct HookScript: Sendable, Equatable {
    /// The command as configured.
    public var command: String
    /// The text given to `<shell> -c`.
    public var script: String
    /// Placeholders filled in with raw values: for the audit and logs only, never executed.
    public var display: String
    /// The command ended in `&`.
    public var isAsync: Bool
    /// Variables added to the hook's environment: the `ORC_*` values and the `ORCHD_HOOK_*` values the
    /// script refers to.
    public var environment: [String: String]

    /// Prefix of the variables that carry placeholder values into the script.
    public static let placeholderVariablePrefix = "ORCHD_HOOK_"

    public init(command: String, context: HookContext) {
        self.command = command
        var text = Substring(command)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        isAsync = text.hasSuffix("&") && !text.hasSuffix("&&")
        if isAsync {
            text = text.dropLast()
            while let last = text.last, last.isWhitespace { text = text.dropLast() }
        }
        let (script, used) = Self.rewrite(String(text), placeholders: context.placeholders)
        self.script = script
        display = context.expand(String(text))
        var environment = Dictionary(context.environment, uniquingKeysWith: { _, last in last })
        for name in used { environment[Self.placeholderVariablePrefix + name] = context.placeholders[name] }
        self.environment = environment
    }

    // MARK: - Rewriting

    private enum Quoting { case none, single, double }

    /// Replaces each known placeholder with a context-appropriate variable reference; returns the names used.
    static func rewrite(_ command: String, placeholders: [String: String]) -> (String, Set<String>) {
        var out = ""
        var used = Set<String>()
        var quoting = Quoting.none
        let chars = Array(command)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "{", let close = chars[(i + 1)...].firstIndex(of: "}"),
               case let name = String(chars[(i + 1)..<close]), placeholders[name] != nil {
                let variable = "${\(placeholderVariablePrefix)\(name)}"
                switch quoting {
                case .none: out += "\"\(variable)\""
                case .double: out += variable
                case .single: out += "'\"\(variable)\"'"
                }
                used.insert(name)
                i = close + 1
                continue
            }
            out.append(c)
            switch (quoting, c) {
            case (.none, "\\"), (.double, "\\"):
                // An escaped character keeps its literal meaning; copy it as is.
                if i + 1 < chars.count { out.append(chars[i + 1]); i += 1 }
            case (.none, "'"): quoting = .single
            case (.none, "\""): quoting = .double
            case (.single, "'"): quoting = .none
            case (.double, "\""): quoting = .none
            default: break
            }
            i += 1
        }
        return (out, used)
    }
}
