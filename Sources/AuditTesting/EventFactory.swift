public import AuditCore

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Builds realistic, valid audit events the way clients send them, and turns them into
/// ``AuditEvent`` values through the real ``EventValidator``.
public enum EventFactory {
    /// A validation policy wide enough for events months away from now (imports).
    public static let importPolicy = ValidationPolicy(maximumFutureSkewSeconds: 400 * 86_400, maximumAgeSeconds: 3650 * 86_400)

    /// A Kubernaut `gateway.signal.received` request, as the gateway sends it.
    public static func gatewaySignal(
        at timestamp: AuditTimestamp, correlationID: String = "rr-2025-001", fingerprint: String = "fp-abc123"
    ) -> JSONObject {
        var data = JSONObject()
        data["event_type"] = .string("gateway.signal.received")
        data["signal_type"] = .string("prometheus-alert")
        data["signal_name"] = .string("KubePodCrashLooping")
        data["namespace"] = .string("payments-prod")
        data["fingerprint"] = .string(fingerprint)
        data["severity"] = .string("critical")
        var labels = JSONObject()
        labels["alertname"] = .string("KubePodCrashLooping")
        labels["pod"] = .string("checkout-7d9f8c6b5-x2k4q")
        labels["team"] = .string("payments")
        data["labels"] = .object(labels)
        data["occurrence_count"] = .number("3")
        var request = JSONObject()
        request["version"] = .string("1.0")
        request["event_type"] = .string("gateway.signal.received")
        request["event_timestamp"] = .string(timestamp.description)
        request["event_category"] = .string("gateway")
        request["event_action"] = .string("received")
        request["event_outcome"] = .string("success")
        request["actor_type"] = .string("service")
        request["actor_id"] = .string("gateway-service")
        request["resource_type"] = .string("Signal")
        request["resource_id"] = .string(fingerprint)
        request["correlation_id"] = .string(correlationID)
        request["namespace"] = .string("payments-prod")
        request["event_data"] = .object(data)
        return request
    }

    /// A minimal valid request with the given fields; `data` becomes `event_data`.
    public static func request(
        type: String = "workflow.execution.completed",
        category: String = "workflowexecution",
        action: String = "completed",
        outcome: String = "success",
        correlationID: String = "rr-test",
        at timestamp: AuditTimestamp,
        eventID: UUID? = nil,
        parentID: UUID? = nil,
        fields: [String: JSONValue] = [:],
        data: JSONObject = JSONObject([.init(key: "step", value: .number("1"))])
    ) -> JSONObject {
        var request = JSONObject()
        request["version"] = .string("1.0")
        request["event_type"] = .string(type)
        request["event_timestamp"] = .string(timestamp.description)
        request["event_category"] = .string(category)
        request["event_action"] = .string(action)
        request["event_outcome"] = .string(outcome)
        request["correlation_id"] = .string(correlationID)
        if let eventID { request["event_id"] = .string(eventID.uuidString.lowercased()) }
        if let parentID { request["parent_event_id"] = .string(parentID.uuidString.lowercased()) }
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) { request[name] = value }
        request["event_data"] = .object(data)
        return request
    }

    /// The validated event for `request` (wide time window, see ``importPolicy``).
    public static func event(_ request: JSONObject, now: AuditTimestamp = .now()) throws -> AuditEvent {
        try EventValidator(policy: importPolicy).event(from: .object(request), now: now)
    }

    /// A validated minimal event; see ``request(type:category:action:outcome:correlationID:at:eventID:parentID:fields:data:)``.
    public static func event(
        type: String = "workflow.execution.completed",
        category: String = "workflowexecution",
        outcome: String = "success",
        correlationID: String = "rr-test",
        at timestamp: AuditTimestamp,
        eventID: UUID? = nil,
        parentID: UUID? = nil,
        fields: [String: JSONValue] = [:],
        data: JSONObject = JSONObject([.init(key: "step", value: .number("1"))])
    ) throws -> AuditEvent {
        try event(
            request(
                type: type, category: category, outcome: outcome, correlationID: correlationID, at: timestamp,
                eventID: eventID, parentID: parentID, fields: fields, data: data
            )
        )
    }
}

extension AuditTimestamp {
    /// This instant moved by `microseconds`.
    public func adding(microseconds: Int64) -> AuditTimestamp {
        AuditTimestamp(microsecondsSinceEpoch: microsecondsSinceEpoch + microseconds)
    }
}
