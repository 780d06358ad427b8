import AuditCore
import AuditPostgres
import AuditTesting
import Foundation
import PostgresNIO
import Synchronization
import Testing

/// `auditledger partitions convert`: an existing, non-partitioned audit table (the layout
/// Kubernaut had before it partitioned) copied into the partitioned `audit_events`.
@Suite(.enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
struct PostgresConvertTests {
    @Test("Conversion copies every row in batches, resumes without duplicates, and drops the source only when asked")
    func convertsAndResumes() async throws {
        try await PostgresHarness.run { harness in
            try await harness.createLegacyAuditTable(rows: 6_000)
            // A child whose clock ran behind its parent's: read in the batch before the parent's, stored after it.
            try await harness.execute(
                """
                UPDATE legacy_audit SET event_timestamp = event_timestamp - interval '3 hours', event_date = ((event_timestamp - interval '3 hours') AT TIME ZONE 'UTC')::date
                WHERE resource_id = 'wfe-710'
                """
            )
            let positions = try await harness.values(
                """
                SELECT position FROM (SELECT resource_id, row_number() OVER (ORDER BY event_timestamp, event_id)::int8 AS position FROM legacy_audit) AS o
                WHERE resource_id IN ('wfe-709', 'wfe-710') ORDER BY resource_id
                """,
                as: Int64.self
            )
            #expect(positions.count == 2 && positions[1] <= 700 && positions[0] > 700, "child in the first batch of 700, parent in the second")
            let progress = Mutex<[Int64]>([])
            let first = try await harness.postgres.convert(table: "legacy_audit", batchSize: 700) { done, total in
                #expect(total == 6_000)
                progress.withLock { $0.append(done) }
            }
            #expect(first.sourceRows == 6_000)
            #expect(first.inserted == 6_000)
            #expect(first.alreadyStored == 0)
            #expect(!first.droppedSource)
            #expect(progress.withLock { $0 } == stride(from: 700, to: 6_000, by: 700).map(Int64.init) + [6_000])

            let stored = try await harness.values("SELECT count(*)::int8 FROM audit_events", as: Int64.self)
            #expect(stored == [6_000])
            let months = try await harness.values(
                "SELECT DISTINCT to_char(event_date, 'YYYY-MM') FROM audit_events ORDER BY 1",
                as: String.self
            )
            #expect(months == ["2024-10", "2024-11", "2024-12"])

            // Every column kept, renamed or defaulted as documented.
            let child = try #require(try await harness.store.event(id: Self.id("row-710", harness)))
            let parent = try #require(try await harness.store.event(id: Self.id("row-709", harness)))
            #expect(child.event.parentEventID == parent.event.id)
            #expect(child.event.parentEventDate == parent.event.date)
            #expect(child.event.timestamp < parent.event.timestamp)
            #expect(child.event.version == "1.0")
            #expect(child.event.clusterID == "prod-eu-1")
            #expect(child.event.actorIP == "10.0.0.210")
            #expect(child.event.retentionDays == 2555)
            #expect(child.event.durationMS == 2130)
            #expect(child.event.eventData.json == #"{"step": 710, "target": "checkout"}"#, "jsonb text")
            let third = try #require(try await harness.store.event(id: Self.id("row-33", harness)))
            #expect(third.event.retentionDays == 365)
            #expect(third.event.outcome == .success)
            #expect(third.event.isSensitive == true)
            #expect(third.event.actorIP == nil)

            // Interrupted and run again: nothing is stored twice; then the source is dropped.
            let again = try await harness.postgres.convert(table: "legacy_audit", batchSize: 5_000, dropSource: true)
            #expect(again.inserted == 0)
            #expect(again.alreadyStored == 6_000)
            #expect(again.droppedSource)
            #expect(try await harness.values("SELECT count(*)::int8 FROM audit_events", as: Int64.self) == [6_000])
            #expect(try await harness.values("SELECT to_regclass('legacy_audit')::text", as: String?.self) == [nil])

            // The converted rows enter the log like any write, and verify finds nothing wrong.
            try await harness.store.drainLogQueue()
            _ = try await harness.store.signCheckpoint(with: TestSigning.key, now: .now())
            let report = try await harness.store.verifyLog(trustedKeys: [TestSigning.key.verifier])
            #expect(report.isValid && report.treeSize == 6_000 && report.eventsChecked == 6_000, "\(report.problems.prefix(5))")
        }
    }

    @Test("A row the API would refuse stops the conversion, names the row, and keeps the source")
    func invalidRowStops() async throws {
        try await PostgresHarness.run { harness in
            try await harness.createLegacyAuditTable(rows: 50)
            try await harness.execute("UPDATE legacy_audit SET event_data = '[1, 2]' WHERE resource_id = 'wfe-30'")
            let bad = try await Self.id("row-30", harness)
            do throws(AuditError) {
                _ = try await harness.postgres.convert(table: "legacy_audit", batchSize: 10, dropSource: true)
                Issue.record("an event_data that is not an object must stop the conversion")
            } catch {
                #expect(error.code == .validation)
                #expect(error.detail.contains(bad.uuidString.lowercased()))
                #expect(error.fieldErrors.map(\.field) == ["event_data"])
            }
            #expect(try await harness.values("SELECT count(*)::int8 FROM legacy_audit", as: Int64.self) == [50])
            // The batches before the bad row are stored; fixing the row and running again finishes.
            #expect(try await harness.values("SELECT count(*)::int8 FROM audit_events", as: Int64.self) == [20])
            try await harness.execute(#"UPDATE legacy_audit SET event_data = '{"step": 30}' WHERE resource_id = 'wfe-30'"#)
            let finished = try await harness.postgres.convert(table: "legacy_audit", batchSize: 10)
            #expect(finished.inserted == 30)
            #expect(finished.alreadyStored == 20)
        }
    }

    @Test("A parent that exists nowhere stops the conversion before the source could be dropped")
    func orphanStops() async throws {
        try await PostgresHarness.run { harness in
            try await harness.createLegacyAuditTable(rows: 30)
            try await harness.execute("UPDATE legacy_audit SET parent_event_id = '00000000-0000-4000-8000-000000000001' WHERE resource_id = 'wfe-5'")
            do throws(AuditError) {
                _ = try await harness.postgres.convert(table: "legacy_audit", batchSize: 8, dropSource: true)
                Issue.record("an orphan must stop the conversion")
            } catch {
                #expect(error.code == .conflict)
                #expect(error.detail.contains("1 event(s) of legacy_audit name a parent_event_id"))
                #expect(error.detail.contains("00000000-0000-4000-8000-000000000001"))
            }
            #expect(try await harness.values("SELECT count(*)::int8 FROM legacy_audit", as: Int64.self) == [30])
            #expect(try await harness.values("SELECT count(*)::int8 FROM audit_events", as: Int64.self) == [29])
        }
    }

    @Test("Only a plain, existing, ordinary table is converted")
    func refusesOtherTables() async throws {
        try await PostgresHarness.run { harness in
            for name in ["audit_events", "audit_events_2026_01", "legacy; DROP TABLE audit_events", "a.b.c", "\"quoted\"", ""] {
                do throws(AuditError) {
                    _ = try await harness.postgres.convert(table: name)
                    Issue.record("\(name) must be refused")
                } catch {
                    #expect(error.code == .validation, "\(name)")
                    #expect(error.fieldErrors.map(\.field) == ["table"], "\(name)")
                }
            }
            do throws(AuditError) {
                _ = try await harness.postgres.convert(table: "no_such_table")
                Issue.record("a missing table must be refused")
            } catch {
                #expect(error.code == .notFound)
            }
            try await harness.execute("CREATE TABLE old_events (event_id uuid, note text)")
            do throws(AuditError) {
                _ = try await harness.postgres.convert(table: "public.old_events")
                Issue.record("a table without the audit columns must be refused")
            } catch {
                #expect(error.code == .validation)
                #expect(error.detail.contains("has no event_timestamp column"))
            }
            try await harness.execute("CREATE TABLE split_events (event_id uuid, event_date date) PARTITION BY RANGE (event_date)")
            do throws(AuditError) {
                _ = try await harness.postgres.convert(table: "split_events")
                Issue.record("a partitioned table must be refused")
            } catch {
                #expect(error.detail.contains("not an ordinary table"))
            }
        }
    }

    static func id(_ seed: String, _ harness: PostgresHarness) async throws -> UUID {
        try #require(try await harness.values("SELECT md5(\(seed))::uuid", as: UUID.self).first)
    }
}
