import AuditCore
import AuditSQLite
import AuditTesting
import Foundation
import Logging
import Testing

@testable import AuditIngest

/// The replayer against a real (SQLite) store.
@Suite struct ReplayerTests {
    static func records(_ batches: [EventBatch]) -> [SpoolRecord] {
        batches.map { SpoolRecord(batch: $0, requestID: "req-\($0.events[0].correlationID)", receivedAt: .now()) }
    }

    @Test("A crash between the store's commit and the spool's leaves the events to replay again: stored once all the same")
    func exactlyOnceAcrossACrash() async throws {
        let directory = SpoolTests.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await SQLiteHarness.run { harness in
            let batches = try (0..<4).map { try SpoolTests.batch(3, correlation: "rr-crash-\($0)") }
            do {
                let spool = try await SpoolTests.open(directory)
                _ = try await spool.append(Self.records(batches))
                // What a replayer does up to the crash: the store commits, the spool does not.
                let read = try await spool.read(maximumEvents: 6)
                _ = try await harness.store.write(read.entries.map(\.batch))
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

    @Test("A group the store refuses is replayed one request at a time; only the refused one goes to the quarantine, with its request id")
    func poisonedGroup() async throws {
        let directory = SpoolTests.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await SQLiteHarness.run { harness in
            try await harness.rejectInserts(ofEventType: "poison.event")
            let spool = try await SpoolTests.open(directory)
            let good = try SpoolTests.batch(2, correlation: "rr-good")
            let poison = EventBatch(events: [try EventFactory.event(type: "poison.event", correlationID: "rr-poison", at: .now())])
            let after = try SpoolTests.batch(1, correlation: "rr-after")
            _ = try await spool.append(Self.records([good, poison, after]))
            let replayer = SpoolReplayer(spool: spool, store: harness.store, logger: Logger(label: "test.replayer"))
            #expect(try await replayer.replayOnce() == 4)
            #expect(spool.isEmpty)
            for event in good.events + after.events { #expect(try await harness.rowCount(eventID: event.id) == 1) }
            #expect(try await harness.rowCount(eventID: poison.events[0].id) == 0)
            let (records, total) = try await harness.store.quarantinedRecords(includeResolved: false, limit: 10, offset: 0)
            #expect(total == 1)
            let record = try #require(records.first)
            #expect(record.entry.events.map(\.id) == poison.events.map(\.id))
            #expect(record.entry.events[0].hasSameContent(as: poison.events[0]))
            #expect(record.entry.reason == "store-refused")
            #expect(record.entry.requestID == "req-rr-poison")
            #expect(record.entry.origin == "replay")
            #expect(try await harness.store.quarantineCounts() == QuarantineCounts(records: 1, events: 1))
        }
    }

    @Test(
        "An event whose parent is unknown and an id already used for other content are quarantined, not dropped; quarantining twice keeps one record")
    func refusalsAreQuarantined() async throws {
        let directory = SpoolTests.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await SQLiteHarness.run { harness in
            let stored = try EventFactory.event(correlationID: "rr-taken", at: .now())
            _ = try await harness.store.write([EventBatch(events: [stored])])
            var reused = try EventFactory.event(correlationID: "rr-other", at: .now())
            reused.id = stored.id
            let orphan = try EventFactory.event(correlationID: "rr-orphan", at: .now(), parentID: UUID())
            let spool = try await SpoolTests.open(directory)
            let records = Self.records([EventBatch(events: [reused]), EventBatch(events: [orphan])])
            _ = try await spool.append(records)
            let replayer = SpoolReplayer(spool: spool, store: harness.store, logger: Logger(label: "test.replayer"))
            #expect(try await replayer.replayOnce() == 2)
            #expect(spool.isEmpty)
            let quarantine = try await harness.store.quarantinedRecords(includeResolved: false, limit: 10, offset: 0).records
            #expect(quarantine.map(\.entry.reason) == ["event-id-conflict", "validation-error"])
            #expect(quarantine[1].entry.detail.hasPrefix("event at index 0: parent_event_id"))
            // The same events quarantined again (a replay after a crash) are one record.
            try await harness.store.quarantine(quarantine.map(\.entry))
            #expect(try await harness.store.quarantineCounts().records == 2)
        }
    }

    @Test("While the store cannot answer nothing is taken out of the spool, and nothing is quarantined")
    func unavailable() async throws {
        let directory = SpoolTests.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await SQLiteHarness.run(configure: { $0.busyTimeoutSeconds = 0.2 }) { harness in
            let spool = try await SpoolTests.open(directory)
            _ = try await spool.append(Self.records([try SpoolTests.batch(2, correlation: "rr-wait")]))
            let replayer = SpoolReplayer(spool: spool, store: harness.store, logger: Logger(label: "test.replayer"))
            try await harness.withWritesBlocked {
                for _ in 0..<3 {
                    do throws(AuditError) {
                        try await replayer.replayOnce()
                        Issue.record("a blocked store must fail the replay")
                    } catch {
                        #expect(error.code == .unavailable)
                    }
                }
            }
            #expect(spool.status.events == 2)
            #expect(try await harness.store.quarantineCounts().records == 0)
            #expect(try await replayer.replayOnce() == 2)
        }
    }
}
