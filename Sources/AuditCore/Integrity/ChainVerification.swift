#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// One correlation's events checked against the log (`POST /api/v1/audit/verify-chain`): in
/// log order — commit order, never timestamps, so events sharing a timestamp are no trouble.
///
/// For each logged event: its entry links to the correlation's previous entry
/// (`previous_event_hash`), the stored event still exists, its content recomputes to the hash
/// that was logged, and its stored `event_hash` is that hash. A stored event of the correlation
/// that is in neither the log nor its queue was put there behind the server's back.
public struct ChainReport: Sendable, Hashable {
    /// One event that does not check out, in Kubernaut's `TamperedEvent` shape.
    public struct TamperedEvent: Sendable, Hashable {
        public var eventID: UUID
        /// The stored event's timestamp; `nil` when it is no longer stored.
        public var eventTimestamp: AuditTimestamp?
        /// The hash the log holds for it (what it must be).
        public var expectedHash: String?
        /// The hash of what is stored now; `nil` when nothing is.
        public var actualHash: String?
        /// The `previous_event_hash` its log entry holds.
        public var previousHash: String?
        public var message: String
    }

    public var correlationID: String
    public var isValid: Bool
    /// Logged events (less those removed by retention) plus stored events not logged yet.
    public var totalEvents: Int
    /// Events whose every check passed.
    public var verifiedEvents: Int
    /// Events committed and queued for the log, not verifiable until logged (within seconds).
    public var pendingEvents: Int
    /// Logged events whose month retention removed (archived; verified against the archive).
    public var removedByRetention: Int
    public var tampered: [TamperedEvent]
    public var message: String
    public var verifiedAt: AuditTimestamp

    /// Checks `stored` (every stored event of the correlation) against `log` (its entries, in
    /// position order); `pending` are the ids queued for the log; `removedByRetention` tells
    /// whether an event's day lies in a month retention removed.
    public static func verify(
        correlationID: String, log: [LogEntry], stored: [StoredAuditEvent], pending: Set<UUID>,
        removedByRetention: (EventDate) -> Bool, now: AuditTimestamp
    ) -> ChainReport {
        var byID: [UUID: StoredAuditEvent] = [:]
        for event in stored { byID[event.event.id] = event }
        var tampered: [TamperedEvent] = []
        var verified = 0
        var removed = 0
        var previous: String?
        for entry in log.sorted(by: { $0.position < $1.position }) {
            defer { previous = entry.eventHash }
            let event = byID.removeValue(forKey: entry.eventID)
            func fail(_ message: String, actual: String? = nil) {
                tampered.append(
                    TamperedEvent(
                        eventID: entry.eventID, eventTimestamp: event?.event.timestamp, expectedHash: entry.eventHash, actualHash: actual,
                        previousHash: entry.previousEventHash, message: message))
            }
            guard entry.previousEventHash == previous else {
                fail(
                    "the log entry at position \(entry.position) does not link to the correlation's previous logged event: an entry was changed, removed or inserted",
                    actual: try? event?.event.eventHash())
                continue
            }
            guard let event else {
                if removedByRetention(entry.eventDate) {
                    removed += 1
                } else {
                    fail("logged at position \(entry.position), but no longer stored: deleted")
                }
                continue
            }
            guard let actual = try? event.event.eventHash() else {
                fail("its stored event_data is not a JSON object")
                continue
            }
            guard actual == entry.eventHash else {
                fail("its stored content is not what was logged at position \(entry.position): changed", actual: actual)
                continue
            }
            // Events stored before hashes were kept have none in their row; the log holds theirs.
            guard event.eventHash == nil || event.eventHash == entry.eventHash else {
                fail("its stored event_hash is not the one logged at position \(entry.position): changed", actual: event.eventHash)
                continue
            }
            verified += 1
        }
        var waiting = 0
        for event in byID.values.sorted(by: { $0.insertSequence < $1.insertSequence }) {
            if pending.contains(event.event.id) {
                waiting += 1
                continue
            }
            tampered.append(
                TamperedEvent(
                    eventID: event.event.id, eventTimestamp: event.event.timestamp, expectedHash: nil, actualHash: try? event.event.eventHash(),
                    previousHash: nil, message: "stored, but in neither the log nor its queue: inserted behind the server"))
        }
        let total = log.count - removed + byID.count
        var message: String
        if tampered.isEmpty {
            message = total == 0 ? "no events with this correlation_id" : "hash chain intact: \(verified) of \(total) events verified"
        } else {
            message = "hash chain broken: \(tampered.count) of \(total) events tampered with"
        }
        if waiting > 0 { message += "; \(waiting) committed in the last seconds, not logged yet" }
        if removed > 0 { message += "; \(removed) removed by retention (in their archives)" }
        return ChainReport(
            correlationID: correlationID, isValid: tampered.isEmpty, totalEvents: total, verifiedEvents: verified, pendingEvents: waiting,
            removedByRetention: removed, tampered: tampered, message: message, verifiedAt: now)
    }
}
