public import AuditCore
import AuditMaintenance
import Foundation
import Logging
import Testing

extension StoreConformance {
    static var bundleChecks: [ConformanceCheck] {
        [
            ConformanceCheck(
                "a removed month's archive proves against the log offline; an altered, removed or added event, or a replaced or re-signed checkpoint, is named"
            ) { harness in
                let now = AuditTimestamp.now()
                let month = now.utcDate.month.adding(months: -3)
                let old = try (0..<6).map { index in
                    try EventFactory.event(
                        correlationID: "rr-archived-\(index % 2)", at: month.firstDay.startOfDay.adding(seconds: Int64(60 + index)),
                        fields: ["retention_days": .number("1")])
                }
                let recent = try (0..<2).map { try EventFactory.event(correlationID: "rr-kept", at: now.adding(seconds: Int64(-$0))) }
                // Interleaved in the log: the month's positions are not one run.
                try await harness.writeSucceeding(Array(old[0..<3]))
                try await harness.writeSucceeding([recent[0]])
                try await harness.writeSucceeding(Array(old[3...]))
                try await harness.writeSucceeding([recent[1]])
                let directory = NSTemporaryDirectory() + "auditledger-bundle-" + UUID().uuidString
                defer { try? FileManager.default.removeItem(atPath: directory) }
                let outcome = try await RetentionRunner(
                    store: harness.store, archiveDirectory: directory + "/clean", triggeredBy: "test", signer: TestSigning.key,
                    logger: Logger(label: "test")
                ).run(now: now, dryRun: false)
                let written = try #require(outcome.removed.first { $0.manifest.month == month })
                let evidence = try #require(written.manifest.log)
                #expect(evidence.positions == [0, 1, 2, 4, 5, 6], "the month's positions, around the other month's event")
                let trusted = [TestSigning.key.verifier]
                let clean = try BundleFile.verify(written.manifestPath, trustedKeys: trusted)
                #expect(clean.isValid && clean.events == 6 && clean.warnings.isEmpty, "\(clean.problems) \(clean.warnings)")
                let record = try #require(try await harness.store.lifecycleLog(limit: 10).first { $0.kind == .retention && $0.month == month })
                #expect(record.detail.contains("log positions 0–6 (6)"), "\(record.detail)")

                // A checkpoint of a larger tree, signed after more events: genuine, but not the one the evidence proves against.
                try await harness.writeSucceeding([try EventFactory.event(correlationID: "rr-kept", at: now)])
                try await harness.store.drainLogQueue()
                let later = try await harness.store.signCheckpoint(with: TestSigning.key, now: now).checkpoint
                let checkpointText = try SignedNote(parsing: evidence.checkpoint).text
                let resigned = SignedNote.sign(checkpointText, with: NoteSignerKey.generate(name: TestSigning.key.verifier.name)).rendered

                let altered = old[2].id.uuidString.lowercased()
                let removedPosition = evidence.positions[1]
                let cases: [(String, (String) throws -> Void, [String])] = [
                    (
                        "altered",
                        { path in try ArchiveForgery.rewrite(manifestPath: path) { lines in Self.setting(lines, altered, "actor_id", "mallory") } },
                        ["event \(altered) (line 3) was altered"]
                    ),
                    (
                        "altered and rehashed",
                        { path in
                            try ArchiveForgery.rewrite(manifestPath: path) { lines in
                                let changed = Self.setting(lines, altered, "actor_id", "mallory")
                                return try Self.rehashing(changed, altered)
                            }
                        }, ["do not prove against the checkpoint", "signed statement"]
                    ),
                    (
                        "removed",
                        { path in try ArchiveForgery.rewrite(manifestPath: path) { lines in lines.filter { Self.id(of: $0) != old[1].id } } },
                        ["missing (positions \(removedPosition)): removed"]
                    ),
                    (
                        "added",
                        { path in
                            try ArchiveForgery.rewrite(manifestPath: path) { lines in
                                lines + [try Self.forgedCopy(of: old[4].id, in: lines, position: 3)]
                            }
                        }, ["(position 3) is not one the bundle lists: added", "do not prove against the checkpoint"]
                    ),
                    (
                        "checkpoint replaced",
                        { path in try ArchiveForgery.replaceEvidence(manifestPath: path, member: "checkpoint", with: .string(later.note)) },
                        ["do not prove against the checkpoint of tree size \(later.treeSize)", "signed statement"]
                    ),
                    (
                        "checkpoint re-signed",
                        { path in try ArchiveForgery.replaceEvidence(manifestPath: path, member: "checkpoint", with: .string(resigned)) },
                        ["is not signed by a trusted key"]
                    ),
                ]
                for (name, tamper, expected) in cases {
                    let copy = directory + "/" + name.replacing(" ", with: "-")
                    try FileManager.default.copyItem(atPath: directory + "/clean", toPath: copy)
                    let manifest = copy + "/" + (written.manifestPath as NSString).lastPathComponent
                    try tamper(manifest)
                    let report = try BundleFile.verify(manifest, trustedKeys: trusted)
                    #expect(!report.isValid, "\(name) must be detected")
                    for text in expected {
                        #expect(report.problems.contains { $0.contains(text) }, "\(name): expected “\(text)” in \(report.problems)")
                    }
                }
                // The restore of a consistent forgery is refused by the log, before anything is stored.
                let forgery = directory + "/altered-and-rehashed/" + (written.manifestPath as NSString).lastPathComponent
                await #expect(throws: AuditError.self) {
                    try await ArchiveRestorer(store: harness.store, triggeredBy: "test", logger: Logger(label: "test")).restore(forgery, now: now)
                }
                #expect(try await harness.store.monthFacts().first { $0.month == month }?.rows ?? 0 == 0, "nothing restored")
            },

            ConformanceCheck("events deleted before retention removed their month are named by verify, not taken for removed") { harness in
                let now = AuditTimestamp.now()
                let month = now.utcDate.month.adding(months: -3)
                let events = try (0..<4).map { index in
                    try EventFactory.event(
                        correlationID: "rr-deleted-then-removed", at: month.firstDay.startOfDay.adding(seconds: Int64(60 + index)),
                        fields: ["retention_days": .number("1")])
                }
                try await harness.writeSucceeding(events)
                try await harness.store.drainLogQueue()
                _ = try await harness.store.signCheckpoint(with: TestSigning.key, now: now)
                try await harness.tamper(.delete(eventID: events[2].id))
                let directory = NSTemporaryDirectory() + "auditledger-bundle-" + UUID().uuidString
                defer { try? FileManager.default.removeItem(atPath: directory) }
                let outcome = try await RetentionRunner(
                    store: harness.store, archiveDirectory: directory, triggeredBy: "test", signer: TestSigning.key, logger: Logger(label: "test")
                ).run(now: now, dryRun: false)
                #expect(outcome.removed.first { $0.manifest.month == month }?.manifest.rowCount == 3)
                let report = try await harness.store.verifyLog(trustedKeys: [TestSigning.key.verifier])
                #expect(report.removedByRetention == 4)
                #expect(
                    report.problems.contains {
                        $0.subject == .month(month) && $0.message.contains("4 of its logged events are gone, but retention archived 3")
                    },
                    "\(report.problems)")
            },

