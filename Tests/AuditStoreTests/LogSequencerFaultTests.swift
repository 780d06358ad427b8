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
                    for start in stride(from: 0, to: events.count, by: 10) { try await harness.writeSucceeding(Array(events[start..<start + 10])) }
                    try await Task.sleep(for: .seconds(6))
                    #expect(try await harness.store.logStatus() == (0, 40), "stored and acknowledged; nothing appended while the log is locked")
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
