import ArgumentParser
import AuditCore
import Foundation

/// `auditledger partitions list|check|ensure|convert`.
struct PartitionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partitions",
        abstract: "Show, check and prepare the monthly partitions.",
        subcommands: [List.self, Check.self, Ensure.self, ConvertCommand.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every month: range, rows, bytes, oldest and newest event, retention state (kept, eligible, held, blocked)."
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let reports = try await store.withPreparedStore(logger: try logging.makeLogger()) { selection in
                try await selection.store.monthReports(now: .now())
            }
            print("month    rows        bytes        oldest event                 newest event                 state     reason")
            for report in reports {
                let columns = [
                    report.month.description.padding(8), String(report.rows).padding(11), (report.bytes.map { String($0) } ?? "-").padding(12),
                    (report.oldest?.description ?? "-").padding(28), (report.newest?.description ?? "-").padding(28),
                    report.state.rawValue.padding(9), report.reason,
                ]
                print(columns.joined(separator: " "))
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report anomalies (gaps, months missing ahead, rows outside bounds, stray tables); exit 1 when there are any."
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let monthsAhead = try store.resolvedMonthsAhead()
            let findings = try await store.withPreparedStore(logger: try logging.makeLogger()) { selection in
                let months = try await selection.store.monthFacts().map(\.month)
                let removed = try await selection.store.removedMonths()
                return MonthReport.layoutFindings(months: months, removed: removed, now: .now(), monthsAhead: monthsAhead)
                    + (try await selection.store.storageFindings())
            }
            guard !findings.isEmpty else {
                print("ok: no anomalies")
                return
            }
            for finding in findings { print(finding) }
            throw ExitCode.failure
        }
    }

    struct Ensure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the current month and the months ahead if missing, and fill gaps that retention did not make."
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let monthsAhead = try store.resolvedMonthsAhead()
            let created = try await store.withPreparedStore(logger: try logging.makeLogger()) { selection in
                let current = AuditTimestamp.now().utcDate.month
                var wanted = Set(current.through(current.adding(months: monthsAhead)))
                let months = try await selection.store.monthFacts().map(\.month)
                if let first = months.min(), let last = months.max() {
                    let removed = try await selection.store.removedMonths()
                    wanted.formUnion(first.through(last).filter { !removed.contains($0) })
                }
                return try await selection.store.ensureMonths(wanted.sorted())
            }
            print(created.isEmpty ? "ok: every month exists" : "created: " + created.map(\.description).joined(separator: ", "))
        }
    }
}

extension String {
    /// Pads with spaces to `width` characters (for aligned columns).
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
