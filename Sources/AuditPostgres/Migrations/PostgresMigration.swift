import Crypto

/// One versioned schema change: raw SQL statements applied in a single transaction and
/// recorded in `auditledger_migrations` with a checksum.
///
/// A shipped migration is never edited: the checksum makes an edited one stop the server at
/// start. Change the schema by appending a new migration to ``PostgresMigration/all``.
struct PostgresMigration: Sendable {
    /// Increasing from 1, without gaps.
    let version: Int
    /// A short name, e.g. `audit_events`.
    let name: String
    /// One SQL statement each (PostgreSQL's extended protocol takes one statement per query).
    let statements: [String]

    /// SHA-256 (hex) of the statements, to detect a migration edited after it was applied.
    var checksum: String {
        var hasher = SHA256()
        for statement in statements {
            hasher.update(data: Array(statement.utf8))
            hasher.update(data: [0])
        }
        return hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Every migration, in order. Append only.
    static let all: [PostgresMigration] = [
        .auditEvents,
        .partitionFunctions,
        .appRole,
        .lifecycle,
        .quarantine,
        .writtenBy,
        .eventHash,
        .log,
        .checkpoints,
        .writerLookups,
    ]

    /// The version a fully migrated database is at.
    static var latestVersion: Int { all.last?.version ?? 0 }
}
