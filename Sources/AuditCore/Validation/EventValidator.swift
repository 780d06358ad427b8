#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Turns request JSON into ``AuditEvent`` values, applying Kubernaut's write rules and defaults.
///
/// Every broken rule is reported with the field it concerns. Unknown members are ignored, as
/// Kubernaut does; `event_data` is kept whole. An event sent without `event_id` gets one here,
/// when it is accepted (see ``ValidationPolicy/eventIDs``), so that every later step — a spool
/// replay, a group commit retried alone — stores it under that id, once.
public struct EventValidator: Sendable {
    /// `retention_days` when none is sent: 2555 days (seven years).
    public static let defaultRetentionDays: Int32 = 2555
    /// Largest accepted `retention_days`.
    public static let maximumRetentionDays: Int64 = 2555

    /// The limits applied.
    public var policy: ValidationPolicy

    public init(policy: ValidationPolicy = ValidationPolicy()) {
        self.policy = policy
    }

    /// Validates one event object. `now` bounds `event_timestamp`.
    public func event(from value: JSONValue, now: AuditTimestamp) throws(AuditError) -> AuditEvent {
        guard case .object(let object) = value else {
            throw AuditError(.malformedRequest, detail: "an audit event must be a JSON object, not \(value.typeName)")
        }
        var reader = FieldReader(object)
        let event = read(&reader, now: now)
        guard let event, reader.errors.isEmpty else {
            throw AuditError.validation(reader.errors)
        }
        return event
    }

    /// Validates a batch: a non-empty JSON array of at most ``ValidationPolicy/maximumBatchSize``
    /// event objects. The first bad item fails the whole batch; its detail starts `event at index <i>:`.
    public func batch(from value: JSONValue, now: AuditTimestamp) throws(AuditError) -> [AuditEvent] {
        guard case .array(let items) = value else {
            throw AuditError(.malformedRequest, detail: "the batch body must be a JSON array of audit events, not \(value.typeName)")
        }
        guard !items.isEmpty else {
            throw AuditError.validation(field: "events", "the batch must contain at least one event")
        }
        guard items.count <= policy.maximumBatchSize else {
            throw AuditError(
                .batchSizeExceeded,
                detail: "the batch holds \(items.count) events; the limit is \(policy.maximumBatchSize)"
            )
        }
        var events: [AuditEvent] = []
        events.reserveCapacity(items.count)
        var positions: [UUID: Int] = [:]
        for (index, item) in items.enumerated() {
            let event: AuditEvent
            do {
                event = try self.event(from: item, now: now)
            } catch {
                throw error.inBatch(at: index)
            }
            if let earlier = positions[event.id] {
                // The same event twice is stored once; two different events cannot share an id.
                guard events[earlier].hasSameContent(as: event) else {
                    throw AuditError.validation(field: "event_id", "is also the event_id of the event at index \(earlier)").inBatch(at: index)
                }
            } else {
                positions[event.id] = index
            }
            events.append(event)
        }
        return events
    }

    // MARK: - Fields

