// A simulated MySQL fleet for load tests (Scripts/bench-scale): CLUSTERS x CLUSTER-SIZE servers
// speaking the MySQL protocol on consecutive ports, and a control port. See FleetSimulator.
import ArgumentParser
import FleetSimulator
import Foundation

@main
struct FleetSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orchd-fleet-sim",
        abstract: "Serves simulated MariaDB servers (one port each) that answer orchd's prober.",
        discussion: """
            Cluster c's servers listen on BASE-PORT + c*CLUSTER-SIZE ...; the first is the master, the others \
            replicate from it. The password of USER comes from ORCHD_FLEET_SIM_PASSWORD (default orc_topology_pw). \
            Control (one line per command, answered by one line): kill PORT, hang PORT, revive PORT, \
            stop-replication PORT, start-replication PORT, lag PORT SECONDS, info, ping. \
            Prints "READY servers N ports A-B control P" once every port listens.
            """)

    @Option(help: "Number of clusters.") var clusters = 1
    @Option(help: "Servers per cluster (1 master + replicas).") var clusterSize = 10
    @Option(help: "Port of the first server.") var basePort = 41000
    @Option(help: "Control port (0: any free port).") var controlPort = 0
    @Option(help: "MySQL user the servers accept.") var user = "orc_topology"
    @Option(help: "Event loop threads.") var threads = 1
    @Option(help: "Cluster alias prefix (aliases are PREFIX-00000 ...).") var aliasPrefix = "fleet"

    func validate() throws {
        guard clusters >= 1, clusterSize >= 1 else { throw ValidationError("--clusters and --cluster-size must be at least 1") }
        guard basePort >= 1, basePort + clusters * clusterSize - 1 <= 65535 else {
            throw ValidationError("ports \(basePort)...\(basePort + clusters * clusterSize - 1) do not fit in 1...65535")
        }
    }

    func run() async throws {
        let password = ProcessInfo.processInfo.environment["ORCHD_FLEET_SIM_PASSWORD"] ?? "orc_topology_pw"
        var options = FleetModel.Options(clusters: clusters, clusterSize: clusterSize, basePort: basePort, user: user,
                                         password: password)
        options.aliasPrefix = aliasPrefix
        let server = FleetServer(model: FleetModel(options), threads: threads)
        try await server.start()
        let control = try await server.startControl(port: controlPort)
        let last = basePort + clusters * clusterSize - 1
        // Unbuffered, so a script waiting for the line sees it at once.
        FileHandle.standardOutput.write(Data("READY servers \(clusters * clusterSize) ports \(basePort)-\(last) control \(control)\n".utf8))
        // Runs until killed.
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}
