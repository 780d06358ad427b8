import AuditCore
import AuditIngest
import AuditPostgres
import AuditTesting
import Foundation
import Logging
import PostgresNIO
import Testing

/// Writes and the sequencer when the database will not take appends to the log: real
/// PostgreSQL, the log table locked by another session.
@Suite struct LogSequencerFaultTests {
    @Test(
        "PostgreSQL: while the log is locked a write fails as unavailable within its timeout and stores nothing; after, it is stored and logged",
        .enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
    func writesWaitForALockedLog() async throws {
        try await PostgresHarness.run { harness in
            let now = AuditTimestamp.now()
            let events = try (0..<10).map {
                try EventFactory.event(correlationID: "rr-locked-write-\($0 % 2)", at: now.adding(microseconds: Int64($0)))
            }
            var configuration = try PostgresStoreConfiguration(url: harness.database.url)
            configuration.operationTimeout = .seconds(3)
            configuration.connectionLeaseTimeout = .seconds(10)
            let store = PostgresStore(configuration: configuration, logger: Logger(label: "test.locked-log-store"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                try await harness.withLogLocked {
                    let started = ContinuousClock.now
                    do throws(AuditError) {
                        _ = try await store.write([EventBatch(events: events)])
                        Issue.record("a write must not be stored unlogged")
                    } catch {
                        #expect(error.code == .unavailable && error.detail.contains("did not answer within 3.0 seconds"), "\(error.detail)")
                    }
                    #expect(ContinuousClock.now - started < .seconds(10))
                    for event in events {
                        let stored = try await harness.store.event(id: event.id)
                        #expect(stored == nil, "rolled back: nothing stored")
                    }
                }
            }
            // The server aborts a statement left waiting (statement_timeout), and its locks with it:
            // the same write is then stored (by a store with the usual timeout, which outwaits that).
            let results = try await harness.store.write([EventBatch(events: events)])
            #expect(results.allSatisfy { (try? $0.get()) != nil })
            #expect(try await harness.store.logStatus() == (10, 0), "stored and logged at once")
            _ = try await harness.store.signCheckpoint(with: TestSigning.key, now: .now())
            let report = try await harness.store.verifyLog(trustedKeys: [TestSigning.key.verifier])
            #expect(report.isValid && report.eventsChecked == 10, "\(report.problems)")
        }
    }

    @Test(
        "PostgreSQL: while the log is locked the sequencer fails, says so once, and catches up after; verify then passes",
        .enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
    func catchesUpAfterALockedLog() async throws {
        let records = LogRecords()
        try await PostgresHarness.run { harness in
            let now = AuditTimestamp.now()
            let events = try (0..<40).map {
                try EventFactory.event(correlationID: "rr-locked-log-\($0 % 4)", at: now.adding(microseconds: Int64($0)))
            }
            // Stored without a log position and queued for the sequencer, as events stored before
            // the log existed are by its migration.
            try await harness.withUncommittedWrite(of: events) { commit in try await commit() }
            try await harness.execute(
                """
                INSERT INTO auditledger_log_pending (insert_seq, event_id, event_date, correlation_id)
                SELECT insert_seq, event_id, event_date, correlation_id FROM audit_events WHERE correlation_id LIKE 'rr-locked-log-%'
                """)
            // The sequencer's own store gives up on the database after 3 s (the test's store waits the usual 10 s).
            var configuration = try PostgresStoreConfiguration(url: harness.database.url)
            configuration.operationTimeout = .seconds(3)
            configuration.connectionLeaseTimeout = .seconds(10)
            configuration.client.options.maximumConnections = 2
            let store = PostgresStore(configuration: configuration, logger: Logger(label: "test.sequencer-store"))
            let logger = Logger(label: "test.sequencer") { _ in RecordingLogHandler(records: records) }
            let sequencer = LogSequencer(
                store: store, configuration: .init(interval: .milliseconds(50), idleInterval: .milliseconds(200)), logger: logger)
            let seen = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                group.addTask { try await sequencer.run() }
                try await harness.withLogLocked {
                    try await Task.sleep(for: .seconds(6))
                    #expect(try await harness.store.logStatus() == (0, 40), "nothing appended while the log is locked")
                }
                // Logged, and said so: the notice follows the step's commit, so wait for both.
                func recovered() -> Bool { records.all.contains { $0.message == "the log sequencer is appending again" } }
                var status = try await harness.store.logStatus()
                for _ in 0..<150 where status.pending > 0 || !recovered() {
                    try await Task.sleep(for: .milliseconds(100))
                    status = try await harness.store.logStatus()
                }
                #expect(status == (40, 0), "every event logged once the lock is gone")
                // What it said while running (its last step, cancelled here, says that too).
                let seen = records.all
                group.cancelAll()
                return seen
            }
            // Said once while it lasts, not once a step: between two warnings there is always a
            // recovery (a loaded machine may add a failure of its own before or after the lock).
            var warned = false
            var repeated = 0
            for record in seen {
                if record.level == .warning && record.message.hasPrefix("the log sequencer could not append") {
                    if warned { repeated += 1 }
                    warned = true
                } else if record.message == "the log sequencer is appending again" {
                    warned = false
                }
            }
            #expect(repeated == 0, "\(seen.filter { $0.level >= .notice }.map { "\($0.message) \($0.metadata)" })")
            #expect(
                seen.contains { $0.level == .warning && "\($0.metadata["error"] ?? "")".contains("did not answer within 3.0 seconds") },
                "the locked log made a step time out")
            #expect(seen.contains { $0.message == "the log sequencer is appending again" })
            let entries = try await harness.store.logEntries(eventIDs: events.map(\.id))
            #expect(Set(entries.map(\.position)) == Set(0..<40))
            _ = try await harness.store.signCheckpoint(with: TestSigning.key, now: .now())
            let report = try await harness.store.verifyLog(trustedKeys: [TestSigning.key.verifier])
            #expect(report.isValid && report.eventsChecked == 40, "\(report.problems)")
        }
    }
}
