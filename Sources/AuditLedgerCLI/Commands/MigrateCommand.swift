import ArgumentParser
import AuditCore
import AuditPostgres
import Logging

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
        let appRole = try resolve(appRole, env: "AUDITLEDGER_APP_ROLE")
        do {
            let description = try await store.withPreparedStore(logger: logger) { selection in
                if let appRole {
                    guard let postgres = selection.postgres else { throw ValidationError("--app-role applies to PostgreSQL only") }
                    try await postgres.grantAppRole(appRole)
                    logger.info("granted serving privileges", metadata: ["audit.app_role": "\(appRole)"])
                }
                return selection.description
            }
            logger.info("store migrated", metadata: ["audit.store": "\(description)"])
        } catch let error as AuditError {
            logger.error("migration failed", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }
}
