import AuditCore
import Foundation
import Testing

/// The codecs of what outlives a release — spool and quarantine records, archive lines and
/// manifests: the current version round-trips `written_by`, older versions still read.
@Suite struct RecordCodecTests {
    private func event(writtenBy: String?) throws -> AuditEvent {
        let request = try JSONParser.parse(
            #"""
            {"version":"1.0","event_type":"workflow.execution.completed","event_timestamp":"2026-11-30T10:00:00.123456Z",
             "event_category":"workflowexecution","event_action":"completed","event_outcome":"success","correlation_id":"rr-codec",
             "namespace":"prod","duration_ms":12,"is_sensitive":true,"event_data":{"step":1,"big":12345678901234567890}}
            """#)
        var event = try EventValidator().event(from: request, now: AuditTimestamp(rfc3339: "2026-11-30T10:00:01Z")!)
        event.writtenBy = writtenBy
        return event
    }

    private func record(_ event: AuditEvent) throws -> JSONObject {
        var writer = JSONWriter()
        EventRecordCodec.write(event, into: &writer)
        guard case .object(let object) = try JSONParser.parse(writer.bytes) else { throw AuditError(.internalError, detail: "not an object") }
        return object
    }

    @Test("Event records (version 2) keep written_by; a version 1 record, without it, reads as not known")
    func eventRecords() throws {
        let written = try event(writtenBy: "system:serviceaccount:kubernaut:gateway")
        let object = try record(written)
        #expect(object["written_by"] == .string("system:serviceaccount:kubernaut:gateway"))
        #expect(try EventRecordCodec.read(object) == written)

        let unknown = try event(writtenBy: nil)
        let versionOne = try record(unknown)
        #expect(versionOne["written_by"] == nil)
        #expect(try EventRecordCodec.read(versionOne) == unknown)

        var malformed = object
        malformed["written_by"] = .number("7")
        #expect(throws: AuditError.self) { try EventRecordCodec.read(malformed) }
        var extra = object
        extra["signed_by"] = .string("x")
        #expect(throws: AuditError.self) { try EventRecordCodec.read(extra) }
    }

    @Test("Quarantine records keep written_by")
    func quarantineRecords() throws {
        let events = [try event(writtenBy: "gateway"), try event(writtenBy: nil)]
        let entry = QuarantineEntry(
            events: events, reason: "test", detail: "test", requestID: nil, receivedAt: nil, quarantinedAt: .now(), origin: "replay")
        #expect(try QuarantineEntry.events(fromJSON: entry.eventsJSON) == events)
    }

    @Test("Archive lines keep written_by and their log position; format 2 and 1 manifests and lines still read")
    func archives() throws {
        let stored = StoredAuditEvent(event: try event(writtenBy: "counsel@example.com"), insertSequence: 42)
        var writer = JSONWriter()
        stored.writeArchiveJSON(into: &writer)
        guard case .object(var line) = try JSONParser.parse(writer.bytes) else { throw AuditError(.internalError, detail: "not an object") }
        #expect(line["written_by"] == .string("counsel@example.com"))
        #expect(try StoredAuditEvent(archiveJSON: line) == stored)
        line["written_by"] = nil
        #expect(try StoredAuditEvent(archiveJSON: line).event.writtenBy == nil)
        var positioned = JSONWriter()
        stored.writeArchiveJSON(into: &positioned, logPosition: 7)
        guard case .object(let withPosition) = try JSONParser.parse(positioned.bytes) else {
            throw AuditError(.internalError, detail: "not an object")
        }
        #expect(withPosition["log_position"] == .number("7"))
        #expect(try StoredAuditEvent(archiveJSON: withPosition) == stored)

        let manifest = ArchiveManifest(
            month: PartitionMonth(year: 2026, month: 10)!, archiveFile: "audit_events_2026_10-x.ndjson.gz", rowCount: 1,
            sha256: String(repeating: "a", count: 64), firstEventID: nil, lastEventID: nil, firstTimestamp: nil, lastTimestamp: nil,
            createdAt: AuditTimestamp(rfc3339: "2026-12-01T00:00:00Z")!, store: "sqlite")
        #expect(manifest.json.contains(#""format":"auditledger-archive/3""#))
        #expect(try ArchiveManifest(json: manifest.json) == manifest)
        for older in ["auditledger-archive/2", "auditledger-archive/1"] {
            #expect(try ArchiveManifest(json: manifest.json.replacingOccurrences(of: "auditledger-archive/3", with: older)) == manifest)
        }
        let formatNine = manifest.json.replacingOccurrences(of: "auditledger-archive/3", with: "auditledger-archive/9")
        #expect(throws: AuditError.self) { try ArchiveManifest(json: formatNine) }
    }
}
