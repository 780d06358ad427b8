extension EventSchemaRegistry {
    /// The seeds' event types, each in ``Mode/warn``: Kubernaut's payloads (gateway, AI
    /// analysis, workflow execution, notification messages), DD-WORKFLOW-014's catalog search,
    /// the Kubernetes executor's record and the notification controller's delivery record.
    public static let builtIn: EventSchemaRegistry = {
        var registry = EventSchemaRegistry()
        for (types, description, text) in builtInSchemas {
            // The texts are this file's own: one that does not read is a programming error.
            let schema = try! EventSchema(json: try! JSONParser.parse(text))
            for type in types {
                registry.entries[type] = Entry(eventType: type, mode: .warn, schema: schema, description: description, source: "built-in")
            }
        }
        return registry
    }()

    static let builtInSchemas: [(types: [String], description: String, schema: String)] = [
        (
            ["gateway.signal.received", "gateway.signal.deduplicated"],
            "The gateway received a signal, or recognised one it had seen (Kubernaut's GatewayAuditPayload).",
            #"""
            {"type": "object", "required": ["event_type", "signal_type", "signal_name", "namespace", "fingerprint"],
             "properties": {
               "event_type": {"type": "string", "enum": ["gateway.signal.received", "gateway.signal.deduplicated", "gateway.crd.created", "gateway.crd.failed"]},
               "signal_type": {"type": "string", "enum": ["alert"]},
               "signal_name": {"type": "string", "minLength": 1},
               "namespace": {"type": "string"},
               "fingerprint": {"type": "string", "minLength": 1},
               "severity": {"type": "string"},
               "resource_kind": {"type": "string"},
               "resource_name": {"type": "string"},
               "remediation_request": {"type": "string"},
               "deduplication_status": {"type": "string", "enum": ["new", "duplicate"]},
               "occurrence_count": {"type": "integer", "minimum": 0},
               "signal_labels": {"type": "object"},
               "signal_annotations": {"type": "object"},
               "original_payload": {"type": "object"}}}
            """#
        ),
        (
            ["aianalysis.analysis.completed", "aianalysis.analysis.failed"],
            "An AI analysis ended (Kubernaut's AIAnalysisAuditPayload), with the LLM provider and model when the producer names them.",
            #"""
            {"type": "object", "required": ["event_type", "analysis_name", "namespace", "phase", "approval_required", "degraded_mode", "warnings_count"],
             "properties": {
               "event_type": {"type": "string", "enum": ["aianalysis.analysis.completed", "aianalysis.analysis.failed"]},
               "analysis_name": {"type": "string", "minLength": 1},
               "namespace": {"type": "string"},
               "phase": {"type": "string", "enum": ["Pending", "Investigating", "Analyzing", "Completed", "Failed"]},
               "approval_required": {"type": "boolean"},
               "approval_reason": {"type": "string"},
               "degraded_mode": {"type": "boolean"},
               "warnings_count": {"type": "integer", "minimum": 0},
               "confidence": {"type": "number", "minimum": 0, "maximum": 1},
               "workflow_id": {"type": "string"},
               "llm_provider": {"type": "string"},
               "llm_model": {"type": "string"},
               "prompt_tokens": {"type": "integer", "minimum": 0},
               "completion_tokens": {"type": "integer", "minimum": 0},
               "reason": {"type": "string"},
               "sub_reason": {"type": "string"}}}
            """#
        ),
        (
            ["workflow.catalog.search_completed"],
            "The workflow catalog answered a search (DD-WORKFLOW-014): the query and each workflow returned with its rank and scoring.",
            #"""
            {"type": "object", "required": ["query", "results"],
             "properties": {
               "query": {"type": "object", "required": ["text", "top_k"],
                 "properties": {"text": {"type": "string"}, "filters": {"type": "object"}, "top_k": {"type": "integer", "minimum": 1}}},
               "results": {"type": "object", "required": ["total_found", "returned", "workflows"],
                 "properties": {
                   "total_found": {"type": "integer", "minimum": 0},
                   "returned": {"type": "integer", "minimum": 0},
                   "workflows": {"type": "array", "items": {"type": "object", "required": ["workflow_id", "version", "rank", "scoring"],
                     "properties": {
                       "workflow_id": {"type": "string", "minLength": 1},
                       "version": {"type": "string"},
                       "rank": {"type": "integer", "minimum": 1},
                       "scoring": {"type": "object",
                         "required": ["confidence", "base_similarity", "label_boost", "label_penalty", "boost_breakdown", "penalty_breakdown"],
                         "properties": {
                           "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                           "base_similarity": {"type": "number"},
                           "label_boost": {"type": "number"},
                           "label_penalty": {"type": "number"},
                           "boost_breakdown": {"type": "object"},
                           "penalty_breakdown": {"type": "object"}}}}}}}}}}
            """#
        ),
        (
            ["workflowexecution.workflow.started", "workflowexecution.workflow.completed", "workflowexecution.workflow.failed"],
            "A workflow execution started, completed or failed (Kubernaut's WorkflowExecutionAuditPayload).",
            #"""
            {"type": "object", "required": ["event_type", "workflow_id", "workflow_version", "target_resource", "phase", "container_image", "execution_name"],
             "properties": {
               "event_type": {"type": "string"},
               "workflow_id": {"type": "string", "minLength": 1},
               "workflow_version": {"type": "string"},
               "workflow_name": {"type": "string"},
               "action_type": {"type": "string"},
               "target_resource": {"type": "string"},
               "phase": {"type": "string", "enum": ["Pending", "Running", "Completed", "Failed"]},
               "container_image": {"type": "string"},
               "execution_name": {"type": "string", "minLength": 1},
               "started_at": {"type": "string"},
               "completed_at": {"type": "string"},
               "duration": {"type": "string"},
               "failure_reason": {"type": "string", "enum": ["OOMKilled", "DeadlineExceeded", "Forbidden", "ImagePullBackOff", "ConfigurationError",
                                  "ResourceExhausted", "TaskFailed", "UnsupportedEngine", "Deduplicated", "Unknown"]},
               "failure_message": {"type": "string"},
               "failed_task_name": {"type": "string"},
               "pipelinerun_name": {"type": "string"}}}
            """#
        ),
        (
            [KubernetesExecutionRecord.eventType],
            "The Kubernetes executor's KubernetesExecutionAudit record (POST /api/v1/audit/kubernetes-execution, or the client's builder).",
            #"""
            {"type": "object", "required": ["execution_id", "action_type", "success"],
             "properties": {
               "execution_id": {"type": "string", "minLength": 1, "maxLength": 255},
               "workflow_ref": {"type": "string", "maxLength": 255},
               "step_index": {"type": "integer"},
               "action_type": {"type": "string", "minLength": 1, "maxLength": 100},
               "action_parameters": {"type": ["object", "null"]},
               "target_namespace": {"type": "string", "maxLength": 253},
               "success": {"type": "boolean"},
               "duration": {"type": "integer", "minimum": 0},
               "job_exit_code": {"type": "integer"},
               "job_resource_usage": {"type": ["object", "null"]},
               "retry_count": {"type": "integer", "minimum": 0},
               "max_retries": {"type": "integer", "minimum": 0}}}
            """#
        ),
        (
            ["notification.message.sent"],
            "A notification was delivered (Kubernaut's NotificationMessageSentPayload).",
            #"""
            {"type": "object", "required": ["notification_id", "channel", "subject", "body", "priority", "type"],
             "properties": {
               "notification_id": {"type": "string", "minLength": 1}, "channel": {"type": "string"}, "subject": {"type": "string"},
               "body": {"type": "string"}, "priority": {"type": "string"}, "type": {"type": "string"}, "metadata": {"type": "object"}}}
            """#
        ),
        (
            ["notification.message.failed"],
            "A notification could not be delivered (Kubernaut's NotificationMessageFailedPayload).",
            #"""
            {"type": "object", "required": ["notification_id", "channel", "subject", "body", "priority", "error_type"],
             "properties": {
               "notification_id": {"type": "string", "minLength": 1}, "channel": {"type": "string"}, "subject": {"type": "string"},
               "body": {"type": "string"}, "priority": {"type": "string"}, "error_type": {"type": "string"}, "error": {"type": "string"},
               "metadata": {"type": "object"}}}
            """#
        ),
        (
            [NotificationAuditRecord.eventType],
            "The notification controller's delivery record (Kubernaut's NotificationAudit, POST /api/v1/audit/notifications).",
            #"""
            {"type": "object", "required": ["remediation_id", "notification_id", "recipient", "channel", "message_summary", "status", "sent_at"],
             "properties": {
               "remediation_id": {"type": "string", "minLength": 1, "maxLength": 255},
               "notification_id": {"type": "string", "minLength": 1, "maxLength": 255},
               "recipient": {"type": "string", "minLength": 1, "maxLength": 500},
               "channel": {"type": "string", "enum": ["email", "slack", "pagerduty", "teams", "webhook"]},
               "message_summary": {"type": "string", "minLength": 1, "maxLength": 1000},
               "status": {"type": "string", "enum": ["sent", "failed", "pending"]},
               "sent_at": {"type": "string"},
               "delivery_status": {"type": ["string", "null"], "maxLength": 255},
               "error_message": {"type": ["string", "null"], "maxLength": 1000},
               "escalation_level": {"type": "integer", "minimum": 0, "maximum": 5}}}
            """#
        ),
    ]
}
