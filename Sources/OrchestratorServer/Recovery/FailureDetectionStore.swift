import Foundation
import GRDB

extension BackendMigration {
    /// `topology_failure_detection` (upstream's table name): this node's detections, kept across
    /// restarts. Not replicated: each node records what it saw. `detection_json` holds the whole
    /// record in the API's shape; the other columns are for the sqlite3 shell.
    static let failureDetectionV1 = BackendMigration(identifier: "004_failure_detection") { db in
        try db.execute(sql: """
            CREATE TABLE topology_failure_detection (
              detection_id INTEGER PRIMARY KEY,
              hostname TEXT NOT NULL,
              port INTEGER NOT NULL,
              analysis TEXT NOT NULL,
              cluster_name TEXT NOT NULL,
              cluster_alias TEXT NOT NULL,
              detection_timestamp TEXT NOT NULL,
              recovery_allowed INTEGER NOT NULL,
              decision TEXT NOT NULL,
              detection_json TEXT NOT NULL
            );
            """)
    }
}

/// Reads and writes `topology_failure_detection`.
public struct FailureDetectionStore: Sendable {
    let database: BackendDatabase

    public init(database: BackendDatabase) { self.database = database }

    /// Inserts or replaces `detections` (by id) and keeps only the newest `keep`.
    public func save(_ detections: [FailureDetection], keep: Int) async throws {
        guard !detections.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let rows: [StatementArguments] = try detections.map { d in
            let json = String(decoding: try encoder.encode(d), as: UTF8.self)
            let a = d.analysisEntry
            return [d.id, a.analyzedInstanceKey.hostname, a.analyzedInstanceKey.port, a.analysis.rawValue,
                    a.clusterDetails.clusterName, a.clusterDetails.clusterAlias, d.detectionTimestamp,
                    d.recoveryAllowed ? 1 : 0, d.decision, json]
        }
        try await database.writer.write { db in
            for row in rows {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO topology_failure_detection (detection_id, hostname, port, analysis, cluster_name,
                      cluster_alias, detection_timestamp, recovery_allowed, decision, detection_json)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: row)
            }
            try db.execute(sql: """
                DELETE FROM topology_failure_detection WHERE detection_id <=
                  (SELECT MAX(detection_id) FROM topology_failure_detection) - ?
                """, arguments: [keep])
        }
    }

    /// The newest `limit` detections, oldest first (rows that no longer decode are skipped).
    public func load(limit: Int) async throws -> [FailureDetection] {
        let texts = try await database.writer.read { db in
            try String.fetchAll(db, sql: """
                SELECT detection_json FROM (SELECT detection_id, detection_json FROM topology_failure_detection
                  ORDER BY detection_id DESC LIMIT ?) ORDER BY detection_id
                """, arguments: [limit])
        }
        let decoder = JSONDecoder()
        return texts.compactMap { try? decoder.decode(FailureDetection.self, from: Data($0.utf8)) }
    }
}
