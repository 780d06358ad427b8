import AuditCore
import AuditSQLite
import AuditTesting
import Foundation
import Logging
import Testing

@testable import AuditSpool

/// The replayer against a real (SQLite) store.
@Suite struct ReplayerTests {
    @Test("A crash between the store's commit and the spool's leaves the events to replay again: stored once all the same")
    func exactlyOnceAcrossACrash() async throws {
        let directory = SpoolTests.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await SQLiteHarness.run { harness in
            let batches = try (0..<4).map { try SpoolTests.batch(3, correlation: "rr-crash-\($0)") }
            do {
                let spool = try await SpoolTests.open(directory)
                try await spool.append(batches)
                // What a replayer does up to the crash: the store commits, the spool does not.
                let entries = try await spool.read(maximumEvents: 6)
                _ = try await harness.store.write(entries.map(\.batch))
            }
            let spool = try await SpoolTests.open(directory)
            #expect(spool.status.events == 12, "nothing was committed in the spool")
            let replayer = SpoolReplayer(spool: spool, store: harness.store, logger: Logger(label: "test.replayer"))
            while try await replayer.replayOnce() > 0 {}
            #expect(spool.isEmpty)
            for event in batches.flatMap(\.events) {
                #expect(try await harness.rowCount(eventID: event.id) == 1)
            }
        }
    }

    @Test("A group whose transaction fails is replayed one request at a time; only the bad one is set aside")
    func poisonedGroup() async throws {
        let directory = SpoolTests.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await SQLiteHarness.run { harness in
            try await harness.rejectInserts(ofEventType: "poison.event")
            let spool = try await SpoolTests.open(directory)
            let good = try SpoolTests.batch(2, correlation: "rr-good")
            let poison = EventBatch(
                events: [try EventFactory.event(type: "poison.event", correlationID: "rr-poison", at: .now())], reportsIndex: false)
            try await spool.append([good, poison])
            let replayer = SpoolReplayer(spool: spool, store: harness.store, logger: Logger(label: "test.replayer"))
            #expect(try await replayer.replayOnce() == 3)
            #expect(spool.isEmpty)
            #expect(spool.status.rejectedRecords == 1)
            for event in good.events { #expect(try await harness.rowCount(eventID: event.id) == 1) }
            #expect(try await harness.rowCount(eventID: poison.events[0].id) == 0)
        }
    }

    @Test("While the store is unavailable nothing is taken out of the spool")
    func unavailable() async throws {
        let directory = SpoolTests.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await SQLiteHarness.run(configure: { $0.busyTimeoutSeconds = 0.2 }) { harness in
            let spool = try await SpoolTests.open(directory)
            try await spool.append([try SpoolTests.batch(2, correlation: "rr-wait")])
            let replayer = SpoolReplayer(spool: spool, store: harness.store, logger: Logger(label: "test.replayer"))
            try await harness.withWritesBlocked {
                do throws(AuditError) {
                    try await replayer.replayOnce()
                    Issue.record("a blocked store must fail the replay")
                } catch {
                    #expect(error.code == .unavailable)
                }
            }
            #expect(spool.status.events == 2)
            #expect(try await replayer.replayOnce() == 2)
        }
    }
}
