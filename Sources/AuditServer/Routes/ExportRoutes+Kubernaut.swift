import AuditCore
import Crypto
import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension ExportRoutes {
    /// Kubernaut's `AuditExportResponse`: at most `limit` events from `offset`, oldest first,
    /// each with `event_hash`, `previous_event_hash`, `hash_chain_valid` (its content hashes to
    /// its `event_hash`, and that is what the log holds) and `legal_hold`; a summary of the
    /// check; and a signature.
    ///
    /// The signature is Ed25519 with the checkpoint key over the export's statement
    /// (``statement(exportedAt:exportedBy:events:filters:)``), given whole in
    /// `export_metadata.signed_statement` as a C2SP signed note and its key in
    /// `export_metadata.signing_key` (AuditLedger extensions). With `redact_pii` the answer's
    /// `event_data` is masked after the check; the hashes still name the stored events.
    func kubernautExport(_ parsed: ExportRequest, query: EventQuery, principal: Principal, now: AuditTimestamp) async throws -> Response {
        guard let key = configuration.checkpoints.key else {
            throw AuditError(.unavailable, detail: "this server has no signing key, so it cannot sign an export")
        }
        var page = query
        page.order = .ascending
        page.offset = parsed.offset
        page.countsTotal = false
        var events: [StoredAuditEvent] = []
        while events.count < parsed.limit {
            page.limit = min(EventQuery.maximumLimit, parsed.limit - events.count)
            let result = try await store.events(matching: page)
            events += result.events
            guard result.hasMore, let last = result.events.last else { break }
            page.offset = 0
            page.cursor = PageCursor(query: page, after: last.event)
        }
        var entries: [UUID: LogEntry] = [:]
        for start in stride(from: 0, to: events.count, by: 1000) {
            let ids = events[start..<min(start + 1000, events.count)].map(\.event.id)
            for entry in try await store.logEntries(eventIDs: ids) { entries[entry.eventID] = entry }
        }
        let valid = events.map { stored -> Bool in
            guard let digest = try? stored.event.digest(), stored.eventHash == digest.eventHash else { return false }
            return entries[stored.event.id].map { $0.leafHash == digest.leafHash && $0.eventHash == digest.eventHash } ?? true
        }
        let exportedBy = parsed.redactPII && principal.name.contains("@") ? ExportRedaction.email(principal.name) : principal.name
        var filters = JSONObject()
        for name in ["start_time", "end_time", "correlation_id", "event_category"] {
            if let value = parsed.given.first(where: { $0.name == name })?.value { filters[name] = .string(value) }
        }
        filters["offset"] = .number(String(parsed.offset))
        filters["limit"] = .number(String(parsed.limit))
        let text = Self.statement(exportedAt: now, exportedBy: exportedBy, events: events, filters: filters)
        let note = SignedNote.sign(text, with: key)
        return .json(
            status: .ok,
            Self.answer(
                events: events, valid: valid, entries: entries, sensitive: principal.has(.eventsReadSensitive), redact: parsed.redactPII,
                metadata: [
                    ("export_timestamp", .string(now.description)), ("export_format", .string("json")), ("query_filters", .object(filters)),
                    ("total_events", .number(String(events.count))),
                    ("signature", .string(Data(note.signatures.first?.signature ?? []).base64EncodedString())),
                    ("signature_algorithm", .string("Ed25519")), ("exported_by", .string(exportedBy)),
                    ("signing_key", .string(key.verifier.description)), ("signed_statement", .string(note.rendered)),
                ], detached: parsed.detachedSignature ? note.rendered : nil, now: now))
    }

    /// What an export's signature signs: who exported it and when, how many events, a SHA-256
    /// over their `event_hash` values (32 bytes each, in the answer's order; 32 zero bytes for an
    /// event without one) and the filters (docs/integrity.md, "Exports").
    static func statement(exportedAt: AuditTimestamp, exportedBy: String, events: [StoredAuditEvent], filters: JSONObject) -> String {
        var hasher = SHA256()
        for event in events { hasher.update(data: event.eventHash.flatMap(Hex.bytes) ?? [UInt8](repeating: 0, count: 32)) }
        return """
            auditledger-export/1
            exported_at \(exportedAt)
            exported_by \(exportedBy.filter { $0 != "\n" })
            events \(events.count)
            event_hashes sha256:\(Hex.lowercase(hasher.finalize()))
            filters \(JSONValue.object(filters).compactText)

            """
    }

    static func answer(
        events: [StoredAuditEvent], valid: [Bool], entries: [UUID: LogEntry], sensitive: Bool, redact: Bool, metadata: [(String, JSONValue)],
        detached: String?, now: AuditTimestamp
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: 1024 + events.count * 1700)
        writer.writeRaw(#"{"export_metadata":"#.utf8)
        writer.write(.object(JSONObject(metadata.map { .init(key: $0.0, value: $0.1) })))
        writer.writeRaw(#","events":["#.utf8)
        for (index, stored) in events.enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            var shown = stored
            if redact, let data = try? stored.event.eventData.object() { shown.event.eventData = EventData(ExportRedaction.redacting(data)) }
            EventJSON.item(
                shown, sensitive: sensitive, previousHash: entries[stored.event.id]?.previousEventHash, hashChainValid: valid[index], into: &writer)
        }
        let broken = zip(events, valid).filter { !$0.1 }.map { $0.0.event.id.uuidString.lowercased() }
        var verification = JSONObject()
        verification["total_events_verified"] = .number(String(events.count))
        verification["valid_chain_events"] = .number(String(events.count - broken.count))
        verification["broken_chain_events"] = .number(String(broken.count))
        let percentage = events.isEmpty ? 100.0 : Double(events.count - broken.count) * 100 / Double(events.count)
        verification["chain_integrity_percentage"] = .number(String((percentage * 100).rounded() / 100))
        verification["verification_timestamp"] = .string(now.description)
        verification["tampered_event_ids"] = .array(broken.map(JSONValue.string))
        writer.writeRaw(#"],"hash_chain_verification":"#.utf8)
        writer.write(.object(verification))
        if let detached {
            writer.writeRaw(#","detached_signature":"#.utf8)
            writer.write(.string(detached))
        }
        writer.writeByte(UInt8(ascii: "}"))
        return writer.bytes
    }
}
