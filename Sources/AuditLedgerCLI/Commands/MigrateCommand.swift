import ArgumentParser
import AuditCore
import AuditPostgres
import Logging
import ServiceLifecycle

/// `auditledger migrate`: applies schema migrations and creates the partitions ahead, then exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply schema migrations and create the months ahead, then exit."
    )

    @OptionGroup var store: StoreOptions

    @Option(
        help: """
            PostgreSQL role to grant what serving needs (SELECT and INSERT on audit_events, creating months) \
            and nothing more; then serve as that role. (env: AUDITLEDGER_APP_ROLE, default: none)
            """
    )
    var appRole: String?

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger()
        let selection = try store.makeStore(logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in selection.services {
                group.addTask { try await service.run() }
            }
            defer { group.cancelAll() }
            // Let the services (the connection pool) start before the first query asks for a connection.
            await Task.yield()
            do {
                try await selection.store.prepare()
                if let appRole = try resolve(appRole, env: "AUDITLEDGER_APP_ROLE") {
                    guard let postgres = selection.postgres else {
                        throw ValidationError("--app-role applies to PostgreSQL only")
                    }
                    try await postgres.grantAppRole(appRole)
                    logger.info("granted serving privileges", metadata: ["audit.app_role": "\(appRole)"])
                }
            } catch let error as AuditError {
                logger.error("migration failed", metadata: ["error": "\(error)"])
                throw ExitCode.failure
            }
            logger.info("store migrated", metadata: ["audit.store": "\(selection.description)"])
        }
    }
}
