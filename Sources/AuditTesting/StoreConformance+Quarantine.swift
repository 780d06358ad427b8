import AuditCore
import Testing

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension StoreConformance {
    static var quarantineChecks: [ConformanceCheck] {
        [
            ConformanceCheck("keeps quarantined events exactly, once per set of events, append-only but for one resolution") { harness in
                let now = AuditTimestamp.now()
                let exact = JSONObject([
                    .init(key: "n", value: .number("12345678901234567890")), .init(key: "\u{e9}", value: .string("é")),
                    .init(key: "e\u{301}", value: .number("0.1000000000000000055511151231257827")),
                ])
                let events = try (0..<2).map { index in
                    try EventFactory.event(correlationID: "rr-quarantine", at: now.adding(seconds: Int64(index)), parentID: UUID(), data: exact)
                }
                let entry = QuarantineEntry(
                    events: events, reason: "validation-error", detail: "event at index 0: parent_event_id: no stored event has the id x",
                    requestID: "req-1", receivedAt: now.adding(seconds: -60), quarantinedAt: now, origin: "replay")
                let other = QuarantineEntry(
                    events: [try EventFactory.event(correlationID: "rr-quarantine-2", at: now)], reason: "store-refused", detail: "d",
                    requestID: nil, receivedAt: nil, quarantinedAt: now, origin: "spool-rejected")
                try await harness.store.quarantine([entry])
                try await harness.store.quarantine([entry, other])  // a replay after a crash quarantines again
                #expect(try await harness.store.quarantineCounts() == QuarantineCounts(records: 2, events: 3))

                let (records, total) = try await harness.store.quarantinedRecords(includeResolved: false, limit: 10, offset: 0)
                #expect(total == 2)
                let first = try #require(records.first)
                #expect(first.entry == entry, "every field and every byte of the events comes back")
                #expect(first.entry.events.map { $0.eventData.json } == events.map { $0.eventData.json })
                #expect(records.last?.entry == other)
                #expect(try await harness.store.quarantinedRecords(includeResolved: false, limit: 1, offset: 1).records.map(\.id) == [records[1].id])

                try await harness.store.resolveQuarantined(id: first.id, resolution: "stored by quarantine retry", at: now.adding(seconds: 5))
                #expect(try await harness.store.quarantineCounts() == QuarantineCounts(records: 1, events: 1))
                #expect(try await harness.store.quarantinedRecords(includeResolved: false, limit: 10, offset: 0).records.map(\.id) == [records[1].id])
                let all = try await harness.store.quarantinedRecords(includeResolved: true, limit: 10, offset: 0).records
                #expect(all.first?.resolution == "stored by quarantine retry")
                #expect(all.first?.resolvedAt == now.adding(seconds: 5))
                do throws(AuditError) {
                    try await harness.store.resolveQuarantined(id: first.id, resolution: "again", at: now)
                    Issue.record("a resolved record is not resolved twice")
                } catch {
                    #expect(error.code == .notFound)
                }
                for change in harness.directQuarantineChanges(id: first.id) {
                    #expect(await change.attempt() == .refused, "\(change.description) must be refused by the database")
                }
                #expect(try await harness.store.quarantinedRecords(includeResolved: true, limit: 10, offset: 0).records == all)
            }
        ]
    }
}
