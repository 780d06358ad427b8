import AuditCore
import Foundation
import Testing

/// The tamper matrix: each change made behind the store's back, as the database superuser or
/// the file's owner can, must be named by a full verification (`auditledger verify`) and by a
/// verifier that checked everything before (the background verifier's next cycle).
extension StoreConformance {
    /// A store with 317 logged events in three correlations and checkpoints at 0, 300 and 317.
    struct TamperScene {
        let key: NoteSignerKey
        let events: [AuditEvent]
        /// A verifier that checked the whole log before the change.
        var auditor: LogAuditor

        static func make(_ harness: any StoreHarness) async throws -> TamperScene {
            let store = harness.store
            let key = NoteSignerKey.generate(name: "tamper.example/log")
            let now = AuditTimestamp.now()
            let correlations = ["rr-t-a", "rr-t-b", "rr-t-c"]
            let events = try (0..<317).map { try EventFactory.event(correlationID: correlations[$0 % 3], at: now.adding(seconds: Int64(-$0 % 60))) }
            _ = try await store.signCheckpoint(with: key, now: now)
            try await harness.writeSucceeding(Array(events[..<300]))
            while try await store.appendPendingToLog(limit: 1000, now: now).appended > 0 {}
            _ = try await store.signCheckpoint(with: key, now: now)
            try await harness.writeSucceeding(Array(events[300...]))
            while try await store.appendPendingToLog(limit: 1000, now: now).appended > 0 {}
            _ = try await store.signCheckpoint(with: key, now: now)
            let clean = try await store.verifyLog(trustedKeys: [key.verifier])
            #expect(clean.isValid, "before any change: \(clean.problems)")
            #expect(clean.eventsChecked == 317 && clean.checkpointsChecked == 3 && clean.treeSize == 317)
            var auditor = LogAuditor(trustedKeys: [key.verifier])
            try await auditor.advance(in: store, to: 317, removed: [])
            #expect(auditor.report.isValid)
            return TamperScene(key: key, events: events, auditor: auditor)
        }

        /// Both verifications after the change: each must report a problem `expected` accepts.
        mutating func expectDetected(
            in harness: any StoreHarness, _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
            _ expected: @escaping (LogProblem) -> Bool
        ) async throws {
            let full = try await harness.store.verifyLog(trustedKeys: [key.verifier])
            #expect(full.problems.contains(where: expected), "verify must name \(what): \(full.problems)", sourceLocation: sourceLocation)
            let before = auditor.report.problemCount
            let size = try await harness.store.logStatus().size
            try await auditor.advance(in: harness.store, to: size, removed: [])
            try await auditor.recheck(in: harness.store, positions: 0..<Int64.max, removed: [])
            try await auditor.checkUnlogged(in: harness.store)
            let found = auditor.report.problems.dropFirst(before)
            #expect(found.contains(where: expected), "the background verifier must name \(what): \(Array(found))", sourceLocation: sourceLocation)
        }
    }

    static func tamperCheck(
        _ name: String, _ body: @escaping @Sendable (any StoreHarness, inout TamperScene) async throws -> Void
    ) -> ConformanceCheck {
        ConformanceCheck("tampering is detected: \(name)") { harness in
            var scene = try await TamperScene.make(harness)
            try await body(harness, &scene)
        }
    }

