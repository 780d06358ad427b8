public import AuditCore
import Foundation
import GRDB
public import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded audit store: one SQLite file (WAL, `synchronous=FULL`) through GRDB, one table
/// per month. Zero setup: the file and its directory are created on first use.
///
/// It behaves like ``AuditPostgres/PostgresStore`` (the conformance suite runs against both):
/// batches are atomic, retries idempotent, rows immutable (triggers refuse UPDATE, DELETE and
/// replacing inserts), time-bounded queries read only their months. Parents are checked by
/// the store, not by a foreign key (SQLite cannot reference rows across tables).
public final class SQLiteStore: AuditStore {
    public let kind = "sqlite"

    let pool: DatabasePool
    let configuration: SQLiteStoreConfiguration
    let logger: Logger

    /// Opens the pool and migrates the catalog while holding an exclusive `flock` on
    /// `<path>.lock`: two processes opening a new file at the same moment would otherwise both
    /// find the catalog missing and the second would fail creating it ("table already exists").
    /// Nothing else is created or changed until the lock is held.
    private static func openPool(path: String, settings: Configuration, logger: Logger) throws -> DatabasePool {
        let lockPath = path + ".lock"
        let descriptor = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw lockFailure(lockPath, errno) }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw lockFailure(lockPath, errno) }
        defer { flock(descriptor, LOCK_UN) }
        try keepPrivate(path, logger: logger)
        let pool = try DatabasePool(path: path, configuration: settings)
        try SQLiteSchema.migrator.migrate(pool)
        return pool
    }

    /// Opens (creating if needed) the database file and applies the catalog migrations.
    ///
    /// Audit data is for its owner only: directories the store creates are mode 0700, and the
    /// database file, its `-wal`, `-shm` and `.lock` files are 0600 (tightened when an older
    /// version left them readable by others).
    /// - Throws: ``AuditError`` `unavailable` when the file cannot be created or opened.
    public init(configuration: SQLiteStoreConfiguration, logger: Logger) throws(AuditError) {
        self.configuration = configuration
        self.logger = logger
        do {
            let directory = (configuration.path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            var settings = Configuration()
            settings.busyMode = .timeout(configuration.busyTimeoutSeconds)
            settings.prepareDatabase { db in
                // An acknowledged commit must survive a power loss, not only a process crash.
                try db.execute(sql: "PRAGMA synchronous = FULL")
                db.add(function: SQLiteContainment.function())
            }
            pool = try Self.openPool(path: configuration.path, settings: settings, logger: logger)
        } catch {
            throw SQLiteFailure.translate(error, operation: "open \(configuration.path)")
        }
    }

    public func prepare() async throws(AuditError) {
        let current = AuditTimestamp.now().utcDate.month
        let months = current.through(current.adding(months: configuration.monthsAhead))
        do {
            let created = try await pool.write { db in try Self.ensureMonths(months, indexing: self.configuration.indexedEventDataPaths, in: db) }
            if !created.isEmpty {
                logger.info("created month tables", metadata: ["audit.partitions.months": "\(created)"])
            }
            try await indexEventDataPaths()
        } catch {
            throw SQLiteFailure.translate(error, operation: "create the months ahead")
        }
    }

    public func readiness() async -> StoreReadiness {
        do {
            let migrated = try await pool.read { db in try SQLiteSchema.migrator.hasCompletedMigrations(db) }
            return migrated ? StoreReadiness(isReady: true) : StoreReadiness(isReady: false, reason: "database file not migrated")
        } catch {
            logger.warning("readiness check failed", metadata: ["error": "\(SQLiteFailure.translate(error, operation: "answer"))"])
            return StoreReadiness(isReady: false, reason: "database file unreadable")
        }
    }

    /// `PRAGMA synchronous` on the store's own connections (2 = FULL), for diagnostics.
    public func synchronousSetting() async throws(AuditError) -> Int {
        do {
            return try await pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
        } catch {
            throw SQLiteFailure.translate(error, operation: "read its settings")
        }
    }

    /// The months that have a table, oldest first.
    public func months() async throws(AuditError) -> [PartitionMonth] {
        do {
            return try await pool.read { db in try Self.months(in: db) }
        } catch {
            throw SQLiteFailure.translate(error, operation: "list months")
        }
    }

    static func months(in db: Database) throws -> [PartitionMonth] {
        try String.fetchAll(db, sql: "SELECT month FROM auditledger_months ORDER BY month").compactMap { text in
            let parts = text.split(separator: "-")
            guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]) else { return nil }
            return PartitionMonth(year: year, month: month)
        }
    }

    /// Creates the tables of `months` that do not exist yet, inside the caller's transaction.
    /// - Returns: the months created.
    static func ensureMonths(_ months: [PartitionMonth], indexing paths: [EventDataPath], in db: Database) throws -> [PartitionMonth] {
        let existing = Set(try Self.months(in: db))
        let missing = Set(months).subtracting(existing).sorted()
        guard !missing.isEmpty else { return [] }
        for month in missing {
            try db.execute(sql: SQLiteSchema.createMonth(month))
            if !paths.isEmpty { try db.execute(sql: SQLiteSchema.createEventDataIndexes(month, paths: paths)) }
            try db.execute(
                sql: "INSERT INTO auditledger_months (month, table_name, created_at) VALUES (?, ?, ?)",
                arguments: [month.description, month.partitionName, AuditTimestamp.now().microsecondsSinceEpoch]
            )
        }
        try db.execute(sql: SQLiteSchema.recreateView(months: existing.union(missing).sorted()))
        return missing
    }
}

