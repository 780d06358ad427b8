import AuditCore
import AuditMaintenance
import AuditTesting
import Foundation
import Logging
import Testing

/// What a restore checks beyond the archive itself: the lifecycle log's record of the removal.
@Suite struct ArchiveRestorerTests {
    @Test("An archive whose hash differs from the one the log recorded for its month is refused, even with a matching manifest")
    func refusesAnArchiveTheLogDoesNotKnow() async throws {
        let archive = NSTemporaryDirectory() + "auditledger-archive-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: archive) }
        let now = AuditTimestamp.now()
        let month = now.utcDate.month.adding(months: -3)
        // One store removes a month; its archive is valid on its own.
        let written = try await SQLiteHarness.run { harness in
            let events = try (0..<5).map {
                try EventFactory.event(
                    correlationID: "rr-moved", at: month.firstDay.startOfDay.adding(seconds: Int64(60 + $0)), fields: ["retention_days": .number("1")]
                )
            }
            try await harness.writeSucceeding(events)
            let outcome = try await RetentionRunner(
                store: harness.store, archiveDirectory: archive, triggeredBy: "test", signer: TestSigning.key, logger: Logger(label: "test")
            )
            .run(now: now, dryRun: false)
            return try #require(outcome.removed.first)
        }
        // A store whose log recorded another archive for that month refuses it.
        try await SQLiteHarness.run { harness in
            try await harness.store.record(
                LifecycleRecord(
                    kind: .retention, startedAt: now, durationMilliseconds: 1, month: month, rows: 5, archivePath: "/elsewhere",
                    archiveSHA256: String(repeating: "ab", count: 32), triggeredBy: "maintenance", outcome: "ok", detail: "removed"
                )
            )
            let restorer = ArchiveRestorer(store: harness.store, triggeredBy: "test", logger: Logger(label: "test"))
            do throws(AuditError) {
                try await restorer.restore(written.archivePath, now: now)
                Issue.record("an archive the log does not know must be refused")
            } catch {
                #expect(error.code == .conflict)
                #expect(error.detail.contains("the lifecycle log recorded \(month) archived with SHA-256 \(String(repeating: "ab", count: 32))"))
            }
            #expect(try await harness.store.monthFacts().first { $0.month == month }?.rows ?? 0 == 0)
        }
        // A store with no record of that month takes it (moving an investigation to another machine).
        try await SQLiteHarness.run { harness in
            let restorer = ArchiveRestorer(store: harness.store, triggeredBy: "test", logger: Logger(label: "test"))
            let manifest = try await restorer.restore(written.archivePath, now: now)
            #expect(manifest.rowCount == 5)
            #expect(try await harness.store.monthFacts().first { $0.month == month }?.rows == 5)
            // Its events are new to this log: queued, then logged, and verification finds nothing wrong.
            #expect(try await harness.store.appendPendingToLog(limit: 100, now: now).appended == 5)
            let report = try await harness.store.verifyLog(trustedKeys: [])
            #expect(report.isValid && report.eventsChecked == 5, "\(report.problems)")
        }
    }

    @Test("SQLite: an archive whose event was changed, with its hash, is refused by the log before anything is restored")
    func refusesAnArchiveTheLogContradictsSQLite() async throws {
        try await SQLiteHarness.run { harness in try await Self.refusesAnArchiveTheLogContradicts(harness) }
    }

    @Test(
        "PostgreSQL: an archive whose event was changed, with its hash, is refused by the log before anything is restored",
        .enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
    func refusesAnArchiveTheLogContradictsPostgres() async throws {
        try await PostgresHarness.run { harness in try await Self.refusesAnArchiveTheLogContradicts(harness) }
    }

    static func refusesAnArchiveTheLogContradicts(_ harness: any StoreHarness) async throws {
        let directory = NSTemporaryDirectory() + "auditledger-archive-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let now = AuditTimestamp.now()
            let month = now.utcDate.month.adding(months: -3)
            let events = try (0..<4).map {
                try EventFactory.event(correlationID: "rr-forged-archive", at: month.firstDay.startOfDay.adding(seconds: Int64(60 + $0)))
            }
            try await harness.writeSucceeding(events)
            while try await harness.store.appendPendingToLog(limit: 100, now: now).appended > 0 {}
            let written = try await ArchiveWriter(directory: directory).archive(month, of: harness.store, signer: TestSigning.key, now: now)
            try await harness.store.removeMonth(month, expectedRows: 4)
            // Whoever holds the files changes one event's content, its event_hash to match, and the manifest to agree.
            let forged = events[2].id.uuidString.lowercased()
            try ArchiveForgery.rewrite(manifestPath: written.manifestPath) { lines in
                try StoreConformance.rehashing(StoreConformance.setting(lines, forged, "actor_id", "mallory"), forged)
            }
            let restorer = ArchiveRestorer(store: harness.store, triggeredBy: "test", logger: Logger(label: "test"))
            do throws(AuditError) {
                try await restorer.restore(written.archivePath, now: now)
                Issue.record("an archive the log contradicts must be refused")
            } catch {
                #expect(error.code == .conflict)
                #expect(
                    error.detail.contains(
                        "event \(forged) of the archive of \(month) is not what the log holds at position 2"))
            }
            #expect(try await harness.store.monthFacts().first { $0.month == month }?.rows ?? 0 == 0, "nothing restored")
        }
    }

    @Test("A missing manifest or archive file is reported as not found, naming the path")
    func missingFiles() async throws {
        try await SQLiteHarness.run { harness in
            let restorer = ArchiveRestorer(store: harness.store, triggeredBy: "test", logger: Logger(label: "test"))
            let path = NSTemporaryDirectory() + "no-such-archive-" + UUID().uuidString + ".manifest.json"
            do throws(AuditError) {
                try await restorer.restore(path, now: .now())
                Issue.record("a missing manifest must be refused")
            } catch {
                #expect(error.code == .notFound)
                #expect(error.detail.contains(path))
            }
        }
    }
}