    static var tamperChecks: [ConformanceCheck] {
        [
            tamperCheck("one column of one event changed") { harness, scene in
                let target = scene.events[123]
                try await harness.tamper(.update(eventID: target.id, column: "actor_id", expression: "'mallory'"))
                try await scene.expectDetected(in: harness, "the changed event") {
                    $0.subject == .event(target.id, position: 123) && $0.message.contains("changed")
                }
            },
            tamperCheck("one event deleted") { harness, scene in
                let target = scene.events[7]
                try await harness.tamper(.delete(eventID: target.id))
                try await scene.expectDetected(in: harness, "the deleted event") {
                    $0.subject == .event(target.id, position: 7) && $0.message.contains("deleted")
                }
            },
            tamperCheck("a forged event inserted") { harness, scene in
                let forged = UUID()
                try await harness.tamper(.insertCopy(of: scene.events[5].id, as: forged))
                try await scene.expectDetected(in: harness, "the forged event") { $0.subject == .event(forged, position: nil) }
            },
            tamperCheck("two events' log positions swapped, in a whole block and in the tail") { harness, scene in
                try await harness.tamper(.swapLogPositions(10, 20))
                try await harness.tamper(.swapLogPositions(305, 306))
                // The full pass names the checkpoints whose roots no longer match; the background verifier, the blocks that changed.
                try await scene.expectDetected(in: harness, "the swap") { $0.subject == .checkpoint(treeSize: 300) || $0.subject == .log(0..<256) }
                let full = try await harness.store.verifyLog(trustedKeys: [scene.key.verifier])
                #expect(full.problems.contains { $0.subject == .checkpoint(treeSize: 317) })
                #expect(scene.auditor.report.problems.contains { $0.subject == .log(0..<256) }, "the block holding the swap")
                #expect(scene.auditor.report.problems.contains { $0.subject == .log(256..<317) }, "the tail holding the swap")
            },
            tamperCheck("a whole correlation deleted") { harness, scene in
                let correlation = scene.events.filter { $0.correlationID == "rr-t-b" }
                for event in correlation { try await harness.tamper(.delete(eventID: event.id)) }
                let full = try await harness.store.verifyLog(trustedKeys: [scene.key.verifier])
                let named = Set(full.problems.compactMap { if case .event(let id, _) = $0.subject { id } else { nil } })
                #expect(named == Set(correlation.map(\.id)), "every event of the correlation, and no other")
                try await scene.expectDetected(in: harness, "the correlation's events") { $0.subject == .event(correlation[0].id, position: 1) }
            },
            tamperCheck("the newest events deleted, with their log entries") { harness, scene in
                for event in scene.events[310...] { try await harness.tamper(.delete(eventID: event.id)) }
                try await harness.tamper(.deleteLogEntries(from: 310))
                try await scene.expectDetected(in: harness, "the checkpoint past the log's end") {
                    $0.subject == .checkpoint(treeSize: 317) && $0.message.contains("only 310")
                }
            },
            tamperCheck("a month dropped before its retention") { harness, scene in
                let month = scene.events[0].date.month
                let first = scene.events[0].id
                try await harness.tamper(.dropMonth(month))
                try await scene.expectDetected(in: harness, "the month's events") {
                    $0.subject == .event(first, position: 0) && $0.message.contains("retention did not remove")
                }
            },
            tamperCheck("a checkpoint deleted from the middle of the history") { harness, scene in
                try await harness.tamper(.deleteCheckpoints([300]))
                // A full pass names the checkpoint whose predecessor is gone; the background verifier, the one it verified before.
                try await scene.expectDetected(in: harness, "the deleted checkpoint") {
                    ($0.subject == .checkpoint(treeSize: 317) && $0.message.contains("size 300") || $0.subject == .checkpoint(treeSize: 300))
                        && $0.message.contains("deleted")
                }
                let full = try await harness.store.verifyLog(trustedKeys: [scene.key.verifier])
                #expect(full.problems.map(\.subject) == [.checkpoint(treeSize: 317)], "only the chain's break: \(full.problems)")
            },
            tamperCheck("the newest events, their log entries and the checkpoints over them deleted") { harness, scene in
                // What a witness catches (docs/integrity.md); without one, only a verifier that saw them before.
                for event in scene.events[310...] { try await harness.tamper(.delete(eventID: event.id)) }
                try await harness.tamper(.deleteLogEntries(from: 310))
                try await harness.tamper(.deleteCheckpoints([317]))
                let full = try await harness.store.verifyLog(trustedKeys: [scene.key.verifier])
                #expect(full.isValid, "a store cut back to a consistent prefix verifies on its own: \(full.problems)")
                let before = scene.auditor.report.problemCount
                try await scene.auditor.advance(in: harness.store, to: try await harness.store.logStatus().size, removed: [])
                let found = scene.auditor.report.problems.dropFirst(before)
                #expect(found.contains { $0.subject == .log(310..<317) && $0.message.contains("removed") }, "\(Array(found))")
                #expect(found.contains { $0.subject == .checkpoint(treeSize: 317) && $0.message.contains("no longer stored") }, "\(Array(found))")
            },
            tamperCheck("a checkpoint replaced, and one re-signed with another key") { harness, scene in
                let stored = try #require(try await harness.store.checkpoints(upTo: 300, limit: 1).first)
                // A note changed after signing (another root), and the true note signed by a key nobody trusts.
                let forgedRoot = Hex.lowercase([UInt8](repeating: 9, count: 32))
                let changed = stored.note.replacingOccurrences(
                    of: Checkpoint(text: try SignedNote(parsing: stored.note).text)!.text.split(separator: "\n")[2] + "\n",
                    with: Data([UInt8](repeating: 9, count: 32)).base64EncodedString() + "\n")
                try await harness.tamper(.replaceCheckpoint(treeSize: 300, note: changed, rootHash: forgedRoot))
                let other = NoteSignerKey.generate(name: scene.key.verifier.name)
                let resigned = SignedNote.sign(
                    try SignedNote(parsing: try #require(try await harness.store.checkpoints(upTo: 317, limit: 1).first).note).text, with: other)
                try await harness.tamper(
                    .replaceCheckpoint(
                        treeSize: 317, note: resigned.rendered,
                        rootHash: try #require(try await harness.store.checkpoints(upTo: 317, limit: 1).first).rootHash))
                try await scene.expectDetected(in: harness, "the replaced checkpoint") { $0.subject == .checkpoint(treeSize: 300) }
                try await scene.expectDetected(in: harness, "the re-signed checkpoint") {
                    $0.subject == .checkpoint(treeSize: 317) && $0.message.contains("trusted")
                }
            },
        ]
    }
}
