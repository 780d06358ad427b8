import ArgumentParser
import AuditCore
import AuditPostgres
import AuditSQLite
import Foundation
import Logging
import ServiceLifecycle

/// Which store to use, chosen by configuration alone: `--database-url postgres://…`,
/// `--database-url sqlite:///path/to/file`, or (the default) the embedded store in `--data-dir`.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: """
            postgres://user:password@host:5432/database?sslmode=prefer, or sqlite:///path/to/file.sqlite. \
            (env: AUDITLEDGER_DATABASE_URL, default: none, meaning the embedded store in --data-dir)
            """
    )
    var databaseURL: String?

    @Option(help: "Directory of the embedded store, used without --database-url. (env: AUDITLEDGER_DATA_DIR, default: ./auditledger-data)")
    var dataDir: String?

    @Option(help: "Months of partitions kept ready ahead of the current one. (env: AUDITLEDGER_MONTHS_AHEAD, default: 3)")
    var monthsAhead: Int?

    @Option(
        name: .customLong("sqlite-index-event-data"),
        help: """
            An event_data path the embedded store indexes in every month (member names joined by dots, e.g. \
            signal.fingerprint), for containment filters naming a string there; repeat it for several, or give \
            none to index nothing. Other filters still answer exactly, reading every row of their months. \
            (env: AUDITLEDGER_SQLITE_INDEX_EVENT_DATA, comma-separated; default: fingerprint,selected_workflow.workflow_id)
            """
    )
    var sqliteIndexEventData: [String] = []

    @Option(
        help: """
            Seconds to wait at start for PostgreSQL to answer before giving up (exit 1). \
            (env: AUDITLEDGER_DATABASE_WAIT, default: 60)
            """
    )
    var databaseWait: Int?

    /// A configured store and the services it needs running.
    struct Selection {
        let store: any AuditLifecycleStore
        let services: [any Service]
        let description: String
        /// The PostgreSQL store, when that is the one selected.
        var postgres: PostgresStore? { store as? PostgresStore }
    }

    /// `--data-dir`, or `AUDITLEDGER_DATA_DIR`, or `./auditledger-data`.
    func resolvedDataDir() throws -> String {
        try resolve(dataDir, env: "AUDITLEDGER_DATA_DIR", default: "./auditledger-data")
    }

    /// `--months-ahead`, checked.
    func resolvedMonthsAhead() throws -> Int {
        let monthsAhead = try resolve(monthsAhead, env: "AUDITLEDGER_MONTHS_AHEAD", default: 3)
        guard (0...24).contains(monthsAhead) else { throw ValidationError("--months-ahead must be between 0 and 24") }
        return monthsAhead
    }

    /// `--sqlite-index-event-data` (several), or `AUDITLEDGER_SQLITE_INDEX_EVENT_DATA`, or the
    /// store's default; each a path of member names. `none` alone indexes nothing.
    func resolvedIndexedEventDataPaths() throws -> [EventDataPath] {
        let environment = ProcessInfo.processInfo.environment["AUDITLEDGER_SQLITE_INDEX_EVENT_DATA"]
        let texts =
            !sqliteIndexEventData.isEmpty
            ? sqliteIndexEventData : environment.map { $0.split(separator: ",").map { String($0) } }
        guard let texts else { return SQLiteStoreConfiguration.defaultIndexedEventDataPaths }
        if texts == ["none"] { return [] }
        return try texts.map { text in
            guard let path = EventDataPath(text.trimmingCharacters(in: .whitespaces)), path.isMemberPath else {
                throw ValidationError(
                    "--sqlite-index-event-data: \(text.prefix(64)) is not a path of member names (letters, digits, '_' and '-', joined by dots)")
            }
            return path
        }
    }

    /// `--database-wait`, checked.
    func resolvedDatabaseWait() throws -> Duration {
        let seconds = try resolve(databaseWait, env: "AUDITLEDGER_DATABASE_WAIT", default: 60)
        guard (1...86_400).contains(seconds) else { throw ValidationError("--database-wait must be between 1 and 86400 seconds") }
        return .seconds(seconds)
    }

    /// - Parameter connectionLeaseTimeout: how long a PostgreSQL operation waits for a pooled
    ///   connection. `serve` keeps the store's 1 s, so that writes reach the spool quickly when the
    ///   database is away; operator commands wait longer (``StoreOptions/withPreparedStore(logger:_:)``).
    func makeStore(logger: Logger, connectionLeaseTimeout: Duration? = nil) throws -> Selection {
        let monthsAhead = try resolvedMonthsAhead()
        let url = try resolve(databaseURL, env: "AUDITLEDGER_DATABASE_URL")
        if let url, url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            var configuration: PostgresStoreConfiguration
            do {
                configuration = try PostgresStoreConfiguration(url: url, monthsAhead: monthsAhead)
            } catch {
                throw ValidationError(error.detail)
            }
            configuration.startupWait = try resolvedDatabaseWait()
            if let connectionLeaseTimeout { configuration.connectionLeaseTimeout = connectionLeaseTimeout }
            let store = PostgresStore(configuration: configuration, logger: logger)
            return Selection(store: store, services: [store], description: "postgres \(configuration.displayTarget)")
        }
        let path: String
        if let url {
            guard url.hasPrefix("sqlite://"), let file = URLComponents(string: url)?.path, !file.isEmpty else {
                throw ValidationError("--database-url must start with postgres://, postgresql:// or sqlite:// (got \(url.prefix(12))…)")
            }
            path = file
        } else {
            let directory = try resolvedDataDir()
            path = SQLiteStoreConfiguration.file(inDirectory: directory)
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let indexed = try resolvedIndexedEventDataPaths()
        do {
            let configuration = SQLiteStoreConfiguration(path: absolute, monthsAhead: monthsAhead, indexedEventDataPaths: indexed)
            let store = try SQLiteStore(configuration: configuration, logger: logger)
            return Selection(store: store, services: [], description: "sqlite \(absolute)")
        } catch {
            // Not a usage error: the options are fine, the file is not.
            throw StoreOpenFailure(description: "cannot open the embedded store at \(absolute): \(error.detail)")
        }
    }
}

/// A store that cannot be opened: printed as `Error: …`, exit code 1, without the usage text.
struct StoreOpenFailure: Error, CustomStringConvertible {
    var description: String
}
