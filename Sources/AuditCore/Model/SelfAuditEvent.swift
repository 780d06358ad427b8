/// One of AuditLedger's own audit events, before it is stored: what the server or an operator
/// command did that an auditor of the audit store asks about. Stored like any other event, in
/// the category `security`, under the correlation `auditledger-security-YYYY-MM-DD` (one a day),
/// with `written_by` `auditledger`:
///
/// | `event_type` | When | `resource_type` / `resource_id` |
/// | --- | --- | --- |
/// | `auditledger.legal_hold.placed` | a hold is placed | `legal_hold` / the held correlation id |
/// | `auditledger.legal_hold.released` | holds are released | `legal_hold` / the correlation id |
/// | `auditledger.auth.refused` | credentials were refused (counted per reason and address over an interval) | `api` / `auditledger` |
/// | `auditledger.tokens.changed` | the token file's tokens changed on reload (ids added, revoked, removed) | `token_file` / `auth-tokens` |
/// | `auditledger.retention.removed` | retention archived, verified and removed a month | `partition` / `YYYY-MM` |
/// | `auditledger.retention.failed` | retention could not remove an eligible month (outcome `failure`) | `partition` / `YYYY-MM` |
/// | `auditledger.partition.restored` | a month was restored from its archive | `partition` / `YYYY-MM` |
/// | `auditledger.quarantine.retried` | an operator stored a quarantine record's events again (outcome `failure` when refused again) | `quarantine_record` / its id |
/// | `auditledger.quarantine.exported` | an operator exported quarantine records | `quarantine` / `auditledger` |
///
/// They never join the correlation they are about: a remediation's timeline and what a hold
/// covers stay exactly what its services sent.
public struct SelfAuditEvent: Sendable, Hashable {
    public var eventType: String
    public var action: String
    public var outcome: EventOutcome
    /// `user` for a person, `service` for a service account or the server, `network` for an address.
    public var actorType: String
    public var actorID: String
    public var actorIP: String?
    public var resourceType: String
    public var resourceID: String
    /// `event_data`.
    public var data: JSONObject
    public var timestamp: AuditTimestamp

    public init(
        eventType: String, action: String, outcome: EventOutcome = .success, actorType: String, actorID: String, actorIP: String? = nil,
        resourceType: String, resourceID: String, data: JSONObject, timestamp: AuditTimestamp
    ) {
        self.eventType = eventType
        self.action = action
        self.outcome = outcome
        self.actorType = actorType
        self.actorID = actorID
        self.actorIP = actorIP
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.data = data
        self.timestamp = timestamp
    }

    /// `written_by` of every such event.
    public static let writer = "auditledger"

    /// `auditledger-security-2026-12-01`: one correlation per day.
    public static func dailyCorrelation(_ time: AuditTimestamp) -> String {
        "auditledger-security-" + time.utcDate.description
    }

    /// The event to store, validated like any write (`event_id` assigned, fields bounded), or
    /// the reason it cannot be.
    public func auditEvent(policy: ValidationPolicy = ValidationPolicy()) throws(AuditError) -> AuditEvent {
        var members: [JSONObject.Member] = [
            .init(key: "version", value: .string("1.0")), .init(key: "event_type", value: .string(eventType)),
            .init(key: "event_timestamp", value: .string(timestamp.description)), .init(key: "event_category", value: .string("security")),
            .init(key: "event_action", value: .string(action)), .init(key: "event_outcome", value: .string(outcome.rawValue)),
            .init(key: "actor_type", value: .string(actorType)), .init(key: "actor_id", value: .string(String(actorID.prefix(255)))),
            .init(key: "resource_type", value: .string(resourceType)), .init(key: "resource_id", value: .string(String(resourceID.prefix(255)))),
            .init(key: "correlation_id", value: .string(Self.dailyCorrelation(timestamp))), .init(key: "event_data", value: .object(data)),
        ]
        if let actorIP { members.append(.init(key: "actor_ip", value: .string(actorIP))) }
        var policy = policy
        policy.eventIDs = .assigned
        var event = try EventValidator(policy: policy).event(from: .object(JSONObject(members)), now: timestamp)
        event.writtenBy = Self.writer
        return event
    }
}

/// Where AuditLedger's own events go: the server's trail (through its writer and spool) or,
/// for an operator command, the store directly.
public protocol SelfAuditRecorder: Sendable {
    /// Records `event`. Never throws: a recorder that cannot store it logs that, and the action
    /// it describes stands (it is also in the lifecycle log or the quarantine table).
    func record(_ event: SelfAuditEvent) async
}
