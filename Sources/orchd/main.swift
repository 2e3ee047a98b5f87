import OrchestratorServer

print("orchd: not yet wired")
