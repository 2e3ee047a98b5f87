import GRDB

/// The node's own SQLite database (`SQLite3DataFile`), opened in WAL mode and migrated to the
/// current schema. Every table orchd keeps lives here; see ``BackendMigrations``.
public final class BackendDatabase: Sendable {
    /// GRDB's writer: one serialised writer, concurrent readers.
    public let writer: any DatabaseWriter
    /// The file path, or ":memory:".
    public let path: String

    /// Opens (creating when missing) the database at `path` and applies pending migrations.
    /// - Throws: an error naming the file when it cannot be opened or migrated.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.label = "orchd.backend"
        do {
            writer = try DatabasePool(path: path, configuration: configuration)
            try BackendMigrations.migrator.migrate(writer)
        } catch {
            throw BackendDatabaseError(path: path, cause: "\(error)")
        }
        self.path = path
    }

    /// An in-memory database with the full schema (for tests and tools).
    public init(inMemory: Void = ()) throws {
        writer = try DatabaseQueue()
        try BackendMigrations.migrator.migrate(writer)
        path = ":memory:"
    }

    /// Identifiers of the applied migrations, oldest first.
    public func appliedMigrations() throws -> [String] {
        let migrator = BackendMigrations.migrator
        return try writer.read { db in try migrator.appliedMigrations(db) }
    }
}

/// The backend database could not be opened or migrated.
public struct BackendDatabaseError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var cause: String

    public var description: String {
        "cannot open the SQLite backend \"\(path)\" (SQLite3DataFile): \(cause); "
            + "check that the directory exists and is writable"
    }
}

/// The schema, as an ordered list of named migrations. New tables (replicated operator intent:
/// downtime, candidates, recoveries, audit, alias overrides...) are added as new entries at the end;
/// applied migrations are never edited.
public enum BackendMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in all {
            migrator.registerMigration(migration.identifier, migrate: migration.migrate)
        }
        return migrator
    }

    /// Every migration, oldest first.
    static let all: [BackendMigration] = [
        .databaseInstanceV1,
        .operatorIntentV1,
        .topologyRecoveryV1,
        .failureDetectionV1,
    ]
}

/// One schema step.
struct BackendMigration: Sendable {
    var identifier: String
    var migrate: @Sendable (Database) throws -> Void
}
