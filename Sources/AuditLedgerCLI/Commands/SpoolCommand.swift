import ArgumentParser
import AuditCore
import AuditIngest
import Foundation

/// `auditledger spool recover-rejected`.
struct SpoolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool",
        abstract: "The local spool of events accepted while the store was unavailable.",
        subcommands: [RecoverRejected.self]
    )

    struct RecoverRejected: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "recover-rejected",
            abstract: "Bring back the events older versions set aside in the spool's rejected/ directory.",
            discussion: """
                Versions before the quarantine moved spooled requests the store refused — or could not answer, at times — to \
                <spool-dir>/rejected/. This writes each file's events to the store again (those already stored are not stored \
                twice), moves those still refused to the quarantine table, and deletes each file once that is done. Safe to run \
                while a server uses the spool; exit 1 when the store cannot answer (the remaining files stay).
                """
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "The spool directory. (env: AUDITLEDGER_SPOOL_DIR, default: the spool directory in --data-dir)")
        var spoolDir: String?

        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let logger = try logging.makeLogger()
            let directory = try resolve(spoolDir, env: "AUDITLEDGER_SPOOL_DIR", default: try store.resolvedDataDir() + "/spool")
            let report = try await store.withPreparedStore(logger: logger) { selection in
                try await RejectedRecordRecovery(spoolDirectory: directory, store: selection.store, logger: logger).run()
            }
            print(
                "\(report.files) files: \(report.storedEvents) events stored, \(report.quarantinedEvents) quarantined, \(report.unreadable.count) unreadable"
            )
            if !report.unreadable.isEmpty {
                print("left in place: " + report.unreadable.joined(separator: ", "))
                throw ExitCode.failure
            }
        }
    }
}
