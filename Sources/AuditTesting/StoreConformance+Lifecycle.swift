import AuditCore
import AuditMaintenance
import Foundation
import Logging
import Testing

extension StoreConformance {
    static var lifecycleChecks: [ConformanceCheck] {
        [
            ConformanceCheck("places a legal hold on a correlation id's events, holds later ones too, and releases them") { harness in
                let now = AuditTimestamp.now()
                let first = try EventFactory.event(correlationID: "rr-held", at: now.adding(seconds: -20))
                let other = try EventFactory.event(correlationID: "rr-free", at: now.adding(seconds: -19))
                try await harness.writeSucceeding([first, other])
                let hold = try await harness.store.placeHold(correlationID: "rr-held", reason: "litigation 42", placedBy: "alice", at: now)
                #expect(hold.eventsAffected == 1)
                let later = try EventFactory.event(correlationID: "rr-held", at: now.adding(seconds: -1))
                try await harness.writeSucceeding([later])
                let active = try await harness.store.activeHolds()
                #expect(active.map(\.correlationID) == ["rr-held"])
                #expect(active.first?.eventsAffected == 2, "an event written during the hold is held too")
                #expect(active.first?.placedBy == "alice")
                let month = now.utcDate.month
                #expect(try await harness.store.monthFacts().first { $0.month == month }?.heldEvents == 2)

                do throws(AuditError) {
                    _ = try await harness.store.placeHold(correlationID: "rr-nothing", reason: "x", placedBy: "alice", at: now)
                    Issue.record("a hold on a correlation id without events must be refused")
                } catch {
                    #expect(error.code == .notFound)
                }
                let release = try await harness.store.releaseHolds(correlationID: "rr-held", reason: "case closed", releasedBy: "bob", at: now)
                #expect(release.eventsReleased == 2)
                #expect(try await harness.store.activeHolds().isEmpty)
                #expect(try await harness.store.monthFacts().first { $0.month == month }?.heldEvents == 0)
                do throws(AuditError) {
                    _ = try await harness.store.releaseHolds(correlationID: "rr-held", reason: "again", releasedBy: "bob", at: now)
                    Issue.record("releasing twice must be refused")
                } catch {
                    #expect(error.code == .notFound)
                }
            },

            ConformanceCheck("retention removes exactly the months past retention, keeps held and referenced ones, and logs each removal") {
                harness in
                let current = AuditTimestamp.now().utcDate.month
                func at(_ monthsBack: Int, _ seconds: Int64 = 3600) -> AuditTimestamp {
                    current.adding(months: -monthsBack).firstDay.startOfDay.adding(seconds: seconds)
                }
                let short: [String: JSONValue] = ["retention_days": .number("1")]
                // -6: expired but held; -5: expired, parent of an event in -4; -4: kept by one long-lived event;
                // -3: expired but its category's policy keeps it; -2: expired (removed); -1: expired (removed).
                let held = try EventFactory.event(correlationID: "rr-hold-me", at: at(6), fields: short)
                let parent = try EventFactory.event(correlationID: "rr-chain", at: at(5), fields: short)
                let child = try EventFactory.event(correlationID: "rr-chain", at: at(4), parentID: parent.id, fields: short)
                let longLived = try EventFactory.event(correlationID: "rr-long", at: at(4, 7200))
                let policed = try EventFactory.event(category: "billing", correlationID: "rr-policy", at: at(3), fields: short)
                let expired2 = try (0..<3).map { try EventFactory.event(correlationID: "rr-old-\($0)", at: at(2, Int64(3600 + $0)), fields: short) }
                let expired1 = try EventFactory.event(correlationID: "rr-old-1", at: at(1), fields: short)
                try await harness.writeSucceeding([held, parent, child, longLived, policed] + expired2 + [expired1])
                try await harness.store.setRetentionPolicy(RetentionPolicy(category: "billing", days: 2555))
                _ = try await harness.store.placeHold(correlationID: "rr-hold-me", reason: "audit", placedBy: "carol", at: .now())

                let archive = NSTemporaryDirectory() + "auditledger-archive-" + UUID().uuidString
                defer { try? FileManager.default.removeItem(atPath: archive) }
                let runner = RetentionRunner(
                    store: harness.store, archiveDirectory: archive, triggeredBy: "test", signer: TestSigning.key,
                    logger: Logger(label: "test.retention"))
                let plan = try await runner.plan(now: .now())
                func state(_ monthsBack: Int) -> MonthState? { plan.first { $0.month == current.adding(months: -monthsBack) }?.state }
                #expect(state(6) == .held)
                #expect(state(5) == .blocked)
                #expect(state(4) == .kept)
                #expect(state(3) == .kept)
                #expect(state(2) == .eligible)
                #expect(state(1) == .eligible)
                #expect(state(0) == .kept)

                let dryRun = try await runner.run(now: .now(), dryRun: true)
                #expect(dryRun.removed.isEmpty)
                #expect(try await harness.storageMonths().contains(current.adding(months: -2)))

                let outcome = try await runner.run(now: .now(), dryRun: false)
                #expect(outcome.failed.isEmpty, "\(outcome.failed.map(\.error.detail))")
                #expect(outcome.removed.map(\.manifest.month) == [current.adding(months: -1), current.adding(months: -2)])
                let storage = try await harness.storageMonths()
                for removed in [1, 2] { #expect(!storage.contains(current.adding(months: -removed))) }
                for kept in [0, 3, 4, 5, 6] { #expect(storage.contains(current.adding(months: -kept))) }
                for event in expired2 + [expired1] { #expect(try await harness.rowCount(eventID: event.id) == 0) }
                #expect(try await harness.rowCount(eventID: held.id) == 1)
                #expect(outcome.removed.first { $0.manifest.month == current.adding(months: -2) }?.manifest.rowCount == 3)

                let log = try await harness.store.lifecycleLog(limit: 10).filter { $0.kind == .retention }
                #expect(Set(log.compactMap(\.month)) == [current.adding(months: -1), current.adding(months: -2)])
                #expect(log.allSatisfy { $0.outcome == "ok" && $0.archiveSHA256?.count == 64 && $0.triggeredBy == "test" })

                // Releasing the hold lets the next run remove that month.
                _ = try await harness.store.releaseHolds(correlationID: "rr-hold-me", reason: "closed", releasedBy: "carol", at: .now())
                let next = try await runner.run(now: .now(), dryRun: false)
                #expect(next.removed.map(\.manifest.month) == [current.adding(months: -6)])
                #expect(try await harness.rowCount(eventID: held.id) == 0)
            },

            ConformanceCheck("an archive restores its month exactly, retention keeps it 30 days, and a flipped byte is refused") { harness in
                let now = AuditTimestamp.now()
                let month = now.utcDate.month.adding(months: -2)
                let events = try (0..<25).map { index in
                    var event = try EventFactory.event(
                        correlationID: "rr-restore", at: month.firstDay.startOfDay.adding(seconds: Int64(3600 + index)),
                        fields: ["retention_days": .number("1"), "namespace": .string("ns-\(index % 3)"), "actor_ip": .string("10.0.0.\(index)")],
                        data: JSONObject([.init(key: "n", value: .number("12345678901234567890")), .init(key: "i", value: .number("\(index)"))])
                    )
                    event.writtenBy = index % 2 == 0 ? "writer-\(index % 3)" : nil
                    return event
                }
                try await harness.writeSucceeding(events)
                var query = EventQuery(limit: 100, order: .ascending)
                query.filters.correlationID = "rr-restore"
                let before = try await harness.store.events(matching: query).events

                let archive = NSTemporaryDirectory() + "auditledger-archive-" + UUID().uuidString
                defer { try? FileManager.default.removeItem(atPath: archive) }
                let outcome = try await RetentionRunner(
                    store: harness.store, archiveDirectory: archive, triggeredBy: "test", signer: TestSigning.key, logger: Logger(label: "test")
                )
                .run(now: now, dryRun: false)
                let written = try #require(outcome.removed.first { $0.manifest.month == month })
                #expect(try await harness.store.events(matching: query).total == 0)

                let restorer = ArchiveRestorer(store: harness.store, triggeredBy: "test", logger: Logger(label: "test"))
                let manifest = try await restorer.restore(written.manifestPath, now: now)
                #expect(manifest.rowCount == 25)
                let after = try await harness.store.events(matching: query).events
                #expect(after.count == before.count)
                for (original, restored) in zip(before, after) {
                    #expect(restored.insertSequence == original.insertSequence)
                    #expect(restored.event.hasSameContent(as: original.event))
                    #expect(restored.event.actorIP == original.event.actorIP)
                    #expect(restored.event.writtenBy == original.event.writtenBy)
                }
                let restoreRecord = try #require(try await harness.store.lifecycleLog(limit: 1).first)
                #expect(restoreRecord.kind == .restore && restoreRecord.month == month && restoreRecord.archiveSHA256 == manifest.sha256)

                // Kept for the investigation, then removable again.
                let kept = try await harness.store.monthReports(now: now).first { $0.month == month }
                #expect(kept?.state == .kept)
                #expect(kept?.reason.hasPrefix("restored from its archive") == true)
                let later = try await harness.store.monthReports(now: now.adding(seconds: 31 * 86_400)).first { $0.month == month }
                #expect(later?.state == .eligible)

                do throws(AuditError) {
                    try await restorer.restore(written.manifestPath, now: now)
                    Issue.record("restoring into a month that is not empty must be refused")
                } catch {
                    #expect(error.code == .conflict)
                    #expect(error.detail.contains("is not empty"))
                }

                var bytes = try #require(FileManager.default.contents(atPath: written.archivePath))
                bytes[bytes.count / 2] ^= 0x01
                try bytes.write(to: URL(fileURLWithPath: written.archivePath))
                do throws(AuditError) {
                    try await restorer.restore(written.manifestPath, now: now)
                    Issue.record("a tampered archive must be refused")
                } catch {
                    #expect(error.code == .conflict)
                    #expect(error.detail.contains("does not match its manifest"))
                }
            },

            ConformanceCheck(heldMonthRefusedByTheDatabase) { harness in
                let month = AuditTimestamp.now().utcDate.month.adding(months: -5)
                let event = try EventFactory.event(correlationID: "rr-outside", at: month.firstDay.startOfDay.adding(seconds: 60))
                try await harness.writeSucceeding([event])
                _ = try await harness.store.placeHold(correlationID: "rr-outside", reason: "evidence", placedBy: "erin", at: .now())
                let removals = harness.directMonthRemovals(month)
                #expect(!removals.isEmpty)
                for removal in removals {
                    let outcome = await removal.attempt()
                    #expect(outcome == .refused, "\(removal)")
                }
                #expect(try await harness.rowCount(eventID: event.id) == 1)
                #expect(try await harness.storageMonths().contains(month))
            },

            ConformanceCheck("refuses to remove a month that is held or whose rows changed") { harness in
                let month = AuditTimestamp.now().utcDate.month.adding(months: -3)
                let event = try EventFactory.event(correlationID: "rr-guard", at: month.firstDay.startOfDay.adding(seconds: 60))
                try await harness.writeSucceeding([event])
                for expected: Int64 in [0, 2] {
                    do throws(AuditError) {
                        try await harness.store.removeMonth(month, expectedRows: expected)
                        Issue.record("removing with a wrong row count must be refused")
                    } catch {
                        #expect(error.code == .conflict)
                    }
                }
                _ = try await harness.store.placeHold(correlationID: "rr-guard", reason: "keep", placedBy: "dave", at: .now())
                do throws(AuditError) {
                    try await harness.store.removeMonth(month, expectedRows: 1)
                    Issue.record("removing a held month must be refused")
                } catch {
                    #expect(error.code == .conflict)
                }
                #expect(try await harness.rowCount(eventID: event.id) == 1)
            },

            ConformanceCheck("maintenance creates the months ahead across a year boundary; two runners at once do not collide") { harness in
                let november = try #require(AuditTimestamp(rfc3339: "2031-11-15T12:00:00Z"))
                let service = MaintenanceService(
                    store: harness.store, configuration: .init(monthsAhead: 3, clock: { november }), logger: Logger(label: "test.maintenance")
                )
                async let first = service.runOnce(triggeredBy: "test-a")
                async let second = service.runOnce(triggeredBy: "test-b")
                let reports = try await [first, second]
                #expect(reports.compactMap { $0 }.count >= 1, "at least one run goes through; the other may be skipped")
                let expected = november.utcDate.month.through(november.utcDate.month.adding(months: 3))
                #expect(expected.map(\.description) == ["2031-11", "2031-12", "2032-01", "2032-02"])
                let storage = try await harness.storageMonths()
                #expect(Set(expected).isSubset(of: Set(storage)))
                #expect(try await service.runOnce(triggeredBy: "test-c")?.created.isEmpty == true, "a second run creates nothing")
                let runs = try await harness.store.lifecycleLog(limit: 10).filter { $0.kind == .maintenance }
                #expect(runs.count >= 2)
                #expect(runs.allSatisfy { $0.outcome == "ok" })
            },

            ConformanceCheck("writes keep succeeding while a month is archived and removed") { harness in
                let old = AuditTimestamp.now().utcDate.month.adding(months: -4)
                let bulk = try (0..<2000).map { index in
                    try EventFactory.event(
                        correlationID: "rr-bulk-\(index % 50)", at: old.firstDay.startOfDay.adding(seconds: Int64(60 + index)),
                        fields: ["retention_days": .number("1")]
                    )
                }
                for start in stride(from: 0, to: bulk.count, by: 500) { try await harness.writeSucceeding(Array(bulk[start..<start + 500])) }
                let archive = NSTemporaryDirectory() + "auditledger-archive-" + UUID().uuidString
                defer { try? FileManager.default.removeItem(atPath: archive) }
                let runner = RetentionRunner(
                    store: harness.store, archiveDirectory: archive, triggeredBy: "test", signer: TestSigning.key, logger: Logger(label: "test"))
                let (outcome, written) = try await withThrowingTaskGroup(of: (RetentionRunner.Outcome?, Int).self) { group in
                    group.addTask { (try await runner.run(now: .now(), dryRun: false), 0) }
                    group.addTask {
                        var stored = 0
                        for round in 0..<40 {
                            let event = try EventFactory.event(correlationID: "rr-live", at: AuditTimestamp.now().adding(microseconds: Int64(round)))
                            if case .success = try await harness.write([event]) { stored += 1 }
                        }
                        return (nil, stored)
                    }
                    var outcome: RetentionRunner.Outcome?
                    var written = 0
                    for try await (result, count) in group {
                        if let result { outcome = result }
                        written += count
                    }
                    return (outcome, written)
                }
                #expect(written == 40, "every write during the removal succeeded")
                #expect(outcome?.removed.map(\.manifest.month) == [old])
                #expect(outcome?.removed.first?.manifest.rowCount == 2000)
            },

            ConformanceCheck("exports a month in commit order, at most 1,000 events a chunk, each event once") { harness in
                let month = AuditTimestamp.now().utcDate.month.adding(months: -3)
                let events = try (0..<2300).map { index in
                    // Later writes carry earlier times: commit order is not time order.
                    try EventFactory.event(
                        correlationID: "rr-export-\(index % 7)", at: month.firstDay.startOfDay.adding(seconds: Int64(7200 - index)))
                }
                for start in stride(from: 0, to: events.count, by: 460) { try await harness.writeSucceeding(Array(events[start..<start + 460])) }
                var exported: [[StoredAuditEvent]] = []
                let total = try await harness.store.exportMonth(month) { exported.append($0) }
                #expect(total == 2300)
                #expect(exported.map(\.count) == [1000, 1000, 300])
                let sequences = exported.flatMap { $0.map(\.insertSequence) }
                #expect(sequences == sequences.sorted() && Set(sequences).count == 2300, "commit order, each event once")
                #expect(exported.flatMap { $0.map(\.event.id) } == events.map(\.id), "written in this order, read back in it")
            },
        ]
    }
}
