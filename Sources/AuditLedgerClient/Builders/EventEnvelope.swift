public import AuditCore

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// What every built event carries, whatever its service: DS V5.8's common envelope.
///
/// At the event's level: `correlation_id`, `actor_id` (the service), the time, the parent, the
/// namespace, cluster, severity and duration. In `event_data`, before the service's own
/// members: `event_type` (equal to the event's, as Kubernaut's clients decode by it),
/// `version`, `service`, `operation` and `status`, and — when set — `attempt`, `retry_reason`
/// and `source_payload`.
public struct EventEnvelope: Sendable {
    /// The service that emits the event (`actor_id`, and `service` in `event_data`), e.g. `gateway`.
    public var service: String
    /// The remediation (or other unit of work) the event belongs to, e.g. `rr-2025-001`.
    public var correlationID: String
    /// When it happened. Default: when the envelope was made.
    public var timestamp: AuditTimestamp
    /// The event's id. Default `nil`: the client gives it one when it records it.
    public var eventID: UUID?
    /// The event that caused this one.
    public var parentEventID: UUID?
    public var namespace: String?
    public var clusterID: String?
    public var severity: String?
    /// How long the operation took, in milliseconds.
    public var durationMS: Int?
    /// Which attempt this is (1 for the first), when the service retries.
    public var attempt: Int?
    /// Why this attempt is a retry.
    public var retryReason: String?
    /// What the service received, as it received it (redacted like the rest of `event_data`).
    public var sourcePayload: JSONValue?

    /// Creates an envelope; every parameter but `service` and `correlationID` defaults to the
    /// value documented on its property (`nil` when none is).
    public init(
        service: String, correlationID: String, timestamp: AuditTimestamp = .now(), eventID: UUID? = nil, parentEventID: UUID? = nil,
        namespace: String? = nil, clusterID: String? = nil, severity: String? = nil, durationMS: Int? = nil, attempt: Int? = nil,
        retryReason: String? = nil, sourcePayload: JSONValue? = nil
    ) {
        self.service = service
        self.correlationID = correlationID
        self.timestamp = timestamp
        self.eventID = eventID
        self.parentEventID = parentEventID
        self.namespace = namespace
        self.clusterID = clusterID
        self.severity = severity
        self.durationMS = durationMS
        self.attempt = attempt
        self.retryReason = retryReason
        self.sourcePayload = sourcePayload
    }

    /// The request (Kubernaut's `AuditEventRequest`) of an event of `eventType`, its
    /// `event_data` the envelope's members then `payload`'s (members whose value is `nil` left out).
    func request(
        eventType: String, category: String, action: String, outcome: EventOutcome, status: String, resourceType: String,
        resourceID: String, errorMessage: String? = nil, payload: [(String, JSONValue?)]
    ) -> JSONValue {
        var data: [JSONObject.Member] = [
            .init(key: "event_type", value: .string(eventType)), .init(key: "version", value: .string("1.0")),
            .init(key: "service", value: .string(service)), .init(key: "operation", value: .string(action)),
            .init(key: "status", value: .string(status)),
        ]
        if let attempt { data.append(.init(key: "attempt", value: .number(String(attempt)))) }
        if let retryReason { data.append(.init(key: "retry_reason", value: .string(retryReason))) }
        if let sourcePayload { data.append(.init(key: "source_payload", value: sourcePayload)) }
        for (key, value) in payload {
            if let value { data.append(.init(key: key, value: value)) }
        }
        var members: [JSONObject.Member] = [
            .init(key: "version", value: .string("1.0")), .init(key: "event_type", value: .string(eventType)),
            .init(key: "event_timestamp", value: .string(timestamp.description)), .init(key: "event_category", value: .string(category)),
            .init(key: "event_action", value: .string(action)), .init(key: "event_outcome", value: .string(outcome.rawValue)),
            .init(key: "actor_type", value: .string("service")), .init(key: "actor_id", value: .string(service)),
            .init(key: "resource_type", value: .string(resourceType)), .init(key: "resource_id", value: .string(resourceID)),
            .init(key: "correlation_id", value: .string(correlationID)),
        ]
        func add(_ key: String, _ value: String?) {
            if let value { members.append(.init(key: key, value: .string(value))) }
        }
        add("event_id", eventID?.uuidString.lowercased())
        add("parent_event_id", parentEventID?.uuidString.lowercased())
        add("namespace", namespace)
        add("cluster_id", clusterID)
        add("severity", severity)
        if let durationMS { members.append(.init(key: "duration_ms", value: .number(String(durationMS)))) }
        add("error_message", errorMessage)
        members.append(.init(key: "event_data", value: .object(JSONObject(data))))
        return .object(JSONObject(members))
    }
}

/// An event a builder makes: what ``AuditLedgerClient/record(_:)-(AuditEventBuilder)`` takes.
public protocol AuditEventBuilder: Sendable {
    /// The event as Kubernaut's `AuditEventRequest`.
    /// - Throws: `validation-error` when the builder's values break its event's own rules
    ///   (only builders of records with such rules throw).
    func request() throws(AuditError) -> JSONValue
}

extension AuditLedgerClient {
    /// Records the event `builder` makes (see ``record(_:)-(JSONValue)``).
    @discardableResult
    public func record(_ builder: some AuditEventBuilder) -> RecordOutcome {
        do throws(AuditError) {
            return record(try builder.request())
        } catch {
            metrics.setAside("invalid")
            return .invalid(error)
        }
    }
}

/// JSON values of Swift ones, for builders' payloads.
enum JSONOf {
    static func string(_ value: String?) -> JSONValue? { value.map(JSONValue.string) }
    static func int(_ value: Int?) -> JSONValue? { value.map { .number(String($0)) } }
    static func bool(_ value: Bool?) -> JSONValue? { value.map(JSONValue.bool) }
    /// A finite double, written as Swift writes it (`0.92`, `1e-05`), or nothing.
    static func double(_ value: Double?) -> JSONValue? {
        guard let value, value.isFinite else { return nil }
        return .number(String(value))
    }
    static func strings(_ value: [String: String]?) -> JSONValue? {
        guard let value else { return nil }
        return .object(JSONObject(value.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: .string($0.value)) }))
    }
    static func doubles(_ value: [String: Double]?) -> JSONValue? {
        guard let value else { return nil }
        return .object(JSONObject(value.sorted { $0.key < $1.key }.compactMap { key, number in double(number).map { .init(key: key, value: $0) } }))
    }
    static func time(_ value: AuditTimestamp?) -> JSONValue? { value.map { .string($0.description) } }
}
