import GRDB

extension BackendMigration {
    /// `database_instance`: one row per MySQL server discovery knows, keyed by (hostname, port).
    /// The main facts are columns (readable from the sqlite3 shell); `instance_json` holds the whole
    /// Instance in upstream's JSON shape. Timestamps are UTC text `YYYY-MM-DD HH:MM:SS`.
    static let databaseInstanceV1 = BackendMigration(identifier: "001_database_instance") { db in
        try db.execute(sql: """
            CREATE TABLE database_instance (
              hostname TEXT NOT NULL,
              port INTEGER NOT NULL,
              server_id INTEGER NOT NULL DEFAULT 0,
              server_uuid TEXT NOT NULL DEFAULT '',
              version TEXT NOT NULL DEFAULT '',
              flavor TEXT NOT NULL DEFAULT '',
              read_only INTEGER NOT NULL DEFAULT 0,
              log_bin INTEGER NOT NULL DEFAULT 0,
              log_replica_updates INTEGER NOT NULL DEFAULT 0,
              binlog_format TEXT NOT NULL DEFAULT '',
              master_host TEXT NOT NULL DEFAULT '',
              master_port INTEGER NOT NULL DEFAULT 0,
              cluster_name TEXT NOT NULL DEFAULT '',
              cluster_alias TEXT NOT NULL DEFAULT '',
              cluster_domain TEXT NOT NULL DEFAULT '',
              suggested_cluster_alias TEXT NOT NULL DEFAULT '',
              instance_alias TEXT NOT NULL DEFAULT '',
              data_center TEXT NOT NULL DEFAULT '',
              region TEXT NOT NULL DEFAULT '',
              replication_depth INTEGER NOT NULL DEFAULT 0,
              is_co_master INTEGER NOT NULL DEFAULT 0,
              io_thread_state INTEGER NOT NULL DEFAULT -1,
              sql_thread_state INTEGER NOT NULL DEFAULT -1,
              seconds_behind_master INTEGER,
              sql_delay INTEGER NOT NULL DEFAULT 0,
              last_io_error TEXT NOT NULL DEFAULT '',
              last_sql_error TEXT NOT NULL DEFAULT '',
              using_mariadb_gtid INTEGER NOT NULL DEFAULT 0,
              using_oracle_gtid INTEGER NOT NULL DEFAULT 0,
              executed_gtid_set TEXT NOT NULL DEFAULT '',
              gtid_current_pos TEXT NOT NULL DEFAULT '',
              gtid_slave_pos TEXT NOT NULL DEFAULT '',
              binlog_file TEXT NOT NULL DEFAULT '',
              binlog_pos INTEGER NOT NULL DEFAULT 0,
              exec_master_log_file TEXT NOT NULL DEFAULT '',
              exec_master_log_pos INTEGER NOT NULL DEFAULT 0,
              semi_sync_master_enabled INTEGER NOT NULL DEFAULT 0,
              semi_sync_replica_enabled INTEGER NOT NULL DEFAULT 0,
              semi_sync_master_status INTEGER NOT NULL DEFAULT 0,
              semi_sync_master_clients INTEGER NOT NULL DEFAULT 0,
              first_checked TEXT,
              last_checked TEXT,
              last_attempted_check TEXT,
              last_seen TEXT,
              is_last_check_valid INTEGER NOT NULL DEFAULT 0,
              last_error TEXT NOT NULL DEFAULT '',
              last_probe_latency_us INTEGER NOT NULL DEFAULT 0,
              instance_json TEXT NOT NULL,
              PRIMARY KEY (hostname, port)
            ) WITHOUT ROWID
            """)
        try db.execute(sql: "CREATE INDEX database_instance_cluster_name ON database_instance (cluster_name)")
        try db.execute(sql: "CREATE INDEX database_instance_last_seen ON database_instance (last_seen)")
        try db.execute(sql: "CREATE INDEX database_instance_master ON database_instance (master_host, master_port)")
    }
}
