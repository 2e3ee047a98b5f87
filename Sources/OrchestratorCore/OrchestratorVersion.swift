/// The version of this build of orchd, defined once: `orchd --version` prints it and orchd's start-up
/// log line carries it. Raise it with each release.
public enum OrchestratorVersion {
    public static let current = "0.1.0"
}
