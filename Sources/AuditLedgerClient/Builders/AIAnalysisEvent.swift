public import AuditCore

/// An AI analysis ended (`aianalysis.analysis.completed`, or `aianalysis.analysis.failed`);
/// `event_data` as Kubernaut's `AIAnalysisAuditPayload`, with the LLM provider and model that answered.
public struct AIAnalysisEvent: AuditEventBuilder {
    public var envelope: EventEnvelope
    /// Whether the analysis failed (`reason`, `sub_reason` say why).
    public var failed: Bool
    /// The AIAnalysis resource's name (`resource_id`).
    public var analysisName: String
    public var namespace: String
    /// `Completed`, `Failed`, or another of Kubernaut's phases. Default from ``failed``.
    public var phase: String?
    public var approvalRequired: Bool
    public var approvalReason: String?
    public var degradedMode: Bool
    public var warningsCount: Int
    /// Confidence of the workflow selected, 0–1.
    public var confidence: Double?
    public var workflowID: String?
    /// The LLM service and model, e.g. `openai`, `gpt-4o`.
    public var llmProvider: String
    public var llmModel: String
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var reason: String?
    public var subReason: String?

    public init(
        envelope: EventEnvelope, failed: Bool = false, analysisName: String, namespace: String, phase: String? = nil,
        approvalRequired: Bool = false, approvalReason: String? = nil, degradedMode: Bool = false, warningsCount: Int = 0,
        confidence: Double? = nil, workflowID: String? = nil, llmProvider: String, llmModel: String, promptTokens: Int? = nil,
        completionTokens: Int? = nil, reason: String? = nil, subReason: String? = nil
    ) {
        self.envelope = envelope
        self.failed = failed
        self.analysisName = analysisName
        self.namespace = namespace
        self.phase = phase
        self.approvalRequired = approvalRequired
        self.approvalReason = approvalReason
        self.degradedMode = degradedMode
        self.warningsCount = warningsCount
        self.confidence = confidence
        self.workflowID = workflowID
        self.llmProvider = llmProvider
        self.llmModel = llmModel
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.reason = reason
        self.subReason = subReason
    }

    public func request() -> JSONValue {
        let action = failed ? "failed" : "completed"
        var envelope = self.envelope
        if envelope.namespace == nil { envelope.namespace = namespace }
        return envelope.request(
            eventType: "aianalysis.analysis.\(action)", category: "aianalysis", action: action, outcome: failed ? .failure : .success,
            status: failed ? "failure" : "success", resourceType: "AIAnalysis", resourceID: analysisName, errorMessage: failed ? reason : nil,
            payload: [
                ("analysis_name", .string(analysisName)), ("namespace", .string(namespace)),
                ("phase", .string(phase ?? (failed ? "Failed" : "Completed"))), ("approval_required", .bool(approvalRequired)),
                ("approval_reason", JSONOf.string(approvalReason)), ("degraded_mode", .bool(degradedMode)),
                ("warnings_count", .number(String(warningsCount))), ("confidence", JSONOf.double(confidence)),
                ("workflow_id", JSONOf.string(workflowID)), ("llm_provider", .string(llmProvider)), ("llm_model", .string(llmModel)),
                ("prompt_tokens", JSONOf.int(promptTokens)), ("completion_tokens", JSONOf.int(completionTokens)),
                ("reason", JSONOf.string(reason)), ("sub_reason", JSONOf.string(subReason)),
            ])
    }
}
