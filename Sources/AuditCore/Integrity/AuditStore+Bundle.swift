#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension AuditStore {
    /// Writes the bundle of every event `query` matches (``BundleFile`` in AuditMaintenance
    /// describes the format): a line per event with its log position, checked against the log
    /// as it goes, then the evidence line. `emit` is handed the bytes a page at a time, so
    /// memory stays one page plus 40 bytes per event.
    ///
    /// The log's queue is drained first, so that events acknowledged before the call are in
    /// the log; `signer` signs the statement, and a checkpoint when none covers the events yet.
    /// - Returns: the number of events written.
    /// - Throws: `conflict` when a matching event is not what was logged; `unavailable` when no
    ///   checkpoint covers the events and there is no `signer`. Bytes already emitted then make
    ///   no bundle (it has no evidence line, and `verify-bundle` says so).
    public func writeBundle(
        matching query: EventQuery, scope: JSONObject, signer: NoteSignerKey?, now: AuditTimestamp,
        emit: ([UInt8]) async throws(AuditError) -> Void
    ) async throws(AuditError) -> Int64 {
        try await drainLogQueue()
        var builder = BundleBuilder()
        let count = try await forEachEvent(matching: query) { (events: [StoredAuditEvent]) throws(AuditError) in
            try await emit(try await builder.lines(for: events, in: self))
        }
        try await emit(try await builder.evidenceLine(scope: scope, store: self, signer: signer, now: now))
        return count
    }

    /// Writes the bundle of every log position in `range`, in position order: complete by
    /// construction, and said so in its scope (`{"kind":"range","from_position":…,"to_position":…}`),
    /// so that `verify-bundle` requires every position of the range.
    /// - Throws: `validation` when the range reaches past the log; `conflict` when a position's
    ///   event is no longer stored (retention removed its month: its archive is its bundle) or
    ///   not what was logged.
    public func writeBundle(
        positions range: Range<Int64>, signer: NoteSignerKey?, now: AuditTimestamp, emit: ([UInt8]) async throws(AuditError) -> Void
    ) async throws(AuditError) -> Int64 {
        try await drainLogQueue()
        let size = try await logStatus().size
        guard range.lowerBound >= 0, range.upperBound <= size, !range.isEmpty else {
            throw AuditError.validation(field: "to_position", "must be above from_position and at most the log's size, \(size)")
        }
        var builder = BundleBuilder()
        for start in stride(from: range.lowerBound, to: range.upperBound, by: 1000) {
            let chunk = start..<min(start + 1000, range.upperBound)
            let entries = try await logEntries(positions: chunk)
            guard entries.count == chunk.count else {
                throw AuditError(
                    .conflict, detail: "the log lacks positions between \(chunk.lowerBound) and \(chunk.upperBound - 1); run auditledger verify")
            }
            var stored: [UUID: StoredAuditEvent] = [:]
            for event in try await events(ids: entries.map(\.eventID)) { stored[event.event.id] = event }
            let events = try entries.map { (entry: LogEntry) throws(AuditError) -> StoredAuditEvent in
                guard let event = stored[entry.eventID] else {
                    throw AuditError(
                        .conflict,
                        detail:
                            "the event at log position \(entry.position) (\(entry.eventID.uuidString.lowercased()), \(entry.eventDate)) is not stored: when retention removed its month, its archive is its bundle"
                    )
                }
                return event
            }
            try await emit(try await builder.lines(for: events, in: self))
        }
        var scope = JSONObject()
        scope["kind"] = .string("range")
        scope["from_position"] = .number(String(range.lowerBound))
        scope["to_position"] = .number(String(range.upperBound))
        try await emit(try await builder.evidenceLine(scope: scope, store: self, signer: signer, now: now))
        return Int64(range.count)
    }
}

extension BundleBuilder {
    /// `events` as bundle lines, each with its log position (checked against the log).
    mutating func lines(for events: [StoredAuditEvent], in store: any AuditStore) async throws(AuditError) -> [UInt8] {
        let positions = try await place(events, in: store)
        var writer = JSONWriter(capacity: events.count * 1600)
        for (event, position) in zip(events, positions) {
            event.writeArchiveJSON(into: &writer, logPosition: position)
            writer.writeByte(0x0A)
        }
        return writer.bytes
    }

    /// The last line, `{"bundle": evidence}`.
    func evidenceLine(scope: JSONObject, store: any AuditStore, signer: NoteSignerKey?, now: AuditTimestamp) async throws(AuditError) -> [UInt8] {
        var object = JSONObject()
        object[BundleEvidence.lineMember] = try await evidence(scope: scope, store: store, signer: signer, now: now).json
        return Array((JSONValue.object(object).compactText + "\n").utf8)
    }
}
