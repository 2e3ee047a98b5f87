// orchestrator-client: a drop-in for upstream's bash client, talking to orchd's (or orchestrator's) API.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OrchestratorClient

let result = Client.live.run(arguments: Array(CommandLine.arguments.dropFirst()),
                             environment: Client.processEnvironment())
result.write()
exit(result.status)
