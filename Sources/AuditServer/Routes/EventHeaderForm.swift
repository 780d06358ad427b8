import AuditCore
import HTTPTypes
import Hummingbird

/// DS V5.8's header form of `POST /api/v1/audit/events`: the envelope in headers, the body
/// `event_data` itself. A request is in this form when it carries `X-Event-Type`; the event
/// is then read as if its JSON had been sent, so the same rules apply, and a problem with a
/// member the headers give is reported under the header's name.
///
/// | Header | Member | When absent |
/// | --- | --- | --- |
/// | `X-Event-Type` | `event_type` | — (it selects the form) |
/// | `X-Service` | `event_category`, `actor_id` (`actor_type` `service`) | required |
/// | `X-Correlation-ID` | `correlation_id` | required |
/// | `X-Resource-Type` | `resource_type` | the service |
/// | `X-Resource-ID` | `resource_id` | the correlation id |
/// | `X-Outcome` | `event_outcome` | required |
/// | `X-Event-Action` | `event_action` | the last dot-separated part of the event type |
/// | `X-Event-ID` | `event_id` | a new one |
/// | `X-Event-Timestamp` | `event_timestamp` | the time the request is read |
///
/// `event_version` is `1.0`.
enum EventHeaderForm {
    static let eventType = HTTPField.Name("X-Event-Type")!
    static let service = HTTPField.Name("X-Service")!
    static let correlationID = HTTPField.Name("X-Correlation-ID")!
    static let resourceType = HTTPField.Name("X-Resource-Type")!
    static let resourceID = HTTPField.Name("X-Resource-ID")!
    static let outcome = HTTPField.Name("X-Outcome")!
    static let action = HTTPField.Name("X-Event-Action")!
    static let eventID = HTTPField.Name("X-Event-ID")!
    static let timestamp = HTTPField.Name("X-Event-Timestamp")!

    /// The member each header stands for, for naming problems.
    static let headerOfMember: [String: String] = [
        "event_type": "X-Event-Type", "event_category": "X-Service", "actor_id": "X-Service", "correlation_id": "X-Correlation-ID",
        "resource_type": "X-Resource-Type", "resource_id": "X-Resource-ID", "event_outcome": "X-Outcome", "event_action": "X-Event-Action",
        "event_id": "X-Event-ID", "event_timestamp": "X-Event-Timestamp",
    ]

    /// Whether `headers` select the header form.
    static func applies(to headers: HTTPFields) -> Bool { headers[eventType] != nil }

    /// The event's JSON as the body form would carry it.
    static func event(headers: HTTPFields, eventData: JSONValue, now: AuditTimestamp) -> JSONValue {
        var members: [JSONObject.Member] = []
        func add(_ key: String, _ value: String?) {
            if let value { members.append(.init(key: key, value: .string(value))) }
        }
        let type = headers[eventType]
        add("event_type", type)
        add("event_category", headers[service])
        add("actor_type", headers[service] == nil ? nil : "service")
        add("actor_id", headers[service])
        add("correlation_id", headers[correlationID])
        add("resource_type", headers[resourceType])
        add("resource_id", headers[resourceID] ?? headers[correlationID])
        add("event_outcome", headers[outcome])
        add("event_action", headers[action] ?? type.map { String($0.split(separator: ".").last ?? Substring($0)) })
        add("event_id", headers[eventID])
        add("event_timestamp", headers[timestamp] ?? now.description)
        add("version", "1.0")
        members.append(.init(key: "event_data", value: eventData))
        return .object(JSONObject(members))
    }

    /// `error` with its field names given as the headers that carried them (`event_action`,
    /// when derived, as `X-Event-Type`), each named once.
    static func renamingFields(_ error: AuditError, headers: HTTPFields) -> AuditError {
        error.renamingFields { field in
            field == "event_action" && headers[action] == nil ? "X-Event-Type" : headerOfMember[field] ?? field
        }
    }
}
