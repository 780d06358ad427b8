#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// One event's place in the log: every stored event, in commit order, one position each
/// (`auditledger_log`, append-only).
///
/// Positions are given by the sequencer (``AuditStore/appendPendingToLog(limit:now:)``), one at
/// a time across every server on a database, to events whose transaction has committed, so the
/// log's order is an order in which the events became visible. `previousEventHash` chains the
/// events of one correlation (Kubernaut's `previous_event_hash`): the `event_hash` of the
/// correlation's event at the nearest lower position.
public struct LogEntry: Sendable, Hashable {
    /// 0, 1, 2, … without gaps: the leaf index.
    public var position: Int64
    public var eventID: UUID
    public var eventDate: EventDate
    public var correlationID: String
    /// The event's `event_hash` as the writer computed it.
    public var eventHash: String
    /// The `event_hash` of the same correlation's previous event in the log; `nil` for its first.
    public var previousEventHash: String?
    /// RFC 9162's leaf hash of the event's canonical encoding, lowercase hex.
    public var leafHash: String
    /// When the sequencer gave the position.
    public var loggedAt: AuditTimestamp

    public init(
        position: Int64, eventID: UUID, eventDate: EventDate, correlationID: String, eventHash: String, previousEventHash: String?,
        leafHash: String, loggedAt: AuditTimestamp
    ) {
        self.position = position
        self.eventID = eventID
        self.eventDate = eventDate
        self.correlationID = correlationID
        self.eventHash = eventHash
        self.previousEventHash = previousEventHash
        self.leafHash = leafHash
        self.loggedAt = loggedAt
    }
}

/// An event committed but not yet given a log position (`auditledger_log_pending`): written in
/// the event's own transaction, so a committed event is always either pending or logged.
/// Events stored before the log existed were queued by the migration without a digest; the
/// sequencer computes theirs from the stored rows.
public struct PendingLogEntry: Sendable, Hashable {
    /// The event's `insert_seq`: the order pending events are logged in, among those visible.
    public var insertSequence: Int64
    public var eventID: UUID
    public var eventDate: EventDate
    public var correlationID: String
    /// `nil` for an event queued by the migration (stored before the log).
    public var digest: EventDigest?

    public init(insertSequence: Int64, eventID: UUID, eventDate: EventDate, correlationID: String, digest: EventDigest?) {
        self.insertSequence = insertSequence
        self.eventID = eventID
        self.eventDate = eventDate
        self.correlationID = correlationID
        self.digest = digest
    }
}

/// What one call of the sequencer did.
public struct LogAppend: Sendable, Hashable {
    /// Events given a position by this call.
    public var appended: Int
    /// The log's size after it: the next position.
    public var size: Int64
    /// `false` when another server holds the sequencer's lock (nothing was done).
    public var sequenced: Bool

    public init(appended: Int, size: Int64, sequenced: Bool) {
        self.appended = appended
        self.size = size
        self.sequenced = sequenced
    }
}

/// Assigns positions and correlation links to pending events, in order: the part of the
/// sequencer both stores share. `lastHashes` holds the newest logged `event_hash` of each
/// correlation the pending events name; it is updated as entries are made.
public enum LogSequencing {
    /// Entries for the pending events that have a digest (the others are left for the caller
    /// to hash from the stored rows first).
    public static func entries(
        for pending: [PendingLogEntry], startingAt size: Int64, lastHashes: inout [String: String], now: AuditTimestamp
    ) -> [LogEntry] {
        var position = size
        return pending.sorted { $0.insertSequence < $1.insertSequence }.compactMap { entry in
            guard let digest = entry.digest else { return nil }
            defer { position += 1 }
            let previous = lastHashes[entry.correlationID]
            lastHashes[entry.correlationID] = digest.eventHash
            return LogEntry(
                position: position, eventID: entry.eventID, eventDate: entry.eventDate, correlationID: entry.correlationID,
                eventHash: digest.eventHash, previousEventHash: previous, leafHash: digest.leafHash, loggedAt: now)
        }
    }

    /// Fills the digest of pending events queued without one, from their stored rows; events
    /// no longer stored keep none (they stay queued, and verification names them).
    public static func digesting(_ pending: [PendingLogEntry], stored: [UUID: StoredAuditEvent]) -> [PendingLogEntry] {
        pending.map { entry in
            guard entry.digest == nil, let row = stored[entry.eventID], let digest = try? row.event.digest() else { return entry }
            var entry = entry
            entry.digest = digest
            return entry
        }
    }
}
