/// `--name value` flags; every flag takes a value.
struct Flags {
    private var values: [String: String] = [:]

    init(_ args: ArraySlice<String>) throws {
        var it = args.makeIterator()
        while let a = it.next() {
            guard a.hasPrefix("--") else { throw HarnessError("unexpected argument '\(a)' (see --help)") }
            guard let v = it.next() else { throw HarnessError("flag \(a) needs a value") }
            values[String(a.dropFirst(2))] = v
        }
    }

    func string(_ name: String, _ fallback: String? = nil) throws -> String {
        if let v = values[name] ?? fallback { return v }
        throw HarnessError("missing --\(name)")
    }

    func int(_ name: String, _ fallback: Int) throws -> Int {
        guard let raw = values[name] else { return fallback }
        guard let v = Int(raw) else { throw HarnessError("--\(name) must be an integer, got '\(raw)'") }
        return v
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

let usage = """
    raft-harness: one Raft node with a toy state machine, for tests and benchmarks.

      raft-harness node --id HOST:PORT --peers ID,ID,... --data-dir DIR --control HOST:PORT
                        [--bind HOST:PORT (default: --id)] [--tick-ms 20] [--election-ticks 9]
                        [--heartbeat-ticks 2] [--snapshot-every 10000] [--log-level info]
      raft-harness bench --dir DIR [--base-port 24100] [--count 2000] [--clients 64]
                        [--per-client 100] [--trials 20] [--transfers 10] + the node timing flags
      raft-harness ctl --control HOST:PORT COMMAND...   (propose X | status | transfer ID | snapshot | confirm)

    Control protocol (one line each): propose <text>, confirm, transfer <id>, add <id>, remove <id>,
    snapshot, status. Answers: ok | err <reason> | status key=value...
    """
