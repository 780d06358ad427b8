import ArgumentParser
import AuditCore
import AuditMaintenance
import Foundation

/// `auditledger archive verify|restore`.
struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Check a month's archive, or bring it back as a month for an investigation.",
        subcommands: [Verify.self, Restore.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an archive against its manifest: SHA-256 of the file, row count, first and last event."
        )

        @Argument(help: "The archive's .manifest.json (or its .ndjson.gz).")
        var file: String

        func run() async throws {
            do {
                let verified = try ArchiveReader.verify(file, loadEvents: false)
                print("ok: \(verified.manifest.month), \(verified.manifest.rowCount) events, sha256 \(verified.manifest.sha256)")
            } catch {
                print("refused: \(error.detail)")
                throw ExitCode.failure
            }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify an archive, then restore its month (which must be absent or empty) with every column as archived.",
            discussion: """
                A tampered archive (its SHA-256 differs from the manifest's) is refused before anything is read into the store. \
                The archive's hash is also checked against the lifecycle log when the store recorded the removal. Retention keeps \
                a restored month for 30 days; place a legal hold to keep its events longer.
                """
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The archive's .manifest.json (or its .ndjson.gz).")
        var file: String

        @OptionGroup var selfAudit: SelfAuditOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let file = file
            let logger = try logging.makeLogger()
            let selfAudit = selfAudit
            let manifest: ArchiveManifest
            do {
                manifest = try await store.withPreparedStore(logger: logger) { selection in
                    let restorer = ArchiveRestorer(
                        store: selection.store, triggeredBy: "cli:\(SelfAuditOptions.user)",
                        recorder: try selfAudit.recorder(for: selection.store, logger: logger), logger: logger)
                    Progress.note("verifying \(file)")
                    return try await restorer.restore(file, now: .now()) { manifest in
                        Progress.note("verified; restoring \(manifest.rowCount) events into \(manifest.month.partitionName) in one transaction")
                    }
                }
            } catch let error as AuditError where error.code == .conflict || error.code == .notFound {
                print("refused: \(error.detail)")
                throw ExitCode.failure
            }
            print("restored: \(manifest.month), \(manifest.rowCount) events; retention keeps it \(MonthReport.restoredMonthDays) days")
        }
    }
}
