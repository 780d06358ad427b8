import AuditCore
import AuditIngest
import AuditPostgres
import AuditTesting
import Foundation
import Logging
import PostgresNIO
import Testing

/// The sequencer when the database will not take its appends: real PostgreSQL, the log table
/// locked by another session.
@Suite struct LogSequencerFaultTests {
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
            // The sequencer's own store gives up on the database after 2 s (the test's store waits the usual 10 s).
            var configuration = try PostgresStoreConfiguration(url: harness.database.url)
            configuration.operationTimeout = .seconds(2)
            configuration.client.options.maximumConnections = 2
            let store = PostgresStore(configuration: configuration, logger: Logger(label: "test.sequencer-store"))
            let logger = Logger(label: "test.sequencer") { _ in RecordingLogHandler(records: records) }
            let sequencer = LogSequencer(
                store: store, configuration: .init(interval: .milliseconds(50), idleInterval: .milliseconds(200)), logger: logger)
            let seen = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                group.addTask { try await sequencer.run() }
                try await harness.withLogLocked {
                    for start in stride(from: 0, to: events.count, by: 10) { try await harness.writeSucceeding(Array(events[start..<start + 10])) }
                    try await Task.sleep(for: .seconds(5))
                    #expect(try await harness.store.logStatus() == (0, 40), "stored and acknowledged; nothing appended while the log is locked")
                }
                var status = try await harness.store.logStatus()
                for _ in 0..<150 where status.pending > 0 {
                    try await Task.sleep(for: .milliseconds(100))
                    status = try await harness.store.logStatus()
                }
                #expect(status == (40, 0), "every event logged once the lock is gone")
                // What it said while running (its last step, cancelled here, says that too).
                let seen = records.all
                group.cancelAll()
                return seen
            }
            let warnings = seen.filter { $0.level == .warning && $0.message.hasPrefix("the log sequencer could not append") }
            #expect(warnings.count == 1, "said once while it lasts, not once a step: \(warnings.map(\.metadata))")
            #expect(seen.contains { $0.message == "the log sequencer is appending again" })
            let entries = try await harness.store.logEntries(eventIDs: events.map(\.id))
            #expect(Set(entries.map(\.position)) == Set(0..<40))
            _ = try await harness.store.signCheckpoint(with: TestSigning.key, now: .now())
            let report = try await harness.store.verifyLog(trustedKeys: [TestSigning.key.verifier])
            #expect(report.isValid && report.eventsChecked == 40, "\(report.problems)")
        }
    }
}
