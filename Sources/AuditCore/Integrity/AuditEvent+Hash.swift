import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The event hash: SHA-256 of the event's canonical encoding, `auditledger.event.v1`
/// (docs/integrity.md specifies it for independent verifiers; `scripts/verify_events.py`
/// recomputes it from the API's JSON with Python's standard library).
///
/// The encoding is the canonical JSON (``JSONValue/canonicalBytes``: compact, members sorted by
/// the UTF-8 bytes of their names, numbers as `[-]digits[e<exponent>]`) of one object holding
/// every stored field that never changes, `null` where absent:
/// `actor_id`, `actor_ip`, `actor_type`, `cluster_id`, `correlation_id`, `duration_ms`,
/// `encoding` (`"auditledger.event.v1"`), `error_code`, `error_message`, `event_action`,
/// `event_category`, `event_data`, `event_id`, `event_outcome`, `event_timestamp` (as the API
/// writes it), `event_type`, `event_version`, `is_sensitive`, `namespace`, `parent_event_date`
/// (`YYYY-MM-DD`), `parent_event_id`, `resource_id`, `resource_type`, `retention_days`,
/// `severity`, `written_by`. Left out: what is derived (`event_date`), assigned by the store
/// (`insert_seq`) or changes (legal holds).
extension AuditEvent {
    /// The encoding's name, the first part of ``hashAlgorithm``.
    public static let hashEncoding = "auditledger.event.v1"
    /// `hash_algorithm` of events hashed by this version: `sha256:auditledger.event.v1`.
    public static let hashAlgorithm = "sha256:" + hashEncoding

    /// The canonical encoding (UTF-8 JSON bytes).
    /// - Throws: when `event_data` is not a JSON object (only a damaged store gives one).
    public func canonicalEncoding() throws(JSONSyntaxError) -> [UInt8] {
        let data = try eventData.canonicalBytes()
        var writer = JSONWriter(capacity: data.count + 1024)
        // Members in ascending order of the names' UTF-8 bytes, as canonical JSON has them (a
        // test checks this against the generic canonical writer). Written directly rather than
        // as a JSONValue tree (an allocation per member); `event_data`'s canonical bytes are
        // spliced in as they are, without parsing the payload again when they are known.
        func name(_ key: String) {
            writer.writeByte(writer.bytes.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            writer.writeString(key)
            writer.writeByte(UInt8(ascii: ":"))
        }
        func text(_ key: String, _ value: String?) {
            name(key)
            if let value { writer.writeString(value) } else { writer.writeRaw("null".utf8) }
        }
        func number(_ key: String, _ value: Int64?) {
            name(key)
            writer.writeRaw((value.map { JSONNumber.canonical(String($0)) } ?? "null").utf8)
        }
        text("actor_id", actorID)
        text("actor_ip", actorIP)
        text("actor_type", actorType)
        text("cluster_id", clusterID)
        text("correlation_id", correlationID)
        number("duration_ms", durationMS.map(Int64.init))
        text("encoding", Self.hashEncoding)
        text("error_code", errorCode)
        text("error_message", errorMessage)
        text("event_action", action)
        text("event_category", category)
        name("event_data")
        writer.writeRaw(data)
        text("event_id", id.lowercaseText)
        text("event_outcome", outcome.rawValue)
        text("event_timestamp", timestamp.description)
        text("event_type", eventType)
        text("event_version", version)
        name("is_sensitive")
        writer.writeRaw((isSensitive ? "true" : "false").utf8)
        text("namespace", namespace)
        text("parent_event_date", parentEventDate?.description)
        text("parent_event_id", parentEventID?.lowercaseText)
        text("resource_id", resourceID)
        text("resource_type", resourceType)
        number("retention_days", Int64(retentionDays))
        text("severity", severity)
        text("written_by", writtenBy)
        writer.writeByte(UInt8(ascii: "}"))
        return writer.bytes
    }

    /// `event_hash`: the lowercase hex SHA-256 of ``canonicalEncoding()``.
    public func eventHash() throws(JSONSyntaxError) -> String {
        Hex.lowercase(SHA256.hash(data: try canonicalEncoding()))
    }

    /// The event hash and the log's leaf hash, from one encoding.
    public func digest() throws(JSONSyntaxError) -> EventDigest {
        let encoding = try canonicalEncoding()
        return EventDigest(eventHash: Hex.lowercase(SHA256.hash(data: encoding)), leafHash: EventDigest.leafHash(ofEncoding: encoding))
    }
}

/// What the store keeps of an event's encoding: its `event_hash`, and the leaf hash the log
/// (RFC 9162) is built from.
public struct EventDigest: Sendable, Hashable {
    /// SHA-256 of the canonical encoding, lowercase hex.
    public var eventHash: String
    /// RFC 9162's leaf hash, SHA-256(0x00 ‖ canonical encoding), lowercase hex.
    public var leafHash: String

    public init(eventHash: String, leafHash: String) {
        self.eventHash = eventHash
        self.leafHash = leafHash
    }

    /// SHA-256(0x00 ‖ `encoding`), lowercase hex.
    public static func leafHash(ofEncoding encoding: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: encoding)
        return Hex.lowercase(hasher.finalize())
    }
}
