@_exported import OrchestratorCore
