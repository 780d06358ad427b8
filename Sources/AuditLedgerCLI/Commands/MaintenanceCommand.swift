import ArgumentParser
import AuditCore
import AuditMaintenance
import Foundation

/// `auditledger maintenance run`.
struct MaintenanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintenance",
        abstract: "Run maintenance once, as serve does every --maintenance-interval (for cron or a Kubernetes CronJob).",
        subcommands: [Run.self, Log.self]
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the current month and the months ahead; with --archive-dir, also apply retention.",
            discussion: """
                Takes the same maintenance lock as the servers: when another runner holds it, this run is skipped \
                (exit 0). Exit 1 when the run failed or a month could not be removed; the lifecycle log has the reason.
                """
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "Directory for retention's archives. (env: AUDITLEDGER_ARCHIVE_DIR, default: none, meaning retention is off)")
        var archiveDir: String?

        @OptionGroup var signing: SignerOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let logger = try logging.makeLogger()
            let configuration = MaintenanceService.Configuration(
                monthsAhead: try store.resolvedMonthsAhead(),
                archiveDirectory: try resolve(archiveDir, env: "AUDITLEDGER_ARCHIVE_DIR"),
                signer: try signing.signer(dataDirectory: try store.resolvedDataDir())
            )
            let user = CommandEnvironment.variables["USER"] ?? "unknown"
            let report = try await store.withPreparedStore(logger: logger) { selection in
                try await MaintenanceService(store: selection.store, configuration: configuration, logger: logger)
                    .runOnce(triggeredBy: "cli:\(user)")
            }
            guard let report else {
                print("skipped: another runner holds the maintenance lock")
                return
            }
            print(report.summary)
            if report.retention?.failed.isEmpty == false { throw ExitCode.failure }
        }
    }

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the lifecycle log, newest first: maintenance runs, months removed by retention, restores."
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "Entries to print. (default: 50)")
        var limit: Int = 50

        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be positive") }
        }

        func run() async throws {
            let limit = limit
            let records = try await store.withPreparedStore(logger: try logging.makeLogger()) { selection in
                try await selection.store.lifecycleLog(limit: limit)
            }
            for record in records {
                var line =
                    "\(record.startedAt) \(record.kind.rawValue) \(record.outcome) by \(record.triggeredBy) in \(record.durationMilliseconds) ms"
                if let month = record.month { line += " month=\(month)" }
                if let rows = record.rows { line += " rows=\(rows)" }
                if let path = record.archivePath { line += " archive=\(path)" }
                if let sha = record.archiveSHA256 { line += " sha256=\(sha)" }
                print(line + ": " + record.detail)
            }
        }
    }
}
