public import AuditCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One request's events as the spool keeps them: a 16-byte header, then the payload.
///
/// ```
/// offset 0   "ALS" + version  magic: "ALS3" (written now), "ALS2" or "ALS1" (read only)
///        4   UInt32 LE        payload length in bytes (at most ``readLimit``)
///        8   UInt32 LE        number of events
///       12   UInt32 LE        CRC-32C of bytes 4..<12 and of the payload
///       16   payload
/// ```
///
/// Version 3 payload: `{"batch":…,"request_id":…,"received_at":…,"events":[…]}`, each event an
/// ``AuditCore/EventRecordCodec`` version 2 record (with `written_by`), the spool's own format;
/// version 2 is the same with codec version 1 records. Version 1 (written
/// by AuditLedger before the spool had a codec of its own) holds the events as the API answered
/// them then. A record whose checksum matches but that does not decode is never skipped: the
/// replayer stops there and says so (see ``Spool``).
public struct SpoolRecord: Sendable {
    static let magicPrefix: [UInt8] = Array("ALS".utf8)
    static let currentVersion: UInt8 = UInt8(ascii: "3")
    static let headerSize = 16
    /// Largest payload read back: 1 GiB (a longer length is taken for damage). What is written
    /// is bounded by ``SpoolConfiguration/maximumRecordBytes``.
    public static let readLimit = 1 << 30

    /// The request's events.
    public var batch: EventBatch
    /// The request's `X-Request-ID`, for the quarantine and the logs.
    public var requestID: String?
    /// When the server accepted the events.
    public var receivedAt: AuditTimestamp?

    public init(batch: EventBatch, requestID: String?, receivedAt: AuditTimestamp?) {
        self.batch = batch
        self.requestID = requestID
        self.receivedAt = receivedAt
    }

    /// An upper bound of the payload of a request of `bodyBytes` holding `events` events: a
    /// value never takes more bytes in a record than in the request (whitespace goes, escapes
    /// are never longer), and the defaults a record adds (ids, actor, resource, retention)
    /// take less than 2 KiB an event.
    public static func maximumPayloadBound(bodyBytes: Int, events: Int) -> Int {
        bodyBytes + events * 2048 + 1024
    }

    /// The record's bytes, header included, in the current version.
    func encoded() -> [UInt8] {
        var writer = JSONWriter(capacity: 128 + batch.events.count * 1200)
        var object = JSONObjectWriter(taking: &writer)
        // Kept for readers of this version before it stopped mattering: whether the request held more than one event.
        object.bool("batch", batch.events.count > 1)
        object.optional("request_id", requestID)
        object.optional("received_at", receivedAt?.description)
        writer = object.finishOpen()
        writer.writeRaw(#","events":["#.utf8)
        for (index, event) in batch.events.enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            EventRecordCodec.write(event, into: &writer)
        }
        writer.writeRaw("]}".utf8)
        let payload = writer.bytes
        var header = Self.magicPrefix + [Self.currentVersion]
        header.appendLittleEndian(UInt32(payload.count))
        header.appendLittleEndian(UInt32(batch.events.count))
        let crc = CRC32C.checksum(payload, continuing: CRC32C.checksum(Array(header[4..<12])))
        header.appendLittleEndian(crc)
        return header + payload
    }

    /// What a header says, before the payload is checked.
    struct Header {
        var version: UInt8
        var payloadLength: Int
        var eventCount: Int
        var crc: UInt32

        /// Reads a header from 16 bytes; `nil` when the magic is wrong or the length implausible.
        init?(_ bytes: some Collection<UInt8>) {
            let bytes = Array(bytes)
            guard bytes.count == SpoolRecord.headerSize, Array(bytes[0..<3]) == SpoolRecord.magicPrefix,
                bytes[3] >= UInt8(ascii: "1"), bytes[3] <= UInt8(ascii: "9")
            else { return nil }
            version = bytes[3]
            payloadLength = Int(bytes.littleEndianUInt32(at: 4))
            eventCount = Int(bytes.littleEndianUInt32(at: 8))
            crc = bytes.littleEndianUInt32(at: 12)
            guard payloadLength > 0, payloadLength <= SpoolRecord.readLimit else { return nil }
        }

        /// Whether `payload` is the one this header was written with.
        func matches(header bytes: [UInt8], payload: UnsafeRawBufferPointer) -> Bool {
            CRC32C.checksum(payload, continuing: CRC32C.checksum(Array(bytes[4..<12]))) == crc
        }
    }

    /// Decodes a payload whose checksum matched.
    /// - Throws: ``SpoolRecordUndecodable`` when it does not decode (a version this build does
    ///   not know, or a codec fault): the caller must stop, not skip it.
    static func decode(_ payload: UnsafeRawBufferPointer, version: UInt8, eventCount: Int) throws(SpoolRecordUndecodable) -> SpoolRecord {
        func malformed(_ why: String) -> SpoolRecordUndecodable { SpoolRecordUndecodable(reason: why) }
        guard (UInt8(ascii: "1")...UInt8(ascii: "3")).contains(version) else {
            throw malformed("it is written in spool format \(Character(Unicode.Scalar(version))), which this version of AuditLedger cannot read")
        }
        guard case .object(let object)? = try? JSONParser.parse(payload) else { throw malformed("its payload is not a JSON object") }
        guard case .bool? = object["batch"], case .array(let items)? = object["events"] else {
            throw malformed("it has no batch or events member")
        }
        guard items.count == eventCount else { throw malformed("it holds \(items.count) events, its header says \(eventCount)") }
        var events: [AuditEvent] = []
        events.reserveCapacity(items.count)
        for item in items {
            guard case .object(let fields) = item else { throw malformed("an event is not an object") }
            do throws(AuditError) {
                if version == UInt8(ascii: "1") {
                    events.append(try StoredAuditEvent(archiveJSON: fields).event)
                } else {
                    events.append(try EventRecordCodec.read(fields))
                }
            } catch {
                throw malformed(error.detail)
            }
        }
        var requestID: String?
        var receivedAt: AuditTimestamp?
        if case .string(let text)? = object["request_id"] { requestID = text }
        if case .string(let text)? = object["received_at"] { receivedAt = AuditTimestamp(rfc3339: text) }
        return SpoolRecord(batch: EventBatch(events: events), requestID: requestID, receivedAt: receivedAt)
    }
}

/// A spool record whose checksum is intact but which does not decode.
struct SpoolRecordUndecodable: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

extension [UInt8] {
    mutating func appendLittleEndian(_ value: UInt32) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    func littleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 3]) << 24
    }
}
