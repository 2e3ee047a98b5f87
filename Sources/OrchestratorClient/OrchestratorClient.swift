/// The orchestrator-client logic lives here; the executable is a thin `main`.
public enum OrchestratorClientInfo {
    public static let name = "orchestrator-client"
}
