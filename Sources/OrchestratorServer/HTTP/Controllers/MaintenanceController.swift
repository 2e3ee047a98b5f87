import Foundation
import OrchestratorCore

/// `begin-maintenance` / `end-maintenance`: replicated operator locks that refactoring and recovery
/// respect. Like downtime, proposed through Raft on the leader.
struct MaintenanceController: APIController {
    /// Maintenance ends by itself after this long unless `?duration=` says otherwise (upstream's
    /// `MaintenanceExpireMinutes` default of 10 minutes).
    static let defaultMaintenanceSeconds: Int64 = 600

    func register(into routes: inout APIRoutes) {
        routes.add("/api/begin-maintenance/:host/:port/:owner/:reason", mutating: true) { ctx in
            await ctx.withKey { key in
                let owner = ctx.parameters["owner"] ?? ""
                let reason = ctx.parameters["reason"] ?? ""
                guard !owner.isEmpty, !reason.isEmpty else {
                    return .error("begin-maintenance needs an owner and a reason", status: 400)
                }
                var seconds = MaintenanceController.defaultMaintenanceSeconds
                if let durationText = ctx.request.query["duration"] {
                    guard let parsed = DurationText.seconds(durationText), parsed > 0 else {
                        return .error("invalid duration \"\(durationText)\": use e.g. 30s, 10m, 2h, 1d", status: 400)
                    }
                    seconds = parsed
                }
                if let current = ctx.node.intent.activeMaintenance(for: key, at: ctx.node.now) {
                    return .error("\(key) is already \(current.maintenanceSummary)", status: 409)
                }
                let now = ctx.node.now
                let maintenance = Maintenance(key: key, owner: owner, reason: reason, begin: now, end: now.adding(seconds: seconds))
                if let failure = await ctx.submit(.beginMaintenance(maintenance)) { return failure }
                return .ok("Maintenance begun: \(key)", details: key)
            }
        }
        routes.add("/api/end-maintenance/:host/:port", mutating: true) { ctx in
            await ctx.withKey { key in
                if let failure = await ctx.submit(.endMaintenance(key: key)) { return failure }
                return .ok("Maintenance ended: \(key)", details: key)
            }
        }
    }
}
