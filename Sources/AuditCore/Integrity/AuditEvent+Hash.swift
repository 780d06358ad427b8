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
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        let members: [JSONObject.Member] = [
            .init(key: "actor_id", value: .string(actorID)),
            .init(key: "actor_ip", value: text(actorIP)),
            .init(key: "actor_type", value: .string(actorType)),
            .init(key: "cluster_id", value: text(clusterID)),
            .init(key: "correlation_id", value: .string(correlationID)),
            .init(key: "duration_ms", value: durationMS.map { .number(String($0)) } ?? .null),
            .init(key: "encoding", value: .string(Self.hashEncoding)),
            .init(key: "error_code", value: text(errorCode)),
            .init(key: "error_message", value: text(errorMessage)),
            .init(key: "event_action", value: .string(action)),
            .init(key: "event_category", value: .string(category)),
            .init(key: "event_data", value: .object(try eventData.object())),
            .init(key: "event_id", value: .string(id.uuidString.lowercased())),
            .init(key: "event_outcome", value: .string(outcome.rawValue)),
            .init(key: "event_timestamp", value: .string(timestamp.description)),
            .init(key: "event_type", value: .string(eventType)),
            .init(key: "event_version", value: .string(version)),
            .init(key: "is_sensitive", value: .bool(isSensitive)),
            .init(key: "namespace", value: text(namespace)),
            .init(key: "parent_event_date", value: text(parentEventDate?.description)),
            .init(key: "parent_event_id", value: text(parentEventID?.uuidString.lowercased())),
            .init(key: "resource_id", value: .string(resourceID)),
            .init(key: "resource_type", value: .string(resourceType)),
            .init(key: "retention_days", value: .number(String(retentionDays))),
            .init(key: "severity", value: text(severity)),
            .init(key: "written_by", value: text(writtenBy)),
        ]
        return JSONValue.object(JSONObject(members)).canonicalBytes
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