            ConformanceCheck("an archive is not written while an event of its month is not what was logged") { harness in
                let now = AuditTimestamp.now()
                let month = now.utcDate.month.adding(months: -3)
                let events = try (0..<3).map { index in
                    try EventFactory.event(
                        correlationID: "rr-changed-before-archive", at: month.firstDay.startOfDay.adding(seconds: Int64(60 + index)))
                }
                try await harness.writeSucceeding(events)
                try await harness.store.drainLogQueue()
                try await harness.tamper(.update(eventID: events[1].id, column: "actor_id", expression: "'mallory'"))
                let directory = NSTemporaryDirectory() + "auditledger-bundle-" + UUID().uuidString
                defer { try? FileManager.default.removeItem(atPath: directory) }
                do throws(AuditError) {
                    _ = try await ArchiveWriter(directory: directory).archive(month, of: harness.store, signer: TestSigning.key, now: now)
                    Issue.record("an archive of a changed event must be refused")
                } catch {
                    #expect(error.code == .conflict)
                    #expect(
                        error.detail.contains("event \(events[1].id.uuidString.lowercased()) is not what was logged at position 1"), "\(error.detail)"
                    )
                }
                let left = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                #expect(left.isEmpty, "no archive file is left behind: \(left)")
            },
        ]
    }

    /// A new event made from the line of event `id`: another id, its hash recomputed, at log `position`.
    static func forgedCopy(of id: UUID, in lines: [JSONObject], position: Int64) throws -> JSONObject {
        guard let source = lines.first(where: { Self.id(of: $0) == id }) else { throw AuditError(.notFound, detail: "no line for \(id)") }
        let newID = UUID().uuidString.lowercased()
        var line = try rehashing(setting([source], id.uuidString.lowercased(), "event_id", newID), newID)[0]
        line["log_position"] = .number(String(position))
        return line
    }

    static func id(of line: JSONObject) -> UUID? {
        if case .string(let text)? = line["event_id"] { UUID(uuidString: text) } else { nil }
    }

    /// `lines` with `member` of the event `id` set to `value`.
    public static func setting(_ lines: [JSONObject], _ id: String, _ member: String, _ value: String) -> [JSONObject] {
        lines.map { line in
            guard case .string(id)? = line["event_id"] else { return line }
            var changed = line
            changed[member] = .string(value)
            return changed
        }
    }

    /// `lines` with the `event_hash` of event `id` recomputed from its content.
    public static func rehashing(_ lines: [JSONObject], _ id: String) throws -> [JSONObject] {
        try lines.map { line in
            guard case .string(id)? = line["event_id"] else { return line }
            var changed = line
            changed["event_hash"] = .string(try StoredAuditEvent(archiveJSON: line).event.eventHash())
            return changed
        }
    }
}
