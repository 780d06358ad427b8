public import AuditCore

/// The gateway received a signal (`gateway.signal.received`) or recognised one it had seen
/// (`gateway.signal.deduplicated`); `event_data` as Kubernaut's `GatewayAuditPayload`.
public struct GatewaySignalEvent: AuditEventBuilder {
    public enum Kind: String, Sendable {
        case received, deduplicated
    }

    public var envelope: EventEnvelope
    public var kind: Kind
    /// The alert's name, e.g. `KubePodCrashLooping`.
    public var signalName: String
    /// What identifies the signal for deduplication (`resource_id` too).
    public var fingerprint: String
    /// The affected resource's namespace (`namespace` at the event's level when the envelope has none).
    public var namespace: String
    public var resourceKind: String?
    public var resourceName: String?
    /// The RemediationRequest created or found, `namespace/name`.
    public var remediationRequest: String?
    /// How many times the signal has been seen.
    public var occurrenceCount: Int?
    public var signalLabels: [String: String]?
    public var signalAnnotations: [String: String]?
    /// The signal as received, for reconstruction (secrets in it are redacted by the client).
    public var originalPayload: JSONValue?

    public init(
        envelope: EventEnvelope, kind: Kind, signalName: String, fingerprint: String, namespace: String, resourceKind: String? = nil,
        resourceName: String? = nil, remediationRequest: String? = nil, occurrenceCount: Int? = nil, signalLabels: [String: String]? = nil,
        signalAnnotations: [String: String]? = nil, originalPayload: JSONValue? = nil
    ) {
        self.envelope = envelope
        self.kind = kind
        self.signalName = signalName
        self.fingerprint = fingerprint
        self.namespace = namespace
        self.resourceKind = resourceKind
        self.resourceName = resourceName
        self.remediationRequest = remediationRequest
        self.occurrenceCount = occurrenceCount
        self.signalLabels = signalLabels
        self.signalAnnotations = signalAnnotations
        self.originalPayload = originalPayload
    }

    public func request() -> JSONValue {
        var envelope = self.envelope
        if envelope.namespace == nil { envelope.namespace = namespace }
        return envelope.request(
            eventType: "gateway.signal.\(kind.rawValue)", category: "gateway", action: kind.rawValue, outcome: .success, status: "success",
            resourceType: "Signal", resourceID: fingerprint,
            payload: [
                ("signal_type", .string("alert")), ("signal_name", .string(signalName)), ("namespace", .string(namespace)),
                ("fingerprint", .string(fingerprint)), ("severity", JSONOf.string(envelope.severity)),
                ("resource_kind", JSONOf.string(resourceKind)), ("resource_name", JSONOf.string(resourceName)),
                ("remediation_request", JSONOf.string(remediationRequest)),
                ("deduplication_status", .string(kind == .received ? "new" : "duplicate")), ("occurrence_count", JSONOf.int(occurrenceCount)),
                ("signal_labels", JSONOf.strings(signalLabels)), ("signal_annotations", JSONOf.strings(signalAnnotations)),
                ("original_payload", originalPayload),
            ])
    }
}
