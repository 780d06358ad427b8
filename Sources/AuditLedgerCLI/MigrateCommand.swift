import ArgumentParser
import AuditCore
import Logging
import ServiceLifecycle

/// `auditledger migrate`: applies schema migrations and creates the partitions ahead, then exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply schema migrations and create the months ahead, then exit."
    )

    @OptionGroup var store: StoreOptions
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
            } catch {
                logger.error("migration failed", metadata: ["error": "\(error)"])
                throw ExitCode.failure
            }
            logger.info("store migrated", metadata: ["audit.store": "\(selection.description)"])
        }
    }
}
