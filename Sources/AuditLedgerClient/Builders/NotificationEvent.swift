public import AuditCore

/// A notification was delivered (`notification.message.sent`) or could not be
/// (`notification.message.failed`); `event_data` as Kubernaut's `NotificationMessageSentPayload`
/// and `NotificationMessageFailedPayload`.
public struct NotificationEvent: AuditEventBuilder {
    public var envelope: EventEnvelope
    /// Whether delivery failed (`errorType`, `error` say how).
    public var failed: Bool
    /// The NotificationRequest resource's name (`resource_id`).
    public var notificationID: String
    /// `email`, `slack`, `pagerduty`, …
    public var channel: String
    public var subject: String
    public var body: String
    public var priority: String
    /// The notification's type, e.g. `escalation` (sent events).
    public var type: String
    public var errorType: String?
    public var error: String?
    public var metadata: [String: String]?

    public init(
        envelope: EventEnvelope, failed: Bool = false, notificationID: String, channel: String, subject: String, body: String, priority: String,
        type: String, errorType: String? = nil, error: String? = nil, metadata: [String: String]? = nil
    ) {
        self.envelope = envelope
        self.failed = failed
        self.notificationID = notificationID
        self.channel = channel
        self.subject = subject
        self.body = body
        self.priority = priority
        self.type = type
        self.errorType = errorType
        self.error = error
        self.metadata = metadata
    }

    public func request() -> JSONValue {
        let action = failed ? "failed" : "sent"
        return envelope.request(
            eventType: "notification.message.\(action)", category: "notification", action: action, outcome: failed ? .failure : .success,
            status: failed ? "failure" : "success", resourceType: "NotificationRequest", resourceID: notificationID,
            errorMessage: failed ? error : nil,
            payload: [
                ("notification_id", .string(notificationID)), ("channel", .string(channel)), ("subject", .string(subject)),
                ("body", .string(body)), ("priority", .string(priority)), ("type", .string(type)),
                ("error_type", failed ? .string(errorType ?? "unknown") : nil), ("error", failed ? JSONOf.string(error) : nil),
                ("metadata", JSONOf.strings(metadata)),
            ])
    }
}
