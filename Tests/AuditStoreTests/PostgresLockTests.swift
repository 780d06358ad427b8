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
                    // 60 s; the test then fails on its expectations instead of hanging. Every
                    // statement goes through `statement`: PostgresNIO's `query` on a session the
                    // server has ended waits for ever, so with the old 20 s limit a machine slow
                    // enough to pass it left this test, and the run, waiting on the COMMIT.
                    try await reader.statement("SET idle_in_transaction_session_timeout = '60s'", logger: logger)
                    try await reader.statement("BEGIN", logger: logger)
                    try await reader.statement("SELECT count(*) FROM audit_events", logger: logger)
                    async let ensuring: Result<[PartitionMonth], AuditError> = {
                        do throws(AuditError) {
                            return .success(try await harness.store.ensureMonths([far]))
                        } catch {
                            return .failure(error)
                        }
                    }()
                    // Write once the month's creation is waiting for its lock.
                    #expect(try await Self.someoneWaits(on: "audit_events", harness: harness), "the month's creation waits for the reader")
                    let written = try await harness.store.write([EventBatch(events: [event])])
                    let ensured = await ensuring
                    _ = try? await reader.statement("COMMIT", logger: logger)
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

    @Test("A write chosen as a deadlock victim is retried and stored")
    func deadlockVictimIsRetried() async throws {
        try await PostgresHarness.run { harness in
            let now = AuditTimestamp.now()
            let first = try EventFactory.event(correlationID: "rr-deadlock", at: now)
            #expect((try await harness.store.write([EventBatch(events: [first])]).first?.get())?.insertedCount == 1)
            // PostgreSQL aborts the session whose deadlock check (deadlock_timeout after it began
            // to wait) finds the cycle: the writer, unless this test was too slow to close the
            // cycle within that time; then the scenario is run again.
            for attempt in 1...3 {
                let event = try EventFactory.event(correlationID: "rr-deadlock", at: now.adding(microseconds: Int64(attempt)))
                guard let written = try await Self.writeIntoDeadlock(event, harness: harness) else { continue }
                switch written {
                case .success(let outcomes):
                    #expect((try? outcomes.first?.get())?.insertedCount == 1, "the retried transaction stored the event")
                case .failure(let error):
                    Issue.record("a deadlock victim must be retried, not reported: \(error)")
                }
                #expect(try await harness.rowCount(eventID: event.id) == 1)
                return
            }
            Issue.record("the writer was never the deadlock victim in three attempts")
        }
    }

    @Test("Removing a month that a long transaction is reading gives up after lock_timeout, retries, and removes it once the reader ends")
    func removalYieldsToReaders() async throws {
        let records = LogRecords()
        var logger = Logger(label: "test.postgres") { _ in RecordingLogHandler(records: records) }
        logger.logLevel = .notice
        try await PostgresHarness.run(configure: { $0.lockTimeout = .milliseconds(300) }, logger: logger) { harness in
            let old = AuditTimestamp.now().utcDate.month.adding(months: -4)
            let events = try (0..<3).map { index in
                try EventFactory.event(correlationID: "rr-old-\(index)", at: old.firstDay.startOfDay.adding(seconds: Int64(60 + index)))
            }
            #expect((try await harness.store.write([EventBatch(events: events)]).first?.get())?.insertedCount == 3)
            let removal: Result<Void, AuditError> = try await harness.database.withClient { admin in
                try await admin.withConnection { reader in
                    let logger = Logger(label: "test.reader")
                    try await reader.statement("SET idle_in_transaction_session_timeout = '60s'", logger: logger)
                    try await reader.statement("BEGIN", logger: logger)
                    try await reader.statement("LOCK TABLE \(unescaped: old.partitionName) IN ACCESS SHARE MODE", logger: logger)
                    async let removing: Result<Void, AuditError> = {
                        do throws(AuditError) {
                            return .success(try await harness.postgres.removeMonth(old, expectedRows: 3))
                        } catch {
                            return .failure(error)
                        }
                    }()
                    // Hold the month until the detach has given up once (or 15 s have passed: then
                    // the expectation below fails), so that the test does not depend on timing.
                    for _ in 0..<1500 where !records.all.contains(where: { Self.isDetachRetry($0, of: old) }) {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    try await reader.statement("COMMIT", logger: logger)
                    return await removing
                }
            }
            if case .failure(let error) = removal { Issue.record("the month must be removed once the reader is gone: \(error)") }
            #expect(try await !harness.storageMonths().contains(old))
            let retried = records.all.contains { Self.isDetachRetry($0, of: old) }
            #expect(retried, "the detach's lock wait timed out and was retried")
        }
    }

    /// Whether `record` is the store's note that detaching `month` waited past `lock_timeout` and is retried.
    private static func isDetachRetry(_ record: LogRecords.Record, of month: PartitionMonth) -> Bool {
        record.message == "the database gave up on an operation; running it again" && record.metadata["audit.sqlstate"] == "55P03"
            && record.metadata["audit.operation"] == "detach \(month.partitionName)"
    }

    /// Writes `event` while another session closes a lock cycle with the writer's transaction.
    /// - Returns: the write's outcome, or `nil` when the other session was the victim.
    private static func writeIntoDeadlock(
        _ event: AuditEvent, harness: PostgresHarness
    ) async throws -> Result<[Result<WriteReceipt, AuditError>], AuditError>? {
        let partition = event.date.month.partitionName
        return try await harness.database.withClient { admin in
            try await admin.withConnection { other in
                let logger = Logger(label: "test.other")
                try await other.statement("SET idle_in_transaction_session_timeout = '60s'", logger: logger)
                try await other.statement("BEGIN", logger: logger)
                // SHARE lets the writer's lookups read the month but stops its INSERT.
                try await other.statement("LOCK TABLE \(unescaped: partition) IN SHARE MODE", logger: logger)
                async let writing: Result<[Result<WriteReceipt, AuditError>], AuditError> = {
                    do throws(AuditError) {
                        return .success(try await harness.store.write([EventBatch(events: [event])]))
                    } catch {
                        return .failure(error)
                    }
                }()
                #expect(try await someoneWaits(on: partition, harness: harness), "the writer's INSERT waits for this session")
                // The writer holds audit_events for its lookups: this closes the cycle. The lock
                // is granted only once the writer's transaction has been rolled back.
                var otherWasVictim = false
                do {
                    try await other.statement("LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE", logger: logger)
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "40P01" {
                    otherWasVictim = true
                }
                _ = try? await other.statement("ROLLBACK", logger: logger)
                let written = await writing
                return otherWasVictim ? nil : written
            }
        }
    }

    /// Whether some session waits for a lock on `relation` within 2.5 s (polled every 5 ms).
    private static func someoneWaits(on relation: String, harness: PostgresHarness) async throws -> Bool {
        for _ in 0..<500 {
            let waiting =
                try await harness.values(
                    "SELECT count(*)::int8 FROM pg_locks WHERE NOT granted AND relation = \(relation)::regclass", as: Int64.self
                ).first ?? 0
            if waiting > 0 { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}
