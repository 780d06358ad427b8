import AuditCore
import AuditPostgres
import AuditTesting
import Foundation
import PostgresNIO
import Testing

/// `auditledger partitions check` on PostgreSQL: what only the database shows.
@Suite(.enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
struct PostgresFindingsTests {
    @Test("A default partition, rows stuck in it, and a month table left unattached are reported")
    func findings() async throws {
        try await PostgresHarness.run { harness in
            #expect(try await harness.store.storageFindings() == [])

            try await harness.execute("CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT")
            #expect(
                try await harness.store.storageFindings() == [
                    "default partition audit_events_default exists: rows of any month could land in it instead of failing; remove it"
                ])

            // Written behind the store's back for a month that has no partition: it lands in the default.
            try await harness.execute(
                """
                INSERT INTO audit_events (
                    event_id, event_version, event_timestamp, event_date, event_type, event_category, event_action, event_outcome,
                    actor_type, actor_id, resource_type, resource_id, correlation_id, retention_days, is_sensitive, event_data)
                VALUES (gen_random_uuid(), '1.0', '2019-03-05 10:00:00+00', '2019-03-05', 'gateway.signal.received', 'gateway',
                    'received', 'success', 'service', 'gateway-service', 'Signal', 'fp-1', 'rr-stray', 90, false, '{}')
                """
            )
            try await harness.execute("CREATE TABLE audit_events_2019_04 (LIKE audit_events)")
            let findings = try await harness.store.storageFindings()
            #expect(
                findings == [
                    "default partition audit_events_default holds 1 row(s) outside every month's bounds (2019-03); they block creating those months",
                    "table audit_events_2019_04 looks like a month but is not attached to audit_events",
                ])
            // What it warns of: the month cannot be created while its rows sit in the default.
            do throws(AuditError) {
                _ = try await harness.store.ensureMonths([PartitionMonth(year: 2019, month: 3)!])
                Issue.record("creating a month whose rows are in the default partition must fail")
            } catch {
                #expect(error.code == .unavailable || error.code == .internalError || error.code == .conflict, "\(error)")
            }
        }
    }
}
