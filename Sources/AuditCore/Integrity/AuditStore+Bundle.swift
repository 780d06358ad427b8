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
            let positions = try await builder.place(events, in: self)
            var writer = JSONWriter(capacity: events.count * 1600)
            for (event, position) in zip(events, positions) {
                event.writeArchiveJSON(into: &writer, logPosition: position)
                writer.writeByte(0x0A)
            }
            try await emit(writer.bytes)
        }
        let evidence = try await builder.evidence(scope: scope, store: self, signer: signer, now: now)
        var object = JSONObject()
        object[BundleEvidence.lineMember] = evidence.json
        try await emit(Array((JSONValue.object(object).compactText + "\n").utf8))
        return count
    }
}
