public import AuditCore

/// The workflow catalog answered a search (`workflow.catalog.search_completed`, DD-WORKFLOW-014):
/// the question (`query`: text, filters, top_k) and the answer (`results`: total_found,
/// returned, and each workflow with its rank and scoring — confidence, base similarity, label
/// boost and penalty, and their breakdowns by label) — so that "which workflow was selected, and
/// why" has an answer in the audit trail.
public struct WorkflowSearchEvent: AuditEventBuilder {
    /// One workflow of the answer.
    public struct RankedWorkflow: Sendable {
        public var workflowID: String
        public var version: String
        /// 1 for the best.
        public var rank: Int
        public var scoring: Scoring

        public init(workflowID: String, version: String, rank: Int, scoring: Scoring) {
            self.workflowID = workflowID
            self.version = version
            self.rank = rank
            self.scoring = scoring
        }
    }

    /// How a workflow's score was made.
    public struct Scoring: Sendable {
        public var confidence: Double
        public var baseSimilarity: Double
        public var labelBoost: Double
        public var labelPenalty: Double
        /// Boost by label, e.g. `["environment": 0.05]`.
        public var boostBreakdown: [String: Double]
        public var penaltyBreakdown: [String: Double]

        public init(
            confidence: Double, baseSimilarity: Double, labelBoost: Double = 0, labelPenalty: Double = 0, boostBreakdown: [String: Double] = [:],
            penaltyBreakdown: [String: Double] = [:]
        ) {
            self.confidence = confidence
            self.baseSimilarity = baseSimilarity
            self.labelBoost = labelBoost
            self.labelPenalty = labelPenalty
            self.boostBreakdown = boostBreakdown
            self.penaltyBreakdown = penaltyBreakdown
        }
    }

    public var envelope: EventEnvelope
    /// The search text.
    public var queryText: String
    /// The filters, as the catalog took them (labels, signal type, …).
    public var filters: JSONObject
    public var topK: Int
    public var totalFound: Int
    /// The workflows returned, best first.
    public var workflows: [RankedWorkflow]

    public init(
        envelope: EventEnvelope, queryText: String, filters: JSONObject = JSONObject(), topK: Int, totalFound: Int, workflows: [RankedWorkflow]
    ) {
        self.envelope = envelope
        self.queryText = queryText
        self.filters = filters
        self.topK = topK
        self.totalFound = totalFound
        self.workflows = workflows
    }

    public func request() -> JSONValue {
        let query = JSONObject([
            .init(key: "text", value: .string(queryText)), .init(key: "filters", value: .object(filters)),
            .init(key: "top_k", value: .number(String(topK))),
        ])
        let ranked: [JSONValue] = workflows.map { workflow in
            let scoring = workflow.scoring
            return .object(
                JSONObject([
                    .init(key: "workflow_id", value: .string(workflow.workflowID)), .init(key: "version", value: .string(workflow.version)),
                    .init(key: "rank", value: .number(String(workflow.rank))),
                    .init(
                        key: "scoring",
                        value: .object(
                            JSONObject(
                                [
                                    ("confidence", JSONOf.double(scoring.confidence)), ("base_similarity", JSONOf.double(scoring.baseSimilarity)),
                                    ("label_boost", JSONOf.double(scoring.labelBoost)), ("label_penalty", JSONOf.double(scoring.labelPenalty)),
                                    ("boost_breakdown", JSONOf.doubles(scoring.boostBreakdown)),
                                    ("penalty_breakdown", JSONOf.doubles(scoring.penaltyBreakdown)),
                                ].compactMap { key, value in value.map { JSONObject.Member(key: key, value: $0) } }))),
                ]))
        }
        let results = JSONObject([
            .init(key: "total_found", value: .number(String(totalFound))), .init(key: "returned", value: .number(String(workflows.count))),
            .init(key: "workflows", value: .array(ranked)),
        ])
        return envelope.request(
            eventType: "workflow.catalog.search_completed", category: "workflow", action: "search_completed", outcome: .success,
            status: "success", resourceType: "WorkflowCatalog", resourceID: workflows.first?.workflowID ?? "catalog",
            payload: [("query", .object(query)), ("results", .object(results))])
    }
}