    private func read(_ reader: inout FieldReader, now: AuditTimestamp) -> AuditEvent? {
        let version =
            reader.value("version") == nil && reader.value("event_version") != nil
            ? reader.requiredString("event_version", maxLength: 20)
            : reader.requiredString("version", maxLength: 20)
        let eventType = reader.requiredString("event_type", maxLength: 100)
        let timestamp = readTimestamp(&reader, now: now)
        let category = reader.requiredString("event_category", maxLength: 50)
        let action = reader.requiredString("event_action", maxLength: 50)
        let outcome = readOutcome(&reader)
        let correlationID = reader.requiredString("correlation_id", maxLength: 255)
        let eventData = readEventData(&reader, eventType: eventType).map(redacted)

        let clientID = reader.optionalUUID("event_id")
        let actorType = reader.optionalString("actor_type", maxLength: 50)
        let actorID = reader.optionalString("actor_id", maxLength: 255)
        let actorIP = readActorIP(&reader)
        let resourceType = reader.optionalString("resource_type", maxLength: 100)
        let resourceID = reader.optionalString("resource_id", maxLength: 255)
        let parentEventID = reader.optionalUUID("parent_event_id")
        let namespace = reader.optionalString("namespace", maxLength: 253)
        let clusterID = readClusterID(&reader)
        let severity = reader.optionalString("severity", maxLength: 20)
        let duration = reader.optionalInteger("duration_ms", in: 0...Int64(Int32.max))
        let errorCode = reader.optionalString("error_code", maxLength: 50)
        let errorMessage = reader.optionalString("error_message", maxLength: nil)
        let retention = reader.optionalInteger("retention_days", in: 1...Self.maximumRetentionDays)
        let isSensitive = reader.optionalBool("is_sensitive")

        guard reader.errors.isEmpty, let version, let eventType, let timestamp, let category, let action, let outcome,
            let correlationID, let eventData
        else {
            return nil
        }
        var event = AuditEvent(
            id: clientID ?? AuditEvent.placeholderID,
            version: version,
            timestamp: timestamp,
            eventType: eventType,
            category: category,
            action: action,
            outcome: outcome,
            actorType: actorType ?? "service",
            actorID: actorID ?? "\(category)-service",
            actorIP: actorIP,
            resourceType: resourceType ?? category,
            resourceID: resourceID ?? correlationID,
            correlationID: correlationID,
            parentEventID: parentEventID,
            namespace: namespace,
            clusterID: clusterID,
            severity: severity,
            durationMS: duration.map { Int32($0) },
            errorCode: errorCode,
            errorMessage: errorMessage,
            retentionDays: retention.map { Int32($0) } ?? Self.defaultRetentionDays,
            isSensitive: isSensitive ?? false,
            eventData: eventData.data
        )
        if clientID == nil {
            switch policy.eventIDs {
            case .assigned: event.id = EventIdentifier.make(at: now)
            case .contentDerived: event.id = event.contentDerivedID(eventData: eventData.object)
            }
        }
        return event
    }

    private func readTimestamp(_ reader: inout FieldReader, now: AuditTimestamp) -> AuditTimestamp? {
        guard let text = reader.requiredString("event_timestamp", maxLength: 64) else { return nil }
        guard let timestamp = AuditTimestamp(rfc3339: text) else {
            reader.fail("event_timestamp", "must be an RFC 3339 date-time with an offset, such as 2025-12-13T02:00:00Z")
            return nil
        }
        if timestamp > now.adding(seconds: policy.maximumFutureSkewSeconds) {
            reader.fail("event_timestamp", "is more than \(describe(seconds: policy.maximumFutureSkewSeconds)) in the future")
            return nil
        }
        if timestamp < now.adding(seconds: -policy.maximumAgeSeconds) {
            reader.fail("event_timestamp", "is more than \(describe(seconds: policy.maximumAgeSeconds)) in the past")
            return nil
        }
        return timestamp
    }

    private func readOutcome(_ reader: inout FieldReader) -> EventOutcome? {
        guard let text = reader.requiredString("event_outcome", maxLength: 20) else { return nil }
        guard let outcome = EventOutcome(rawValue: text) else {
            reader.fail("event_outcome", "must be one of success, failure, pending")
            return nil
        }
        return outcome
    }

    private func readActorIP(_ reader: inout FieldReader) -> String? {
        guard let text = reader.optionalString("actor_ip", maxLength: 64) else { return nil }
        guard let canonical = IPAddress.canonical(text) else {
            reader.fail("actor_ip", "must be an IPv4 or IPv6 host address")
            return nil
        }
        return canonical
    }

    private func readClusterID(_ reader: inout FieldReader) -> String? {
        let clusterID = reader.optionalString("cluster_id", maxLength: 255)
        let clusterName = reader.optionalString("cluster_name", maxLength: 255)
        if let clusterID, let clusterName, !clusterID.hasSameBytes(as: clusterName) {
            reader.fail("cluster_name", "differs from cluster_id; send one of them (cluster_name is the older name)")
            return nil
        }
        return clusterID ?? clusterName
    }

    private func describe(seconds: Int64) -> String {
        if seconds % 86_400 == 0 { return seconds == 86_400 ? "1 day" : "\(seconds / 86_400) days" }
        if seconds % 60 == 0 { return seconds == 60 ? "1 minute" : "\(seconds / 60) minutes" }
        return "\(seconds) seconds"
    }
}
