import AuditCore
import AuditPostgres
import AuditTesting
import Foundation
import Logging
import PostgresNIO
import Testing

/// Maintenance must not hold up traffic: creating a month needs an exclusive lock on
/// `audit_events`, and every request that arrives while it waits queues behind it.
@Suite(.enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
struct PostgresLockTests {
    @Test("Creating a month behind a long reader gives up after lock_timeout, retries, and lets writes through")
    func maintenanceYieldsToTraffic() async throws {
        try await PostgresHarness.run(configure: { $0.lockTimeout = .milliseconds(300) }) { harness in
            let far = AuditTimestamp.now().utcDate.month.adding(months: 20)
            let event = try EventFactory.event(correlationID: "rr-during-maintenance", at: .now())
            let (ensured, written) = try await harness.database.withClient { admin in
                try await admin.withConnection { reader in
                    let logger = Logger(label: "test.reader")
                    // Should the store wait without a limit, the server ends this session after
                    // 20 s; the test then fails on its expectations instead of hanging.
                    try await reader.query("SET idle_in_transaction_session_timeout = '20s'", logger: logger)
                    try await reader.query("BEGIN", logger: logger)
                    _ = try await reader.query("SELECT count(*) FROM audit_events", logger: logger).collect()
                    async let ensuring: Result<[PartitionMonth], AuditError> = {
                        do throws(AuditError) {
                            return .success(try await harness.store.ensureMonths([far]))
                        } catch {
                            return .failure(error)
                        }
                    }()
                    // Write once the month's creation is waiting for its lock.
                    var waited = false
                    for _ in 0..<500 where !waited {
                        waited =
                            try await harness.values(
                                "SELECT count(*)::int8 FROM pg_locks WHERE NOT granted AND relation = 'audit_events'::regclass",
                                as: Int64.self
                            ).first ?? 0 > 0
                        if !waited { try await Task.sleep(for: .milliseconds(5)) }
                    }
                    #expect(waited, "the month's creation waits for the reader")
                    let written = try await harness.store.write([EventBatch(events: [event], reportsIndex: false)])
                    let ensured = await ensuring
                    _ = try? await reader.query("COMMIT", logger: logger)
                    return (ensured, written)
                }
            }
            #expect((try? written.first?.get())?.insertedCount == 1, "the write went through while maintenance waited")
            switch ensured {
            case .success(let created):
                Issue.record("creating \(far) must give up while a reader holds audit_events, got \(created)")
            case .failure(let error):
                #expect(error.code == .unavailable, "\(error)")
            }
            // Once the reader is gone, the next run creates it.
            #expect(try await harness.store.ensureMonths([far]) == [far])
        }
    }
}
