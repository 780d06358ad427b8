import Crypto

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Kubernaut's `NotificationAudit` record (its `POST /api/v1/audit/notifications`: one
/// delivery attempt of the notification controller), stored as one unified event.
///
/// The record is kept whole as `event_data`; the envelope is derived from it:
///
/// | Event member | From the record |
/// | --- | --- |
/// | `event_type` | ``eventType`` (`notification.delivery.recorded`) |
/// | `event_category`, `event_action` | `notification`, `status` (`sent`, `failed` or `pending`) |
/// | `event_outcome` | `status`: `sent` → `success`, `failed` → `failure`, `pending` → `pending` |
/// | `event_timestamp` | `sent_at` |
/// | `correlation_id` | `notification_id` |
/// | `actor_type`, `actor_id` | `service`, `notification` |
/// | `resource_type`, `resource_id` | `NotificationRequest`, `notification_id` |
/// | `error_message` | `error_message` |
///
/// The record keeps a correlation of its own, not the remediation's: Kubernaut keeps these
/// records in a table of their own, outside its audit events, and its generated client decodes
/// an audit event's `event_data` by an `event_type` from a closed list, which this one is not
/// on — so in the remediation's correlation it would make a Kubernaut reader's whole answer
/// fail. The remediation's own trail has the controller's `notification.message.*` events; the
/// records of one remediation are found by their `event_data` (`{"remediation_id": …}`).
///
/// `notification_id` is unique, as in Kubernaut's `notification_audit` table: the event id is
/// derived from it alone (SHA-256 of `auditledger.notification.v1`, a newline and the id, as a
/// version 8 UUID), so a second record with the same `notification_id` — sent again, or
/// different — is answered `409`, and the first stays as it was.
public enum NotificationAuditRecord {
    /// `event_type` of every stored record.
    public static let eventType = "notification.delivery.recorded"
    /// `actor_id` of every stored record.
    public static let actorID = "notification"
    /// The channels and statuses Kubernaut's contract allows.
    public static let channels = ["email", "slack", "pagerduty", "teams", "webhook"]
    public static let statuses = ["sent", "failed", "pending"]

    /// The event, in the body form of `POST /api/v1/audit/events`, that stores `value`; pass it
    /// to ``EventValidator/event(from:now:)`` and its problems to ``renamingFields(_:)``.
    /// - Throws: `validation-error` naming each of the record's members that breaks a rule of
    ///   Kubernaut's contract (required members, lengths, the channel and status enums, an
    ///   RFC 3339 `sent_at`, `escalation_level` 0–5).
    public static func eventJSON(from value: JSONValue) throws(AuditError) -> JSONValue {
        guard case .object(let object) = value else {
            throw AuditError(.malformedRequest, detail: "a NotificationAudit record must be a JSON object, not \(value.typeName)")
        }
        var reader = FieldReader(object)
        let remediationID = reader.requiredString("remediation_id", maxLength: 255)
        let notificationID = reader.requiredString("notification_id", maxLength: 255)
        _ = reader.requiredString("recipient", maxLength: 500)
        let channel = reader.requiredString("channel", maxLength: 50)
        if let channel, !channels.contains(channel) { reader.fail("channel", "must be one of \(channels.joined(separator: ", "))") }
        _ = reader.requiredString("message_summary", maxLength: 1000)
        let status = reader.requiredString("status", maxLength: 50)
        if let status, !statuses.contains(status) { reader.fail("status", "must be one of \(statuses.joined(separator: ", "))") }
        var sentAt: AuditTimestamp?
        if let text = reader.requiredString("sent_at", maxLength: 64) {
            sentAt = AuditTimestamp(rfc3339: text)
            if sentAt == nil { reader.fail("sent_at", "must be an RFC 3339 date-time with an offset, such as 2025-11-03T12:00:00Z") }
        }
        _ = reader.optionalString("delivery_status", maxLength: 255)
        let error = reader.optionalString("error_message", maxLength: 1000)
        _ = reader.optionalInteger("escalation_level", in: 0...5)
        guard reader.errors.isEmpty, remediationID != nil, let notificationID, let status, let sentAt else {
            throw AuditError.validation(reader.errors)
        }

        var members: [JSONObject.Member] = []
        func add(_ key: String, _ value: JSONValue?) {
            if let value { members.append(.init(key: key, value: value)) }
        }
        add("version", .string("1.0"))
        add("event_id", .string(eventID(notificationID: notificationID).uuidString.lowercased()))
        add("event_type", .string(eventType))
        add("event_timestamp", .string(sentAt.description))
        add("event_category", .string("notification"))
        add("event_action", .string(status))
        add("event_outcome", .string(status == "sent" ? "success" : status == "failed" ? "failure" : "pending"))
        add("correlation_id", .string(notificationID))
        add("actor_type", .string("service"))
        add("actor_id", .string(actorID))
        add("resource_type", .string("NotificationRequest"))
        add("resource_id", .string(notificationID))
        add("error_message", error.map(JSONValue.string))
        add("event_data", value)
        return .object(JSONObject(members))
    }

    /// The event id of the record with this `notification_id`.
    public static func eventID(notificationID: String) -> UUID {
        var hasher = SHA256()
        hasher.update(data: Array("auditledger.notification.v1\n".utf8))
        hasher.update(data: Array(notificationID.utf8))
        return EventIdentifier.derived(from: hasher)
    }

    /// The record's `id`, an integer as Kubernaut's `NotificationAuditResponse` has it: the first
    /// 63 bits of the event id, so that the same record always has the same `id`.
    public static func recordID(of eventID: UUID) -> Int64 {
        let bytes = withUnsafeBytes(of: eventID.uuid) { Array($0) }
        return Int64(bitPattern: bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } >> 1)
    }

    /// The event members the validator names, as the record's members.
    static let memberOfField: [String: String] = [
        "event_timestamp": "sent_at", "correlation_id": "notification_id", "resource_id": "notification_id", "error_message": "error_message",
        "event_action": "status",
    ]

    /// `error` with the event's members named as the record's (`event_data.x` as `x`).
    public static func renamingFields(_ error: AuditError) -> AuditError {
        error.renamingFields { field in
            let name = memberOfField[field] ?? field
            return name.hasPrefix("event_data.") ? String(name.dropFirst("event_data.".count)) : name
        }
    }

    /// The members of Kubernaut's `NotificationAudit` schema.
    static let recordMembers: Set<String> = [
        "remediation_id", "notification_id", "recipient", "channel", "message_summary", "status", "sent_at", "delivery_status", "error_message",
        "escalation_level",
    ]

    /// Kubernaut's `NotificationAuditResponse`: the record's members as sent (those of its schema,
    /// without `null`s), with `id`, and `created_at` and `updated_at` the time it was stored (a
    /// record is never updated). Members the schema does not have are kept in the stored event,
    /// not in this answer, which Kubernaut's generated client decodes strictly.
    public static func response(of event: AuditEvent, storedAt: AuditTimestamp) -> JSONValue {
        var members = [JSONObject.Member(key: "id", value: .number(String(recordID(of: event.id))))]
        if let data = try? event.eventData.object() {
            members += data.members.filter { member in
                guard recordMembers.contains(member.key) else { return false }
                if case .null = member.value { return false }
                return true
            }
        }
        members.append(.init(key: "created_at", value: .string(storedAt.description)))
        members.append(.init(key: "updated_at", value: .string(storedAt.description)))
        return .object(JSONObject(members))
    }
}
