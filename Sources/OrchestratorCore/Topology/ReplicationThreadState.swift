/// State of a replication thread (IO or SQL), with upstream's numeric JSON values.
public enum ReplicationThreadState: Int, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Not a replica: no such thread.
    case noThread = -1
    case stopped = 0
    case running = 1
    /// Anything else (e.g. IO thread `Connecting`).
    case other = 2

    /// Maps `Slave_IO_Running` / `Slave_SQL_Running` text (`Yes`, `No`, `Connecting`, or empty when
    /// the server is not a replica) to a state.
    public init(statusText: String?) {
        switch statusText?.lowercased() {
        case nil, "": self = .noThread
        case "yes": self = .running
        case "no": self = .stopped
        default: self = .other
        }
    }

    public var isRunning: Bool { self == .running }
    public var isStopped: Bool { self == .stopped }
    public var exists: Bool { self != .noThread }

    public var description: String {
        switch self {
        case .noThread: return "none"
        case .stopped: return "stopped"
        case .running: return "running"
        case .other: return "other"
        }
    }
}
