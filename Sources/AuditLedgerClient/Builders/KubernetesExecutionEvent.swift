public import AuditCore

/// The Kubernetes executor's `KubernetesExecutionAudit` record, as the unified event
/// `POST /api/v1/audit/kubernetes-execution` stores (``AuditCore/KubernetesExecutionRecord``:
/// the record as `event_data`, the envelope derived from it, the id derived from the record, so
/// that a record recorded twice is stored once), with `event_data.event_type` added. Read back
/// in the record's shape by `GET /api/v1/audit/kubernetes-execution`.
public struct KubernetesExecutionEvent: AuditEventBuilder {
    public var executionID: String
    /// The workflow execution it belongs to (the event's `correlation_id`).
    public var workflowRef: String?
    public var stepIndex: Int?
    public var actionType: String
    /// The action's parameters (secrets in them are redacted by the client: `token`, `password`, …).
    public var actionParameters: JSONObject?
    public var targetNamespace: String?
    public var targetResourceKind: String?
    public var targetResourceName: String?
    public var success: Bool
    public var output: String?
    public var error: String?
    public var startTime: AuditTimestamp?
    public var endTime: AuditTimestamp?
    /// How long it ran (`duration`, in nanoseconds as Go's `time.Duration` writes it).
    public var duration: Duration?
    public var jobName: String?
    public var jobPodName: String?
    public var jobExitCode: Int?
    /// What the job used, e.g. `["cpu_millicores": 120, "memory_bytes": 52428800]`.
    public var resourceUsage: JSONObject?
    public var retryCount: Int?
    public var maxRetries: Int?
    public var phase: String?

    public init(
        executionID: String, workflowRef: String? = nil, stepIndex: Int? = nil, actionType: String, actionParameters: JSONObject? = nil,
        targetNamespace: String? = nil, targetResourceKind: String? = nil, targetResourceName: String? = nil, success: Bool, output: String? = nil,
        error: String? = nil, startTime: AuditTimestamp? = nil, endTime: AuditTimestamp? = nil, duration: Duration? = nil, jobName: String? = nil,
        jobPodName: String? = nil, jobExitCode: Int? = nil, resourceUsage: JSONObject? = nil, retryCount: Int? = nil, maxRetries: Int? = nil,
        phase: String? = nil
    ) {
        self.executionID = executionID
        self.workflowRef = workflowRef
        self.stepIndex = stepIndex
        self.actionType = actionType
        self.actionParameters = actionParameters
        self.targetNamespace = targetNamespace
        self.targetResourceKind = targetResourceKind
        self.targetResourceName = targetResourceName
        self.success = success
        self.output = output
        self.error = error
        self.startTime = startTime
        self.endTime = endTime
        self.duration = duration
        self.jobName = jobName
        self.jobPodName = jobPodName
        self.jobExitCode = jobExitCode
        self.resourceUsage = resourceUsage
        self.retryCount = retryCount
        self.maxRetries = maxRetries
        self.phase = phase
    }

    /// The record, as the executor's Go client would send it (members left out when unset).
    public var record: JSONValue {
        let members: [(String, JSONValue?)] = [
            ("event_type", .string(KubernetesExecutionRecord.eventType)), ("execution_id", .string(executionID)),
            ("workflow_ref", JSONOf.string(workflowRef)), ("step_index", JSONOf.int(stepIndex)), ("action_type", .string(actionType)),
            ("action_parameters", actionParameters.map(JSONValue.object)), ("target_namespace", JSONOf.string(targetNamespace)),
            ("target_resource_kind", JSONOf.string(targetResourceKind)), ("target_resource_name", JSONOf.string(targetResourceName)),
            ("success", .bool(success)), ("output", JSONOf.string(output)), ("error", JSONOf.string(error)),
            ("start_time", JSONOf.time(startTime)), ("end_time", JSONOf.time(endTime)),
            ("duration", duration.map { .number(String($0.nanoseconds)) }), ("job_name", JSONOf.string(jobName)),
            ("job_pod_name", JSONOf.string(jobPodName)), ("job_exit_code", JSONOf.int(jobExitCode)),
            ("job_resource_usage", resourceUsage.map(JSONValue.object)), ("retry_count", JSONOf.int(retryCount)),
            ("max_retries", JSONOf.int(maxRetries)), ("completed_at", JSONOf.time(endTime)), ("phase", JSONOf.string(phase)),
        ]
        return .object(JSONObject(members.compactMap { key, value in value.map { JSONObject.Member(key: key, value: $0) } }))
    }

    public func request() throws(AuditError) -> JSONValue {
        do throws(AuditError) {
            return try KubernetesExecutionRecord.eventJSON(from: record, now: .now())
        } catch {
            throw KubernetesExecutionRecord.renamingFields(error)
        }
    }
}