extension SQLiteStore {
    /// Builds the configured `event_data` indexes every month lacks (months created by an
    /// older version, or paths added to the configuration): once, at start, one month per
    /// transaction, so that writers wait for one month's build at most.
    func indexEventDataPaths() async throws {
        let paths = configuration.indexedEventDataPaths
        guard !paths.isEmpty else { return }
        for month in try await pool.read({ db in try Self.months(in: db) }) {
            let missing = try await pool.read { db in
                let existing = Set(
                    try String.fetchAll(
                        db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", arguments: [month.partitionName]))
                return paths.filter { path in !existing.contains(SQLiteSchema.eventDataIndexName(month, path)) }
            }
            guard !missing.isEmpty else { continue }
            let started = ContinuousClock.now
            try await pool.write { db in try db.execute(sql: SQLiteSchema.createEventDataIndexes(month, paths: missing)) }
            logger.info(
                "indexed event_data paths",
                metadata: ["audit.partition": "\(month)", "audit.paths": "\(missing)", "audit.duration": "\(ContinuousClock.now - started)"])
        }
    }

    /// Creates the database file 0600 when missing (SQLite gives its `-wal` and `-shm` files the
    /// database file's mode), and tightens files of the store that others can read.
    static func keepPrivate(_ path: String, logger: Logger) throws {
        if !FileManager.default.fileExists(atPath: path) {
            let descriptor = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { return }  // opening the pool reports why
            close(descriptor)
        }
        for file in [path, path + "-wal", path + "-shm", path + ".lock"] {
            guard let mode = (try? FileManager.default.attributesOfItem(atPath: file))?[.posixPermissions] as? Int, mode & 0o077 != 0 else {
                continue
            }
            try FileManager.default.setAttributes([.posixPermissions: mode & 0o700], ofItemAtPath: file)
            logger.notice(
                "made a store file private to its owner", metadata: ["audit.file": "\(file)", "audit.mode.before": "\(String(mode, radix: 8))"])
        }
    }
}

/// The lock file that serialises opening the database could not be opened or locked.
private func lockFailure(_ path: String, _ code: Int32) -> AuditError {
    AuditError(
        .unavailable,
        detail: "cannot create or lock \(path) (\(String(cString: strerror(code)))); the store's directory must be writable by this process"
    )
}
