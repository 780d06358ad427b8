import AuditCore
import AuditMaintenance
import Foundation
import Logging
import Testing

extension StoreConformance {
    static var logChecks: [ConformanceCheck] {
        [
            ConformanceCheck("logs every committed event once, in order, each linked to its correlation's previous one") { harness in
                let now = AuditTimestamp.now()
                let events = try (0..<6).map { index in
                    try EventFactory.event(correlationID: index % 2 == 0 ? "rr-log-a" : "rr-log-b", at: now.adding(seconds: Int64(index)))
                }
                try await harness.writeSucceeding(Array(events[0..<4]))
                try await harness.writeSucceeding(Array(events[4...]))
                #expect(try await harness.store.logStatus().pending == 6)
                let append = try await harness.store.appendPendingToLog(limit: 4, now: now)
                #expect(append.sequenced && append.appended == 4 && append.size == 4)
                #expect(try await harness.store.appendPendingToLog(limit: 100, now: now).appended == 2)
                #expect(try await harness.store.appendPendingToLog(limit: 100, now: now).appended == 0)
                #expect(try await harness.store.logStatus() == (6, 0))
                // A retry of a stored event is not queued again.
                try await harness.writeSucceeding([events[0]])
                #expect(try await harness.store.logStatus() == (6, 0))

                for correlation in ["rr-log-a", "rr-log-b"] {
                    let entries = try await harness.store.logEntries(correlationID: correlation)
                    let sent = events.filter { $0.correlationID == correlation }
                    #expect(entries.map(\.eventID) == sent.map(\.id), "commit order, which here is insert order")
                    #expect(entries.first?.previousEventHash == nil)
                    for (previous, entry) in zip(entries, entries.dropFirst()) {
                        #expect(entry.previousEventHash == previous.eventHash && entry.position > previous.position)
                    }
                    for entry in entries {
                        let stored = try #require(try await harness.store.event(id: entry.eventID))
                        #expect(entry.eventHash == stored.eventHash)
                        #expect(entry.leafHash == EventDigest.leafHash(ofEncoding: try stored.event.canonicalEncoding()))
                        #expect(entry.eventDate == stored.event.date)
                    }
                }
                let all = try await harness.store.logEntries(eventIDs: events.map(\.id))
                #expect(all.map(\.position) == Array(0..<6))
            },

            ConformanceCheck("verify-chain: intact chains pass; a changed, deleted or forged event, or a changed hash, is named") { harness in
                let now = AuditTimestamp.now()
                func chain(_ correlation: String, _ count: Int) throws -> [AuditEvent] {
                    try (0..<count).map { try EventFactory.event(correlationID: correlation, at: now.adding(seconds: Int64($0 - 60))) }
                }
                let intact = try chain("rr-intact", 3)
                let changed = try chain("rr-changed", 3)
                let deleted = try chain("rr-deleted", 3)
                let forged = try chain("rr-forged", 2)
                let rehashed = try chain("rr-rehashed", 2)
                try await harness.writeSucceeding(intact + changed + deleted + forged + rehashed)
                _ = try await harness.store.appendPendingToLog(limit: 1000, now: now)
                let late = try EventFactory.event(correlationID: "rr-intact", at: now)
                try await harness.writeSucceeding([late])

                let ok = try await harness.store.verifyChain(correlationID: "rr-intact", now: now)
                #expect(ok.isValid && ok.totalEvents == 4 && ok.verifiedEvents == 3 && ok.pendingEvents == 1, "\(ok.message)")
                let none = try await harness.store.verifyChain(correlationID: "rr-nothing", now: now)
                #expect(none.isValid && none.totalEvents == 0)

                try await harness.tamper(.update(eventID: changed[1].id, column: "error_message", expression: "'all fine'"))
                let afterChange = try await harness.store.verifyChain(correlationID: "rr-changed", now: now)
                #expect(!afterChange.isValid && afterChange.verifiedEvents == 2)
                let named = try #require(afterChange.tampered.first)
                #expect(afterChange.tampered.count == 1 && named.eventID == changed[1].id && named.message.contains("changed"))
                #expect(named.expectedHash == (try changed[1].eventHash()) && named.actualHash != named.expectedHash)

                try await harness.tamper(.delete(eventID: deleted[2].id))
                let afterDelete = try await harness.store.verifyChain(correlationID: "rr-deleted", now: now)
                #expect(!afterDelete.isValid && afterDelete.tampered.map(\.eventID) == [deleted[2].id])
                #expect(afterDelete.tampered.first?.message.contains("deleted") == true)

                let forgery = UUID()
                try await harness.tamper(.insertCopy(of: forged[0].id, as: forgery))
                let afterForgery = try await harness.store.verifyChain(correlationID: "rr-forged", now: now)
                #expect(!afterForgery.isValid && afterForgery.tampered.map(\.eventID) == [forgery])
                #expect(afterForgery.tampered.first?.message.contains("inserted") == true)

                try await harness.tamper(
                    .update(eventID: rehashed[0].id, column: "event_hash", expression: "'" + String(repeating: "a", count: 64) + "'"))
                let afterRehash = try await harness.store.verifyChain(correlationID: "rr-rehashed", now: now)
                #expect(!afterRehash.isValid && afterRehash.tampered.map(\.eventID) == [rehashed[0].id])

                // The tampering of one correlation raises no alarm in another.
                #expect(try await harness.store.verifyChain(correlationID: "rr-intact", now: now).isValid)
            },

            ConformanceCheck("verify-chain counts a month retention removed as removed, not deleted, and verifies it again once restored") {
                harness in
                let now = AuditTimestamp.now()
                let month = now.utcDate.month.adding(months: -3)
                let old = try (0..<3).map { index in
                    try EventFactory.event(
                        correlationID: "rr-retained", at: month.firstDay.startOfDay.adding(seconds: Int64(60 + index)),
                        fields: ["retention_days": .number("1")])
                }
                try await harness.writeSucceeding(old)
                _ = try await harness.store.appendPendingToLog(limit: 1000, now: now)
                let archive = NSTemporaryDirectory() + "auditledger-archive-" + UUID().uuidString
                defer { try? FileManager.default.removeItem(atPath: archive) }
                let outcome = try await RetentionRunner(
                    store: harness.store, archiveDirectory: archive, triggeredBy: "test", signer: TestSigning.key, logger: Logger(label: "test")
                )
                .run(now: now, dryRun: false)
                let written = try #require(outcome.removed.first { $0.manifest.month == month })
                let removed = try await harness.store.verifyChain(correlationID: "rr-retained", now: now)
                #expect(removed.isValid && removed.removedByRetention == 3 && removed.totalEvents == 0, "\(removed.message)")
                try await ArchiveRestorer(store: harness.store, triggeredBy: "test", logger: Logger(label: "test")).restore(
                    written.manifestPath, now: now)
                let restored = try await harness.store.verifyChain(correlationID: "rr-retained", now: now)
                #expect(restored.isValid && restored.verifiedEvents == 3 && restored.removedByRetention == 0, "\(restored.message)")
                #expect(try await harness.store.logStatus().pending == 0, "a restore queues nothing: the events were logged before")
            },
        ]
    }
}
