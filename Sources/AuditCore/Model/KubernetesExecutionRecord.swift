import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The Kubernetes executor's `KubernetesExecutionAudit` record (its
/// `POST /api/v1/audit/kubernetes-execution`), stored as one unified event and read back in
/// its own shape.
///
/// The record is kept whole as `event_data` (less its `id`, which the executor sends empty);
/// the envelope is derived from it:
///
/// | Event member | From the record |
/// | --- | --- |
/// | `event_type` | ``eventType`` (`kubernetesexecution.action.executed`) |
/// | `event_category`, `event_action` | `workflowexecution`, `executed` |
/// | `event_outcome` | `success`: `success` or `failure` |
/// | `event_timestamp` | `completed_at`, else `end_time`, else when the request is read |
/// | `correlation_id` | `workflow_ref`, else `execution_id` |
/// | `actor_type`, `actor_id` | `service`, `kubernetes-executor` |
/// | `resource_type`, `resource_id` | `target_resource_kind` (else `KubernetesExecution`), `target_resource_name` (else `execution_id`) |
/// | `namespace` | `target_namespace` |
/// | `duration_ms` | `duration` (Go's `time.Duration`: nanoseconds) / 1,000,000 |
/// | `error_message` | `error` |
///
/// Go's zero time (`0001-01-01T00:00:00Z`), which the executor sends for a time it does not
/// know, counts as absent. The event id is derived from the record (SHA-256 of
/// `auditledger.kubernetes-execution.v1` and a newline, then the record's canonical JSON
/// without `id`, as a version 8 UUID), so a record sent again unchanged is stored once.
public enum KubernetesExecutionRecord {
    /// `event_type` of every stored record.
    public static let eventType = "kubernetesexecution.action.executed"
    /// `actor_id` of every stored record.
    public static let actorID = "kubernetes-executor"
    /// How Go writes its zero `time.Time`: a time the executor does not know.
    static let goZeroTime = "0001-01-01T00:00:00"

    /// The event, in the body form of `POST /api/v1/audit/events`, that stores `value`; pass it
    /// to ``EventValidator/event(from:now:)`` and its problems to ``renamingFields(_:)``.
    /// - Throws: `validation-error` naming the record's members.
    public static func eventJSON(from value: JSONValue, now: AuditTimestamp) throws(AuditError) -> JSONValue {
        guard case .object(let object) = value else {
            throw AuditError(.malformedRequest, detail: "a KubernetesExecutionAudit record must be a JSON object, not \(value.typeName)")
        }
        var reader = FieldReader(object)
        let executionID = reader.requiredString("execution_id", maxLength: 255)
        let workflowRef = reader.optionalString("workflow_ref", maxLength: 255)
        _ = reader.optionalInteger("step_index", in: Int64(Int32.min)...Int64(Int32.max))
        _ = reader.requiredString("action_type", maxLength: 100)
        let namespace = reader.optionalString("target_namespace", maxLength: 253)
        let kind = reader.optionalString("target_resource_kind", maxLength: 100)
        let name = reader.optionalString("target_resource_name", maxLength: 253)
        let success = reader.optionalBool("success")
        if reader.value("success") == nil { reader.fail("success", "is required") }
        _ = reader.optionalString("output", maxLength: nil)
        let error = reader.optionalString("error", maxLength: nil)
        var times: [String: AuditTimestamp] = [:]
        for member in ["start_time", "end_time", "created_at", "completed_at"] {
            guard let text = reader.optionalString(member, maxLength: 64), !text.hasPrefix(goZeroTime) else { continue }
            guard let time = AuditTimestamp(rfc3339: text) else {
                reader.fail(member, "must be an RFC 3339 date-time with an offset, such as 2025-12-13T02:00:00Z")
                continue
            }
            times[member] = time
        }
        let duration = reader.optionalInteger("duration", in: 0...(Int64(Int32.max) * 1_000_000))
        _ = reader.optionalString("job_name", maxLength: 255)
        _ = reader.optionalString("job_pod_name", maxLength: 255)
        _ = reader.optionalInteger("job_exit_code", in: Int64(Int32.min)...Int64(Int32.max))
        _ = reader.optionalInteger("retry_count", in: 0...Int64(Int32.max))
        _ = reader.optionalInteger("max_retries", in: 0...Int64(Int32.max))
        _ = reader.optionalString("phase", maxLength: 50)
        switch reader.value("job_resource_usage") {
        case nil, .object?: break
        case let usage?: reader.fail("job_resource_usage", "must be an object, not \(usage.typeName)")
        }
        guard reader.errors.isEmpty, let executionID, let success else { throw AuditError.validation(reader.errors) }

        var members: [JSONObject.Member] = []
        func add(_ key: String, _ value: JSONValue?) {
            if let value { members.append(.init(key: key, value: value)) }
        }
        add("version", .string("1.0"))
        add("event_type", .string(eventType))
        add("event_timestamp", .string((times["completed_at"] ?? times["end_time"] ?? now).description))
        add("event_category", .string("workflowexecution"))
        add("event_action", .string("executed"))
        add("event_outcome", .string(success ? "success" : "failure"))
        add("correlation_id", .string(workflowRef ?? executionID))
        add("actor_type", .string("service"))
        add("actor_id", .string(actorID))
        add("resource_type", .string(kind ?? "KubernetesExecution"))
        add("resource_id", .string(name ?? executionID))
        add("namespace", namespace.map(JSONValue.string))
        add("duration_ms", duration.map { .number(String($0 / 1_000_000)) })
        add("error_message", error.map(JSONValue.string))
        let data = JSONValue.object(JSONObject(object.members.filter { $0.key != "id" }))
        var hasher = SHA256()
        hasher.update(data: Array("auditledger.kubernetes-execution.v1\n".utf8))
        hasher.update(data: data.canonicalBytes)
        add("event_id", .string(EventIdentifier.derived(from: hasher).uuidString.lowercased()))
        add("event_data", data)
        return .object(JSONObject(members))
    }

