import Crypto

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// The canonical encoding of an event: one byte string per event content, whatever the
/// member order or whitespace of the request it came from.
///
/// It is used to derive `event_id` for events sent without one (so a retried request maps to
/// the same id and is stored once) and to tell a retry from a different event reusing an id.
extension AuditEvent {
    /// Stands in for `event_id` until the id is known.
    static let placeholderID = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!

    /// Whether `other` is the same event: equal ids and equal content, `event_data` compared
    /// by value (member order and escapes do not matter). `parent_event_date` is derived and ignored.
    public func hasSameContent(as other: AuditEvent) -> Bool {
        guard id == other.id, let mine = try? eventData.canonicalBytes(), let theirs = try? other.eventData.canonicalBytes() else {
            return false
        }
        return canonicalFields(eventData: mine) == other.canonicalFields(eventData: theirs)
    }

    /// The id an event without a client-supplied `event_id` gets: a UUID (version 8, RFC 9562)
    /// made from the SHA-256 of the canonical content. Equal content gives an equal id.
    public func contentDerivedID(eventData: JSONObject) -> UUID {
        var hasher = SHA256()
        hasher.update(data: Array("auditledger.event-id.v1\n".utf8))
        hasher.update(data: canonicalFields(eventData: JSONValue.object(eventData).canonicalBytes))
        return EventIdentifier.derived(from: hasher)
    }

    /// Every content field, length-prefixed in a fixed order; `event_id` and
    /// `parent_event_date` are left out.
    private func canonicalFields(eventData: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(eventData.count + 512)
        func field(_ text: String?) {
            guard let text else {
                output.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF])
                return
            }
            let utf8 = Array(text.utf8)
            withUnsafeBytes(of: UInt32(utf8.count).bigEndian) { output.append(contentsOf: $0) }
            output.append(contentsOf: utf8)
        }
        field(version)
        field(String(timestamp.microsecondsSinceEpoch))
        field(eventType)
        field(category)
        field(action)
        field(outcome.rawValue)
        field(actorType)
        field(actorID)
        field(actorIP)
        field(resourceType)
        field(resourceID)
        field(correlationID)
        field(parentEventID?.uuidString.lowercased())
        field(namespace)
        field(clusterID)
        field(severity)
        field(durationMS.map { String($0) })
        field(errorCode)
        field(errorMessage)
        field(String(retentionDays))
        field(isSensitive ? "true" : "false")
        withUnsafeBytes(of: UInt32(eventData.count).bigEndian) { output.append(contentsOf: $0) }
        output.append(contentsOf: eventData)
        return output
    }
}
