import ArgumentParser
import AuditCore
import AuditMaintenance
import Foundation
import Synchronization

/// `auditledger retention run|policy`.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Apply retention, or manage per-category retention policies.",
        subcommands: [Run.self, Policy.self]
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Archive, verify, then remove every month whose events are all past retention and not held.",
            discussion: "With PostgreSQL this needs the role that owns audit_events (the one that migrates)."
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "Directory for the archives. (env: AUDITLEDGER_ARCHIVE_DIR, default: none; required unless --dry-run)")
        var archiveDir: String?

        @Flag(help: "Print what would be removed and why; change nothing.")
        var dryRun = false

        @OptionGroup var selfAudit: SelfAuditOptions
        @OptionGroup var signing: SignerOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let logger = try logging.makeLogger()
            let signer = try signing.signer(dataDirectory: try store.resolvedDataDir())
            let selfAudit = selfAudit
            let directory = try resolve(archiveDir, env: "AUDITLEDGER_ARCHIVE_DIR")
            guard directory != nil || dryRun else { throw ValidationError("--archive-dir (or AUDITLEDGER_ARCHIVE_DIR) is required to remove months") }
            let dryRun = dryRun
            let outcome = try await store.withPreparedStore(logger: logger) { selection in
                let runner = RetentionRunner(
                    store: selection.store, archiveDirectory: directory ?? "", triggeredBy: "cli:\(SelfAuditOptions.user)",
                    recorder: try selfAudit.recorder(for: selection.store, logger: logger), signer: signer, logger: logger)
                let progress = ProgressTracker()
                let outcome = try await runner.run(now: .now(), dryRun: dryRun) { report, done in
                    progress.report(report, done: done)
                }
                progress.finish()
                return outcome
            }
            for report in outcome.reports where report.state != .kept || dryRun {
                let verb = report.state == .eligible ? (dryRun ? "would remove" : "removal attempted") : report.state.rawValue
                print("\(report.month) \(verb): \(report.reason) (\(report.rows) rows)")
            }
            for written in outcome.removed {
                print(
                    "\(written.manifest.month) removed: \(written.manifest.rowCount) rows archived to \(written.archivePath) (sha256 \(written.manifest.sha256))"
                )
            }
            for failure in outcome.failed {
                print("\(failure.month) not removed: \(failure.error.detail)")
            }
            if !outcome.failed.isEmpty { throw ExitCode.failure }
        }
    }

    struct Policy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, or set, the retention of a category (events are kept the longer of it and their retention_days).",
            discussion:
                "auditledger retention policy            lists the policies\nauditledger retention policy billing 3650   is refused (at most 2555 days)\nauditledger retention policy billing 2555   keeps billing events seven years"
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The event_category to set; omit to list the policies.")
        var category: String?

        @Argument(help: "Days to keep events of that category, 1 to 2555.")
        var days: Int32?

        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            if category != nil {
                guard let days, (1...2555).contains(days) else { throw ValidationError("days must be between 1 and 2555") }
            }
        }

        func run() async throws {
            let category = category
            let days = days
            let policies = try await store.withPreparedStore(logger: try logging.makeLogger()) { selection in
                if let category, let days {
                    try await selection.store.setRetentionPolicy(RetentionPolicy(category: category, days: days))
                }
                return try await selection.store.retentionPolicies()
            }
            if policies.isEmpty { print("no category policies: each event's own retention_days applies") }
            for policy in policies { print("\(policy.category) \(policy.days) days") }
        }
    }
}

/// Progress of retention's archiving, one bar per month.
final class ProgressTracker: Sendable {
    private let current = Mutex<(month: PartitionMonth, progress: Progress)?>(nil)

    func report(_ report: MonthReport, done: Int64) {
        current.withLock { state in
            if state?.month != report.month {
                state?.progress.finish()
                state = (report.month, Progress("archiving \(report.month.partitionName)", total: report.rows))
            }
            state?.progress.update(done)
        }
    }

    func finish() {
        current.withLock { $0?.progress.finish() }
    }
}
