#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An event as the write API takes it: Kubernaut's `AuditEventRequest`.
extension AuditEvent {
    /// The event as a request body of `POST /api/v1/audit/events` (or one element of a batch):
    /// every member the event has, `event_id` included, optional ones only when set. Reading it
    /// back through ``EventValidator`` gives the same event (``hasSameContent(as:)``), which is
    /// what makes a client's retry of it idempotent. `written_by` is the server's to set and is
    /// left out; so is `parent_event_date`, which the store fills.
    public var requestJSON: JSONValue {
        var members: [JSONObject.Member] = []
        func add(_ key: String, _ value: String?) {
            if let value { members.append(.init(key: key, value: .string(value))) }
        }
        add("version", version)
        add("event_id", id.uuidString.lowercased())
        add("event_type", eventType)
        add("event_timestamp", timestamp.description)
        add("event_category", category)
        add("event_action", action)
        add("event_outcome", outcome.rawValue)
        add("actor_type", actorType)
        add("actor_id", actorID)
        add("actor_ip", actorIP)
        add("resource_type", resourceType)
        add("resource_id", resourceID)
        add("correlation_id", correlationID)
        add("parent_event_id", parentEventID?.uuidString.lowercased())
        add("namespace", namespace)
        add("cluster_id", clusterID)
        add("severity", severity)
        if let durationMS { members.append(.init(key: "duration_ms", value: .number(String(durationMS)))) }
        add("error_code", errorCode)
        add("error_message", errorMessage)
        members.append(.init(key: "retention_days", value: .number(String(retentionDays))))
        members.append(.init(key: "is_sensitive", value: .bool(isSensitive)))
        members.append(.init(key: "event_data", value: (try? eventData.object()).map(JSONValue.object) ?? .object(JSONObject([]))))
        return .object(JSONObject(members))
    }
}
