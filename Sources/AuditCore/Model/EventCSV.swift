#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Events as CSV (RFC 4180): one header line, then one line per event, `\r\n` line ends.
///
/// Columns are the event's stored fields under their API names, then `legal_hold`,
/// `event_hash`, `hash_algorithm`, `previous_event_hash`, `sensitive_withheld`, and
/// `event_data` as its JSON text. Absent values are empty cells. A cell is quoted when it
/// holds a comma, a quote, a line break or leading or trailing spaces; values are never
/// changed otherwise (so a cell starting with `=` stays one: spreadsheet programs that treat
/// such cells as formulas should import the file as text).
public enum EventCSV {
    /// The column names, in order.
    public static let columns = [
        "event_id", "event_version", "event_timestamp", "event_date", "event_type", "event_category", "event_action", "event_outcome",
        "actor_type", "actor_id", "actor_ip", "resource_type", "resource_id", "correlation_id", "parent_event_id", "parent_event_date",
        "namespace", "cluster_id", "severity", "duration_ms", "error_code", "error_message", "retention_days", "is_sensitive",
        "written_by", "legal_hold", "event_hash", "hash_algorithm", "previous_event_hash", "sensitive_withheld", "event_data",
    ]

    /// The header line.
    public static var header: String { columns.joined(separator: ",") + "\r\n" }

    /// One event's line. Without `sensitive`, an `is_sensitive` event's `error_message` and
    /// `event_data` are left empty and `sensitive_withheld` is `true`, as in the API.
    public static func line(_ stored: StoredAuditEvent, sensitive: Bool, previousHash: String?) -> String {
        let event = stored.event
        let withheld = event.isSensitive && !sensitive
        let cells: [String?] = [
            event.id.uuidString.lowercased(), event.version, event.timestamp.description, event.date.description, event.eventType,
            event.category, event.action, event.outcome.rawValue, event.actorType, event.actorID, event.actorIP, event.resourceType,
            event.resourceID, event.correlationID, event.parentEventID?.uuidString.lowercased(), event.parentEventDate?.description,
            event.namespace, event.clusterID, event.severity, event.durationMS.map(String.init), event.errorCode,
            withheld ? nil : event.errorMessage, String(event.retentionDays), String(event.isSensitive), event.writtenBy,
            String(stored.legalHold != nil), stored.eventHash, stored.hashAlgorithm, previousHash, String(withheld),
            withheld ? nil : event.eventData.json,
        ]
        return cells.map { quoted($0 ?? "") }.joined(separator: ",") + "\r\n"
    }

    /// `text` as one cell.
    static func quoted(_ text: String) -> String {
        let needsQuotes =
            text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
            || text.first == " " || text.last == " "
        guard needsQuotes else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}
