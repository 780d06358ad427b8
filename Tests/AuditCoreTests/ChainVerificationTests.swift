import AuditCore
import Foundation
import Testing

/// Kubernaut's verify-chain over the log, without a store: commit order, never timestamps.
@Suite struct ChainVerificationTests {
    /// `count` events of one correlation sharing one timestamp (Kubernaut's #2318: its verifier
    /// ordered by timestamp), logged in order.
    static func logged(_ count: Int) throws -> (events: [StoredAuditEvent], log: [LogEntry]) {
        let now = AuditTimestamp(rfc3339: "2026-11-30T10:00:00Z")!
        var events: [StoredAuditEvent] = []
        var pending: [PendingLogEntry] = []
        for index in 0..<count {
            let event = AuditEvent(
                id: UUID(), version: "1.0", timestamp: now, eventType: "workflow.step", category: "workflow", action: "step", outcome: .success,
                actorType: "service", actorID: "workflow-service", resourceType: "workflow", resourceID: "rr-chain", correlationID: "rr-chain",
                eventData: EventData(storedJSON: #"{"step":\#(index)}"#))
            let digest = try event.digest()
            events.append(
                StoredAuditEvent(event: event, insertSequence: Int64(index + 1), eventHash: digest.eventHash, hashAlgorithm: AuditEvent.hashAlgorithm)
            )
            pending.append(
                PendingLogEntry(insertSequence: Int64(index + 1), eventID: event.id, eventDate: event.date, correlationID: "rr-chain", digest: digest)
            )
        }
        var last: [String: String] = [:]
        return (events, LogSequencing.entries(for: pending.reversed(), startingAt: 10, lastHashes: &last, now: now))
    }

    static func verify(_ log: [LogEntry], _ stored: [StoredAuditEvent], pending: Set<UUID> = [], removed: Bool = false) -> ChainReport {
        ChainReport.verify(correlationID: "rr-chain", log: log, stored: stored, pending: pending, removedByRetention: { _ in removed }, now: .now())
    }

    @Test("Events sharing a timestamp verify in log order; positions follow insert_seq whatever order they come in")
    func intact() throws {
        let (events, log) = try Self.logged(5)
        #expect(log.map(\.position) == [10, 11, 12, 13, 14] && log.map(\.eventID) == events.map(\.event.id))
        let report = Self.verify(log, events.shuffled())
        #expect(report.isValid && report.totalEvents == 5 && report.verifiedEvents == 5 && report.tampered.isEmpty)
        #expect(report.message == "hash chain intact: 5 of 5 events verified")
    }

    @Test("A log entry whose link was changed, or one removed from between two others, breaks the chain at the next entry")
    func brokenLinks() throws {
        let (events, log) = try Self.logged(4)
        var relinked = log
        relinked[2].previousEventHash = String(repeating: "0", count: 64)
        let report = Self.verify(relinked, events)
        #expect(!report.isValid && report.tampered.map(\.eventID) == [events[2].event.id] && report.tampered[0].message.contains("does not link"))
        let withoutOne = Array(log[0..<1] + log[2...])
        let gap = Self.verify(withoutOne, events)
        #expect(gap.tampered.map(\.eventID).contains(events[2].event.id))
        #expect(gap.tampered.map(\.eventID).contains(events[1].event.id), "the event whose entry went is in the store but not in the log")
    }

    @Test("Deleted, changed, forged and not-yet-logged events; months removed by retention")
    func cases() throws {
        let (events, log) = try Self.logged(4)
        var changed = events
        changed[1].event.errorMessage = "all fine"
        let report = Self.verify(log, Array(changed[0..<3]))
        #expect(report.tampered.map(\.eventID) == [events[1].event.id, events[3].event.id])
        #expect(report.tampered[0].message.contains("changed") && report.tampered[1].message.contains("deleted"))
        let changedHash = try changed[1].event.eventHash()
        #expect(report.tampered[0].expectedHash == events[1].eventHash && report.tampered[0].actualHash == changedHash)
        #expect(report.verifiedEvents == 2 && report.totalEvents == 4 && report.message.hasPrefix("hash chain broken: 2 of 4"))

        let (late, _) = try Self.logged(1)
        let waiting = Self.verify(log, events + late, pending: [late[0].event.id])
        #expect(waiting.isValid && waiting.pendingEvents == 1 && waiting.totalEvents == 5)
        let forged = Self.verify(log, events + late)
        #expect(!forged.isValid && forged.tampered.map(\.eventID) == [late[0].event.id] && forged.tampered[0].message.contains("inserted"))

        let removed = Self.verify(log, [], removed: true)
        #expect(removed.isValid && removed.removedByRetention == 4 && removed.totalEvents == 0)
    }
}
