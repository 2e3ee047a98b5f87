import Foundation
import OrchestratorTestKit
import Testing

/// Refusals scripts written for upstream rely on: through the real client against a real group and
/// real MariaDB, each exits non-zero with upstream's wording on stderr and leaves replication untouched.
@Suite("orchd refusals scripts rely on: graceful takeover without/with a wrong -d, make-co-master twice", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct ScriptRefusalIntegrationTests {
    /// tree: 1 primary; 2 and 3 replicate from 1; 4 from 3.
    @Test func refusalsLeaveReplicationUntouched() async throws {
        try await RefactorWorld.with("tree", alias: "script-refusals", scenario)
    }

    private func readOnly(_ w: RefactorWorld, _ n: Int) async throws -> String {
        try await w.sandbox.sql(n, "SELECT @@global.read_only").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `arguments`, expects a non-zero exit with `wording` on stderr, and no change to any replica's
    /// master nor to the primary's read_only.
    private func expectRefused(_ w: RefactorWorld, _ arguments: [String], wording: String,
                               sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let before = try await w.masterPorts()
        let primaryReadOnly = try await readOnly(w, 1)
        let r = try await w.cli(arguments)
        #expect(r.status != 0, "\(arguments) exited 0: \(r.out)", sourceLocation: sourceLocation)
        #expect(r.err.contains(wording), "\(arguments): stderr \(r.err) stdout \(r.out)", sourceLocation: sourceLocation)
        #expect(try await w.masterPorts() == before, "\(arguments) changed replication", sourceLocation: sourceLocation)
        #expect(try await readOnly(w, 1) == primaryReadOnly, "\(arguments) changed read_only on the primary",
                sourceLocation: sourceLocation)
    }

    private func scenario(_ w: RefactorWorld) async throws {
        let alias = "script-refusals"
        // The primary has two direct replicas (2, 3): the plain takeover needs -d.
        try await expectRefused(w, ["-c", "graceful-master-takeover", "-a", alias], wording: "target instance not indicated")
        // 4 replicates from 3, not from the primary.
        try await expectRefused(w, ["-c", "graceful-master-takeover", "-a", alias, "-d", w.key(4)],
                                wording: "\(w.key(4)) must be directly replicating from the master \(w.key(1))")
        try await expectRefused(w, ["-c", "graceful-master-takeover-auto", "-a", alias, "-d", w.key(4)],
                                wording: "must be directly replicating from the master")
        try await w.expectReplicates(2, from: 1)
        try await w.expectReplicates(4, from: 3)
        #expect(try await readOnly(w, 1) == "0", "the primary is still writable")

        // make-co-master, then again: the second is refused and the ring stays as it is.
        let coMaster = try await w.cli(["-c", "make-co-master", "-i", w.key(2)])
        #expect(coMaster.status == 0 && coMaster.out == w.moved(2, below: 1), "\(coMaster.err)")
        #expect(try await w.harness.replicates(1, from: 2), "MariaDB: the primary replicates from 2")
        try await expectRefused(w, ["-c", "make-co-master", "-i", w.key(2)],
                                wording: "instance \(w.key(2)) is already co master of \(w.key(1))")
        #expect(try await w.harness.replicates(1, from: 2))
        try await w.expectReplicates(2, from: 1)
    }
}
