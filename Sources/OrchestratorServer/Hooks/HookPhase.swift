import OrchestratorCore

/// A point in a recovery where configured hook commands run. Raw values are upstream's configuration
/// keys, so a phase names the list it runs and reads naturally in the audit.
public enum HookPhase: String, Sendable, Codable, CaseIterable {
    case onFailureDetection = "OnFailureDetectionProcesses"
    case preFailover = "PreFailoverProcesses"
    case postMasterFailover = "PostMasterFailoverProcesses"
    case postIntermediateMasterFailover = "PostIntermediateMasterFailoverProcesses"
    case postFailover = "PostFailoverProcesses"
    case postUnsuccessfulFailover = "PostUnsuccessfulFailoverProcesses"
    case preGracefulTakeover = "PreGracefulTakeoverProcesses"
    case postGracefulTakeover = "PostGracefulTakeoverProcesses"
    case postUnsuccessfulGracefulTakeover = "PostUnsuccessfulGracefulTakeoverProcesses"

    /// "Pre" phases gate the recovery: a failing command stops the phase and aborts the recovery.
    /// In the other phases a failure is recorded and the remaining commands still run.
    public var isPre: Bool {
        switch self {
        case .onFailureDetection, .preFailover, .preGracefulTakeover: true
        default: false
        }
    }

    /// The commands configured for this phase.
    public func commands(in configuration: OrchestratorConfiguration) -> [String] {
        switch self {
        case .onFailureDetection: configuration.onFailureDetectionProcesses
        case .preFailover: configuration.preFailoverProcesses
        case .postMasterFailover: configuration.postMasterFailoverProcesses
        case .postIntermediateMasterFailover: configuration.postIntermediateMasterFailoverProcesses
        case .postFailover: configuration.postFailoverProcesses
        case .postUnsuccessfulFailover: configuration.postUnsuccessfulFailoverProcesses
        case .preGracefulTakeover: configuration.preGracefulTakeoverProcesses
        case .postGracefulTakeover: configuration.postGracefulTakeoverProcesses
        case .postUnsuccessfulGracefulTakeover: configuration.postUnsuccessfulGracefulTakeoverProcesses
        }
    }
}
