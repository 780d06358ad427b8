public import AuditCore

/// The JSON shape of a quarantine record: `{id, quarantined_at, received_at?, request_id?,
/// origin, reason, detail, event_count, events, resolved_at?, resolution?}`, `events` being
/// the events as accepted (each one a valid write request).
public enum QuarantineRecordJSON {
    /// Appends one record as the API (and `auditledger quarantine export`) shows it.
    public static func write(_ record: QuarantinedRecord, into writer: inout JSONWriter) {
        var object = JSONObjectWriter(taking: &writer)
        object.integer("id", record.id)
        object.string("quarantined_at", record.entry.quarantinedAt.description)
        object.optional("received_at", record.entry.receivedAt?.description)
        object.optional("request_id", record.entry.requestID)
        object.string("origin", record.entry.origin)
        object.string("reason", record.entry.reason)
        object.string("detail", record.entry.detail)
        object.integer("event_count", Int64(record.entry.events.count))
        object.raw("events", record.entry.eventsJSON)
        object.optional("resolved_at", record.resolvedAt?.description)
        object.optional("resolution", record.resolution)
        writer = object.finish()
    }
}
