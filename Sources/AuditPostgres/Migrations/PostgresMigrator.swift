import AuditCore
import Logging
import PostgresNIO

/// Applies ``PostgresMigration/all`` in order, once, under a session advisory lock so that
/// servers starting together migrate one at a time.
struct PostgresMigrator {
    /// Advisory lock key for migrations ("AUDITLG1" read as an integer's bytes, minus one).
    static let lockKey: Int64 = 4_702_111_234_474_983_744

    let client: MeteredClient
    let logger: Logger

    /// Migrates the database to ``PostgresMigration/latestVersion``.
    /// - Returns: the versions applied by this call (empty when already current).
    /// - Throws: when an applied migration was edited since, or the database is newer than this server.
    func migrate() async throws -> [Int] {
        // Already current: nothing to lock or create, so a role without DDL rights can start.
        if try await isCurrent() { return [] }
        return try await client.withConnection { connection in
            // Migrations may rightly take long: lift the store's statement timeout on this session only.
            try await connection.statement("SET statement_timeout = 0", logger: logger)
            try await connection.statement("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await migrateLocked(connection)
                try await connection.statement("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                try await connection.statement("RESET statement_timeout", logger: logger)
                return applied
            } catch {
                _ = try? await connection.statement("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                _ = try? await connection.statement("RESET statement_timeout", logger: logger)
                throw error
            }
        }
    }

    private func migrateLocked(_ connection: PostgresConnection) async throws -> [Int] {
        try await connection.statement(
            """
            CREATE TABLE IF NOT EXISTS auditledger_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            logger: logger
        )
        var stored: [Int: String] = [:]
        for row in try await connection.statement(
            "SELECT version, checksum FROM auditledger_migrations ORDER BY version",
            logger: logger
        ) {
            let (version, checksum) = try row.decode((Int, String).self)
            stored[version] = checksum
        }
        if let newest = stored.keys.max(), newest > PostgresMigration.latestVersion {
            throw MigrationError(
                "the database schema is at version \(newest), newer than this server knows (\(PostgresMigration.latestVersion)); upgrade AuditLedger"
            )
        }
        var applied: [Int] = []
        for migration in PostgresMigration.all {
            if let checksum = stored[migration.version] {
                guard checksum == migration.checksum else {
                    throw MigrationError(
                        "migration \(migration.version) (\(migration.name)) was changed after it was applied; shipped migrations must never be edited"
                    )
                }
                continue
            }
            logger.info("applying migration", metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
            try await connection.auditTransaction(logger: logger) { transaction in
                for statement in migration.statements {
                    try await transaction.statement(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await transaction.statement(
                    "INSERT INTO auditledger_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))",
                    logger: logger
                )
            }
            applied.append(migration.version)
        }
        return applied
    }

    /// Whether every migration is applied, unchanged.
    private func isCurrent() async throws -> Bool {
        guard try await Self.currentVersion(of: client, logger: logger) == PostgresMigration.latestVersion else { return false }
        var stored: [Int: String] = [:]
        for row in try await client.statement("SELECT version, checksum FROM auditledger_migrations", logger: logger) {
            let (version, checksum) = try row.decode((Int, String).self)
            stored[version] = checksum
        }
        return PostgresMigration.all.allSatisfy { stored[$0.version] == $0.checksum }
    }

    /// The schema version the database is at (0 when never migrated).
    static func currentVersion(of client: MeteredClient, logger: Logger) async throws -> Int {
        let exists =
            try await client.statement("SELECT to_regclass('auditledger_migrations') IS NOT NULL", logger: logger)
            .first?.decode(Bool.self) ?? false
        guard exists else { return 0 }
        return try await client.statement("SELECT coalesce(max(version), 0) FROM auditledger_migrations", logger: logger)
            .first?.decode(Int.self) ?? 0
    }
}

/// A migration that cannot be applied; the message is safe to show an operator.
struct MigrationError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
