public import AuditCore

/// A workflow execution started, completed or failed (`workflowexecution.workflow.*`);
/// `event_data` as Kubernaut's `WorkflowExecutionAuditPayload`.
public struct WorkflowExecutionEvent: AuditEventBuilder {
    public enum Stage: String, Sendable {
        case started, completed, failed
    }

    public var envelope: EventEnvelope
    public var stage: Stage
    public var workflowID: String
    public var workflowVersion: String
    public var workflowName: String?
    public var actionType: String?
    /// What it acts on, e.g. `payment/deployment/payment-api`.
    public var targetResource: String
    public var containerImage: String
    /// The WorkflowExecution resource's name (`resource_id`).
    public var executionName: String
    public var startedAt: AuditTimestamp?
    public var completedAt: AuditTimestamp?
    /// Human-readable, e.g. `2m30s`.
    public var duration: String?
    /// One of Kubernaut's categories (`OOMKilled`, `DeadlineExceeded`, `TaskFailed`, …).
    public var failureReason: String?
    public var failureMessage: String?
    public var failedTaskName: String?
    public var pipelineRunName: String?

    public init(
        envelope: EventEnvelope, stage: Stage, workflowID: String, workflowVersion: String, workflowName: String? = nil, actionType: String? = nil,
        targetResource: String, containerImage: String, executionName: String, startedAt: AuditTimestamp? = nil, completedAt: AuditTimestamp? = nil,
        duration: String? = nil, failureReason: String? = nil, failureMessage: String? = nil, failedTaskName: String? = nil,
        pipelineRunName: String? = nil
    ) {
        self.envelope = envelope
        self.stage = stage
        self.workflowID = workflowID
        self.workflowVersion = workflowVersion
        self.workflowName = workflowName
        self.actionType = actionType
        self.targetResource = targetResource
        self.containerImage = containerImage
        self.executionName = executionName
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.duration = duration
        self.failureReason = failureReason
        self.failureMessage = failureMessage
        self.failedTaskName = failedTaskName
        self.pipelineRunName = pipelineRunName
    }

    public func request() -> JSONValue {
        let outcome: EventOutcome = stage == .failed ? .failure : stage == .started ? .pending : .success
        let phase = ["started": "Running", "completed": "Completed", "failed": "Failed"][stage.rawValue]!
        return envelope.request(
            eventType: "workflowexecution.workflow.\(stage.rawValue)", category: "workflowexecution", action: stage.rawValue, outcome: outcome,
            status: outcome == .failure ? "failure" : outcome == .pending ? "pending" : "success", resourceType: "WorkflowExecution",
            resourceID: executionName, errorMessage: failureMessage,
            payload: [
                ("workflow_id", .string(workflowID)), ("workflow_version", .string(workflowVersion)), ("workflow_name", JSONOf.string(workflowName)),
                ("action_type", JSONOf.string(actionType)), ("target_resource", .string(targetResource)), ("phase", .string(phase)),
                ("container_image", .string(containerImage)), ("execution_name", .string(executionName)),
                ("started_at", JSONOf.time(startedAt)), ("completed_at", JSONOf.time(completedAt)), ("duration", JSONOf.string(duration)),
                ("failure_reason", JSONOf.string(failureReason)), ("failure_message", JSONOf.string(failureMessage)),
                ("failed_task_name", JSONOf.string(failedTaskName)), ("pipelinerun_name", JSONOf.string(pipelineRunName)),
            ])
    }
}