    /// The record's members for the event members the validator names.
    static let memberOfField: [String: String] = [
        "event_timestamp": "completed_at", "correlation_id": "workflow_ref", "namespace": "target_namespace",
        "resource_type": "target_resource_kind", "resource_id": "target_resource_name", "duration_ms": "duration",
        "error_message": "error",
    ]

    /// `error` with the event's members named as the record's (`event_data.x` as `x`).
    public static func renamingFields(_ error: AuditError) -> AuditError {
        error.renamingFields { field in
            let name = memberOfField[field] ?? field
            return name.hasPrefix("event_data.") ? String(name.dropFirst("event_data.".count)) : name
        }
    }

    /// The record as stored, with `id` the event's id and `created_at` kept as sent.
    public static func record(of event: AuditEvent) -> JSONValue {
        var members = [JSONObject.Member(key: "id", value: .string(event.id.uuidString.lowercased()))]
        if let data = try? event.eventData.object() {
            members += data.members.filter { $0.key != "id" }
        }
        return .object(JSONObject(members))
    }

    /// The query parameters ``query(parameters:now:)`` takes, each standing for one of the query
    /// API's (`action_type` for an `event_data` containment).
    static let parameterNames: [String: String] = [
        "workflow_ref": "correlation_id", "target_namespace": "namespace", "success": "event_outcome", "since": "since", "until": "until",
        "limit": "limit", "offset": "offset", "order": "order", "execution_id": "event_data", "action_type": "event_data",
    ]

    /// The question `GET /api/v1/audit/kubernetes-execution` asks: the records of one workflow
    /// (`workflow_ref`), an action type, a result (`success=true|false`), a target namespace,
    /// a time window (`since`, `until`), with `limit`, `offset` and `order` as the query API has them.
    /// - Throws: `validation-error` naming the parameter.
    public static func query(parameters: [(name: String, value: String)], now: AuditTimestamp) throws(AuditError) -> EventQuery {
        var translated: [(name: String, value: String)] = [("event_type", eventType)]
        var contains: [JSONObject.Member] = []
        for (name, value) in parameters {
            guard let target = parameterNames[name] else {
                throw AuditError.validation(
                    field: name, "is not a parameter of this operation (\(parameterNames.keys.sorted().joined(separator: ", ")))")
            }
            switch name {
            case "success":
                guard value == "true" || value == "false" else { throw AuditError.validation(field: name, "must be true or false") }
                translated.append((target, value == "true" ? "success" : "failure"))
            case "execution_id", "action_type":
                guard !contains.contains(where: { $0.key == name }) else { throw AuditError.validation(field: name, "is given twice") }
                contains.append(.init(key: name, value: .string(value)))
            default:
                translated.append((target, value))
            }
        }
        if !contains.isEmpty { translated.append(("event_data", JSONValue.object(JSONObject(contains)).compactText)) }
        do {
            return try EventQuery(parameters: translated, now: now)
        } catch {
            let back = Dictionary(parameterNames.filter { $0.value != "event_data" }.map { ($0.value, $0.key) }, uniquingKeysWith: { $1 })
            throw error.renamingFields { back[$0] ?? $0 }
        }
    }
}
