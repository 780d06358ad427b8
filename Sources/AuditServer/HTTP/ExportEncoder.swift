package import AuditCore

#if canImport(FoundationEssentials)
    package import FoundationEssentials
#else
    package import Foundation
#endif

/// The formats of a streaming export, and their encoding a page at a time.
package enum ExportFormat: String, Sendable, CaseIterable {
    /// One API event object per line (`application/x-ndjson`).
    case ndjson
    /// ``EventCSV`` (`text/csv`).
    case csv
    /// A verifiable bundle (``AuditStore/writeBundle(matching:scope:signer:now:emit:)``).
    case bundle

    package var contentType: String {
        switch self {
        case .ndjson, .bundle: "application/x-ndjson"
        case .csv: "text/csv; charset=utf-8"
        }
    }

    /// What precedes the rows: the CSV header, nothing otherwise.
    package var header: [UInt8] { self == .csv ? Array(EventCSV.header.utf8) : [] }

    /// A page of events as rows; `previousHashes` are the events' `previous_event_hash`.
    package func rows(_ events: [StoredAuditEvent], sensitive: Bool, previousHashes: [UUID: String]) -> [UInt8] {
        switch self {
        case .csv:
            var text = ""
            for event in events { text += EventCSV.line(event, sensitive: sensitive, previousHash: previousHashes[event.event.id]) }
            return Array(text.utf8)
        case .ndjson, .bundle:
            var writer = JSONWriter(capacity: events.count * 1600)
            for event in events {
                EventJSON.item(event, sensitive: sensitive, previousHash: previousHashes[event.event.id], into: &writer)
                writer.writeByte(0x0A)
            }
            return writer.bytes
        }
    }

    /// Each logged event's `previous_event_hash`, from the log.
    package static func previousHashes(of events: [StoredAuditEvent], in store: any AuditStore) async throws(AuditError) -> [UUID: String] {
        var links: [UUID: String] = [:]
        for entry in try await store.logEntries(eventIDs: events.map(\.event.id)) {
            if let previous = entry.previousEventHash { links[entry.eventID] = previous }
        }
        return links
    }
}
