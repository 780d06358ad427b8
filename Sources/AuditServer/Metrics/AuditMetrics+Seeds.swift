import AuditCore
import CoreMetrics
import Synchronization

/// The metrics Data Storage V5.8 and DD-WORKFLOW-014 name (docs/metrics.md, "The seeds'
/// metrics"), with label values kept to fixed sets.
extension AuditMetrics {
    /// The write API a request used: `single` or `batch`.
    enum WriteOperation: String, CaseIterable, Sendable {
        case single, batch
    }

    /// Kubernaut's event categories (its spec's `event_category` enum); any other is `other`.
    static let services: Set<String> = [
        "gateway", "notification", "analysis", "aiagent", "signalprocessing", "workflow", "workflowexecution", "orchestration", "approval",
        "effectiveness", "actiontype", "apifrontend", "security", "agentsession",
    ]
    /// The categories the `workflow_audit_*` metrics count.
    static let workflowCategories: Set<String> = ["workflow", "workflowexecution"]
    /// Most distinct `event_type` values named per process; later ones count as `other`.
    static let maximumEventTypes = 100
    /// The operations `audit_query_duration_seconds` names.
    static let queryOperations = [
        "query", "event", "export", "verify_chain", "verify", "proof", "consistency", "checkpoint", "holds", "partitions", "quarantine", "timeline",
        "stats",
    ]

    /// Counts an event that breaks its type's schema (`auditledger_event_schema_violations_total`;
    /// the types are the registry's, so the labels stay few).
    func schemaViolation(eventType: String, mode: EventSchemaRegistry.Mode) {
        Counter(
            label: "auditledger_event_schema_violations_total", dimensions: [("event_type", eventType), ("mode", mode.rawValue)], factory: factory
        ).increment()
    }

    /// Counts acknowledged events (answered `201` or `202`) by service, operation and outcome,
    /// and by event type.
    func acknowledged(_ events: [AuditEvent], operation: WriteOperation) {
        var byServiceOutcome: [String: [String: Int]] = [:]
        var byType: [String: Int] = [:]
        var workflow: [String: Int] = [:]
        for index in events.indices {  // in place: `for event in` would copy every event
            let category = events[index].category
            let service = Self.services.contains(category) ? category : "other"
            let outcome = events[index].outcome.rawValue
            byServiceOutcome[service, default: [:]][outcome, default: 0] += 1
            byType[events[index].eventType, default: 0] += 1
            if Self.workflowCategories.contains(category) { workflow[outcome, default: 0] += 1 }
        }
        for (service, outcomes) in byServiceOutcome {
            for (outcome, count) in outcomes {
                Counter(
                    label: "audit_events_total", dimensions: [("service", service), ("operation", operation.rawValue), ("outcome", outcome)],
                    factory: factory
                ).increment(by: count)
            }
        }
        for (type, count) in byType {
            Counter(label: "audit_event_types_total", dimensions: [("event_type", boundedEventType(type))], factory: factory).increment(by: count)
        }
        for (outcome, count) in workflow {
            Counter(label: "workflow_audit_writes_total", dimensions: [("outcome", outcome)], factory: factory).increment(by: count)
        }
    }

    /// `type` while fewer than ``maximumEventTypes`` types have been named, else `other`.
    private func boundedEventType(_ type: String) -> String {
        eventTypes.withLock { known in
            if known.contains(type) { return type }
            guard known.count < Self.maximumEventTypes else { return "other" }
            known.insert(type)
            return type
        }
    }

    /// A write request answered with `status` after `nanoseconds`.
    func wrote(_ operation: WriteOperation, status: Int, nanoseconds: Int64, carriesWorkflowEvents: Bool) {
        Timer(label: "audit_write_duration_seconds", dimensions: [("operation", operation.rawValue)], factory: factory)
            .recordNanoseconds(nanoseconds)
        if status >= 400 {
            Counter(
                label: "audit_write_failures_total", dimensions: [("operation", operation.rawValue), ("kind", status >= 500 ? "server" : "client")],
                factory: factory
            ).increment()
        }
        guard carriesWorkflowEvents else { return }
        Timer(label: "workflow_audit_write_duration_seconds", factory: factory).recordNanoseconds(nanoseconds)
        if status >= 500 { Counter(label: "workflow_audit_write_errors_total", factory: factory).increment() }
    }

    /// A read answered after `nanoseconds`; `workflow` when it asked for workflow events only.
    func queried(_ operation: String, nanoseconds: Int64, workflow: Bool) {
        Timer(label: "audit_query_duration_seconds", dimensions: [("operation", operation)], factory: factory).recordNanoseconds(nanoseconds)
        if workflow { Timer(label: "workflow_audit_query_duration_seconds", factory: factory).recordNanoseconds(nanoseconds) }
    }

    /// Creates the series alerts and panels read before anything happened, at zero.
    func createSeedSeries() {
        for operation in WriteOperation.allCases {
            _ = Timer(label: "audit_write_duration_seconds", dimensions: [("operation", operation.rawValue)], factory: factory)
            for kind in ["client", "server"] {
                _ = Counter(label: "audit_write_failures_total", dimensions: [("operation", operation.rawValue), ("kind", kind)], factory: factory)
            }
        }
        for operation in Self.queryOperations {
            _ = Timer(label: "audit_query_duration_seconds", dimensions: [("operation", operation)], factory: factory)
        }
        _ = Timer(label: "workflow_audit_write_duration_seconds", factory: factory)
        _ = Timer(label: "workflow_audit_query_duration_seconds", factory: factory)
        _ = Counter(label: "workflow_audit_write_errors_total", factory: factory)
        for outcome in EventOutcome.allCases {
            _ = Counter(label: "workflow_audit_writes_total", dimensions: [("outcome", outcome.rawValue)], factory: factory)
        }
        Gauge(label: "auditledger_build_info", dimensions: [("version", AuditLedgerVersion.current)], factory: factory).record(1)
    }
}
