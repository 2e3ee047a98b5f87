import GRDB

extension BackendMigration {
    /// Replicated operator intent (applied through Raft on every node). `orchd_state_machine` holds the
    /// applied Raft index together with the whole state (the source of truth on restart); the other
    /// tables are readable views of the same state for operators using the sqlite3 shell.
    static let operatorIntentV1 = BackendMigration(identifier: "002_operator_intent") { db in
        try db.execute(sql: """
            CREATE TABLE orchd_state_machine (
              id INTEGER PRIMARY KEY CHECK (id = 1),
              last_applied INTEGER NOT NULL,
              state_json TEXT NOT NULL
            );
            CREATE TABLE discovery_request (
              hostname TEXT NOT NULL,
              port INTEGER NOT NULL,
              PRIMARY KEY (hostname, port)
            );
            CREATE TABLE database_instance_downtime (
              hostname TEXT NOT NULL,
              port INTEGER NOT NULL,
              owner TEXT NOT NULL,
              reason TEXT NOT NULL,
              begin_timestamp TEXT NOT NULL,
              end_timestamp TEXT NOT NULL,
              PRIMARY KEY (hostname, port)
            );
            CREATE TABLE candidate_database_instance (
              hostname TEXT NOT NULL,
              port INTEGER NOT NULL,
              promotion_rule TEXT NOT NULL,
              last_suggested TEXT NOT NULL,
              until_timestamp TEXT NOT NULL,
              PRIMARY KEY (hostname, port)
            );
            CREATE TABLE global_recovery_disable (
              disable_recovery INTEGER NOT NULL
            );
            CREATE TABLE cluster_alias_override (
              cluster_name TEXT NOT NULL PRIMARY KEY,
              alias TEXT NOT NULL
            );
            CREATE TABLE orchd_node (
              raft_id TEXT NOT NULL PRIMARY KEY,
              http_address TEXT NOT NULL
            );
            """)
    }
}

extension BackendMigration {
    /// Recoveries (replicated): one row per recovery, readable; `recovery_json` is upstream's
    /// TopologyRecovery shape with orchd's steps.
    static let topologyRecoveryV1 = BackendMigration(identifier: "003_topology_recovery") { db in
        try db.execute(sql: """
            CREATE TABLE topology_recovery (
              uid TEXT NOT NULL PRIMARY KEY,
              cluster_name TEXT NOT NULL,
              cluster_alias TEXT NOT NULL,
              failed_host TEXT NOT NULL,
              failed_port INTEGER NOT NULL,
              analysis TEXT NOT NULL,
              successor_host TEXT NOT NULL,
              successor_port INTEGER NOT NULL,
              is_active INTEGER NOT NULL,
              is_successful INTEGER NOT NULL,
              start_timestamp TEXT NOT NULL,
              end_timestamp TEXT,
              acknowledged INTEGER NOT NULL,
              acknowledged_by TEXT NOT NULL,
              acknowledged_comment TEXT NOT NULL,
              recovery_json TEXT NOT NULL
            )
            """)
    }
}
