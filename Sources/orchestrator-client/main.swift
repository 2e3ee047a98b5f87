import OrchestratorClient

print("\(OrchestratorClientInfo.name): not yet wired")
