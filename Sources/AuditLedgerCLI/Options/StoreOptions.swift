import ArgumentParser
import AuditCore
import AuditPostgres
import Logging
import ServiceLifecycle

/// Which store to use: `--database-url` (PostgreSQL) or the embedded default.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: "PostgreSQL URL, postgres://user:password@host:5432/database?sslmode=prefer. (env: AUDITLEDGER_DATABASE_URL, default: none)"
    )
    var databaseURL: String?

    @Option(help: "Months of partitions kept ready ahead of the current one. (env: AUDITLEDGER_MONTHS_AHEAD, default: 3)")
    var monthsAhead: Int?

    /// A configured store and the services it needs running.
    struct Selection {
        let store: any AuditStore
        let services: [any Service]
        let description: String
    }

    func makeStore(logger: Logger) throws -> Selection {
        let monthsAhead = try resolve(monthsAhead, env: "AUDITLEDGER_MONTHS_AHEAD", default: 3)
        guard (0...24).contains(monthsAhead) else { throw ValidationError("--months-ahead must be between 0 and 24") }
        guard let url = try resolve(databaseURL, env: "AUDITLEDGER_DATABASE_URL") else {
            throw ValidationError("a PostgreSQL URL is required: pass --database-url or set AUDITLEDGER_DATABASE_URL")
        }
        let configuration: PostgresStoreConfiguration
        do {
            configuration = try PostgresStoreConfiguration(url: url, monthsAhead: monthsAhead)
        } catch {
            throw ValidationError(error.detail)
        }
        let store = PostgresStore(configuration: configuration, logger: logger)
        return Selection(store: store, services: [store], description: "postgres \(configuration.displayTarget)")
    }
}
