import AuditCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One request's events as the spool keeps them: a 16-byte header, then the events as JSON.
///
/// ```
/// offset 0   "ALS1"          magic
///        4   UInt32 LE       payload length in bytes
///        8   UInt32 LE       number of events
///       12   UInt32 LE       CRC-32C of bytes 4..<12 and of the payload
///       16   payload         {"batch":true|false,"events":[…]} (each event as the API returns it)
/// ```
struct SpoolRecord: Sendable {
    static let magic: [UInt8] = Array("ALS1".utf8)
    static let headerSize = 16
    /// A record longer than this is taken for garbage when reading.
    static let maximumPayload = 64 * 1024 * 1024

    var batch: EventBatch

    /// The record's bytes, header included.
    func encoded() -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + batch.events.count * 1200)
        writer.writeRaw(#"{"batch":"#.utf8)
        writer.writeRaw((batch.reportsIndex ? "true" : "false").utf8)
        writer.writeRaw(#","events":["#.utf8)
        for (index, event) in batch.events.enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            StoredAuditEvent(event: event, insertSequence: 0).writeJSON(into: &writer)
        }
        writer.writeRaw("]}".utf8)
        let payload = writer.bytes
        var header = Self.magic
        header.appendLittleEndian(UInt32(payload.count))
        header.appendLittleEndian(UInt32(batch.events.count))
        let crc = CRC32C.checksum(payload, continuing: CRC32C.checksum(Array(header[4..<12])))
        header.appendLittleEndian(crc)
        return header + payload
    }

    /// What a header says, before the payload is checked.
    struct Header {
        var payloadLength: Int
        var eventCount: Int
        var crc: UInt32

        /// Reads a header from 16 bytes; `nil` when the magic is wrong or the length implausible.
        init?(_ bytes: some Collection<UInt8>) {
            let bytes = Array(bytes)
            guard bytes.count == SpoolRecord.headerSize, Array(bytes[0..<4]) == SpoolRecord.magic else { return nil }
            payloadLength = Int(bytes.littleEndianUInt32(at: 4))
            eventCount = Int(bytes.littleEndianUInt32(at: 8))
            crc = bytes.littleEndianUInt32(at: 12)
            guard payloadLength > 0, payloadLength <= SpoolRecord.maximumPayload else { return nil }
        }

        /// Whether `payload` is the one this header was written with.
        func matches(header bytes: [UInt8], payload: UnsafeRawBufferPointer) -> Bool {
            CRC32C.checksum(payload, continuing: CRC32C.checksum(Array(bytes[4..<12]))) == crc
        }
    }

    /// Decodes a payload whose checksum matched.
    static func decode(_ payload: UnsafeRawBufferPointer, eventCount: Int) throws(AuditError) -> SpoolRecord {
        func malformed(_ why: String) -> AuditError { AuditError(.internalError, detail: "a spool record is malformed: \(why)") }
        guard case .object(let object)? = try? JSONParser.parse(payload) else { throw malformed("not a JSON object") }
        guard case .bool(let reportsIndex)? = object["batch"], case .array(let items)? = object["events"] else {
            throw malformed("no batch or events member")
        }
        guard items.count == eventCount else { throw malformed("\(items.count) events, the header says \(eventCount)") }
        var events: [AuditEvent] = []
        events.reserveCapacity(items.count)
        for item in items {
            guard case .object(let fields) = item else { throw malformed("an event is not an object") }
            events.append(try StoredAuditEvent(json: fields).event)
        }
        return SpoolRecord(batch: EventBatch(events: events, reportsIndex: reportsIndex))
    }
}

extension [UInt8] {
    mutating func appendLittleEndian(_ value: UInt32) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    func littleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 3]) << 24
    }
}
