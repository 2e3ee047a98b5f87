import OrchestratorClient
@testable import OrchestratorServer
import Testing

/// Every command orchestrator-client lists reaches a route of orchd's API: served, or refused by
/// `UnsupportedController` with a 501 and the reason; never a generic "unknown API path".
@Suite("Client commands and API routes")
struct ClientCommandCoverageTests {
    static let routes: APIRoutes = {
        var routes = APIRoutes()
        for controller in OrchestratorAPI.controllers { controller.register(into: &routes) }
        return routes
    }()

    static let unsupportedPatterns = Set(UnsupportedController.entries.flatMap(\.patterns))

    /// Options that fill every placeholder a command may need (optional parts included).
    static var options: ClientOptions {
        var o = ClientOptions()
        o.instance = "db:3309"
        o.destination = "db:3306"
        o.alias = "shop"
        o.owner = "dba"
        o.reason = "test"
        o.promotionRule = "prefer"
        o.tag = "role=olap"
        o.pool = "reporting"
        o.hostname = "10.0.0.1:10008"
        o.path = "clusters"
        o.query = "SELECT 1"
        o.binlog = "mysql-bin.000002"
        o.seconds = "5"
        return o
    }

    static let commands = CommandSpec.all.filter { $0.route != nil && $0.group != .meta }

    @Test(arguments: commands.map(\.name))
    func commandReachesARoute(name: String) throws {
        let spec = try #require(CommandSpec.named(name))
        let path = try spec.requestPath(options: Self.options)
        let plain = "/api/" + (path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path)
        let matched = Self.routes.match(plain)
        #expect(matched != nil, "-c \(name) calls \(plain), which orchd does not route")
        guard let matched else { return }
        let refused = Self.unsupportedPatterns.contains(matched.route.pattern)
        if let reason = spec.notServedReason {
            #expect(refused, "-c \(name) is marked not served (\(reason)) but \(plain) is served")
        } else {
            #expect(!refused, "-c \(name) is served by orchd's API but help does not say so: \(plain) answers 501")
        }
    }

    @Test func everyUnsupportedCommandIsMarkedInHelp() {
        let help = HelpText.lines()
        for name in CommandSpec.notServedByOrchd.keys.sorted() {
            #expect(CommandSpec.named(name) != nil, "\(name) is not a client command")
            #expect(help.contains { $0.hasPrefix("  \(name) ") && $0.contains("[not served by orchd:") },
                    "help does not mark \(name)")
        }
        #expect(!help.contains { $0.hasPrefix("  relocate ") && $0.contains("not served") })
    }
}
