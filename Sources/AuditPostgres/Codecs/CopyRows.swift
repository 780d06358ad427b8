public import AuditCore
public import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Events as rows of `COPY audit_events (…) FROM STDIN` in PostgreSQL's text format: one line
/// per event, columns separated by tabs, `\N` for `NULL`, and backslash, tab, newline and
/// carriage return escaped in every value.
///
/// The benchmark's raw `COPY` baseline and the test harness's second writer use it. The store's
/// own writer does not: PostgresNIO 1.33's COPY can wait for ever when the server goes away in
/// the middle of it (see ``PostgresStore/write(_:)``).
public enum CopyRows {
    /// The columns each row holds, in order. `insert_seq` is left to its default.
    public static let columns = [
        "event_id", "event_version", "event_timestamp", "event_date", "event_type", "event_category", "event_action", "event_outcome",
        "actor_type", "actor_id", "actor_ip", "resource_type", "resource_id", "correlation_id", "parent_event_id", "parent_event_date",
        "namespace", "cluster_id", "severity", "duration_ms", "error_code", "error_message", "retention_days", "is_sensitive", "event_data",
    ]

    /// Appends `event` as one row, newline included.
    ///
    /// Timestamps are written as ISO 8601 with an explicit `Z` and microseconds, which
    /// PostgreSQL reads the same whatever the session's `DateStyle` and `TimeZone`.
    public static func append(_ event: AuditEvent, to buffer: inout ByteBuffer) {
        let fields: [String?] = [
            event.id.uuidString.lowercased(), event.version, event.timestamp.description, event.date.description, event.eventType, event.category,
            event.action, event.outcome.rawValue, event.actorType, event.actorID, event.actorIP, event.resourceType, event.resourceID,
            event.correlationID, event.parentEventID?.uuidString.lowercased(), event.parentEventDate?.description, event.namespace, event.clusterID,
            event.severity, event.durationMS.map(String.init), event.errorCode, event.errorMessage, String(event.retentionDays),
            event.isSensitive ? "t" : "f", event.eventData.json,
        ]
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            guard let field else {
                buffer.writeStaticString("\\N")
                continue
            }
            appendEscaped(field, to: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    private static func appendEscaped(_ field: String, to buffer: inout ByteBuffer) {
        var field = field
        field.withUTF8 { bytes in
            var start = 0
            for (index, byte) in bytes.enumerated() {
                let escape: StaticString
                switch byte {
                case UInt8(ascii: "\\"): escape = "\\\\"
                case UInt8(ascii: "\t"): escape = "\\t"
                case UInt8(ascii: "\n"): escape = "\\n"
                case UInt8(ascii: "\r"): escape = "\\r"
                default: continue
                }
                buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<index])))
                buffer.writeStaticString(escape)
                start = index + 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start...])))
        }
    }
}
