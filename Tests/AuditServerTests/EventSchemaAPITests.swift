import AuditCore
import AuditLedgerClient
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The event types' schemas over the write API: `warn` stores and counts, `enforce` refuses
/// naming the path; every builder's event passes them all in `enforce` and reads back equal.
@Suite struct EventSchemaAPITests {
    static func configuration(enforcing types: [String]) throws -> AuditServerConfiguration {
        var configuration = AuditServerConfiguration(validation: EventFactory.importPolicy)
        for type in types { configuration.eventSchemas = try configuration.eventSchemas.setting(.enforce, for: type) }
        return configuration
    }

    /// DD-WORKFLOW-014's search event, as its builder makes it.
    static func search(correlation: String) -> WorkflowSearchEvent {
        WorkflowSearchEvent(
            envelope: EventEnvelope(service: "workflow-catalog", correlationID: correlation, eventID: UUID()), queryText: "pod crash looping",
            filters: JSONObject([.init(key: "environment", value: .string("prod"))]), topK: 3, totalFound: 7,
            workflows: [
                .init(
                    workflowID: "restart-pod-v1", version: "1.2.0", rank: 1,
                    scoring: .init(confidence: 0.92, baseSimilarity: 0.87, labelBoost: 0.05, boostBreakdown: ["environment": 0.05])),
                .init(
                    workflowID: "scale-up-v2", version: "2.0.1", rank: 2, scoring: .init(confidence: 0.61, baseSimilarity: 0.64, labelPenalty: 0.03)),
            ])
    }

    /// `request` with its event_data changed by `change`.
    static func changingData(_ request: JSONValue, _ change: (inout JSONObject) -> Void) -> JSONValue {
        guard case .object(var object) = request, case .object(var data)? = object["event_data"] else { return request }
        change(&data)
        object["event_data"] = .object(data)
        return .object(object)
    }

    static func withoutScoring(_ request: JSONValue) -> JSONValue {
        changingData(request) { data in
            guard case .object(var results)? = data["results"], case .array(var workflows)? = results["workflows"],
                case .object(var first) = workflows[0]
            else { return }
            first["scoring"] = nil
            workflows[0] = .object(first)
            results["workflows"] = .array(workflows)
            data["results"] = .object(results)
        }
    }

    @Test("Enforce: a search without its query or a workflow's scoring is 400 naming the path; in a batch, its index; nothing stored")
    func enforced() async throws {
        let type = "workflow.catalog.search_completed"
        try await withApp(.sqlite, configuration: try Self.configuration(enforcing: [type])) { client, _ in
            let noQuery = Self.changingData(Self.search(correlation: "rr-enforce").request()) { $0["query"] = nil }
            let refused = try await client.post("/api/v1/audit/events", json: noQuery)
            try expectProblem(refused, status: .badRequest, type: "validation-error", fields: ["event_data.query"])
            #expect(try refused.object.object("field_errors")?.string("event_data.query") == "missing required field")
            let noScoring = Self.withoutScoring(Self.search(correlation: "rr-enforce").request())
            try expectProblem(
                try await client.post("/api/v1/audit/events", json: noScoring), status: .badRequest, type: "validation-error",
                fields: ["event_data.results.workflows[0].scoring"])
            let batch = try await client.post(
                "/api/v1/audit/events/batch", json: .array([Self.search(correlation: "rr-enforce").request(), noScoring]))
            try expectProblem(batch, status: .badRequest, type: "validation-error", fields: ["event_data.results.workflows[0].scoring"])
            #expect(try batch.object["event_index"] == .number("1"))
            #expect(try await client.get("/api/v1/audit/events?correlation_id=rr-enforce").object.array("data").isEmpty)
            // The whole event passes.
            #expect(try await client.post("/api/v1/audit/events", json: Self.search(correlation: "rr-enforce").request()).status == .created)
        }
    }

    @Test("Warn (the default): the same events are stored and counted per type and mode", arguments: StoreKind.available)
    func warned(_ kind: StoreKind) async throws {
        let metrics = AuditMetrics()
        try await withApp(kind, metrics: metrics) { client, _ in
            let noQuery = Self.changingData(Self.search(correlation: "rr-warn").request()) { $0["query"] = nil }
            #expect(try await client.post("/api/v1/audit/events", json: noQuery).status == .created)
            #expect(
                try await client.post(
                    "/api/v1/audit/events/batch", json: .array([Self.withoutScoring(Self.search(correlation: "rr-warn").request())])
                ).status == .created)
            #expect(try await client.post("/api/v1/audit/events", json: Self.search(correlation: "rr-warn").request()).status == .created)
            #expect(try await client.get("/api/v1/audit/events?correlation_id=rr-warn").object.array("data").count == 3)
            let lines = String(buffer: try await client.get("/metrics").body).split(separator: "\n").map(String.init)
            #expect(
                lines.contains(#"auditledger_event_schema_violations_total{event_type="workflow.catalog.search_completed",mode="warn"} 2"#),
                "\(lines.filter { $0.contains("schema") })")
        }
    }

    /// One event of every builder, every member it has set.
    static func builtEvents(correlation: String) throws -> [any AuditEventBuilder] {
        let now = AuditTimestamp.now()
        let envelope = { (service: String) in
            EventEnvelope(
                service: service, correlationID: correlation, timestamp: now, eventID: UUID(), namespace: "payments", clusterID: "eu-1",
                severity: "critical", durationMS: 1200, attempt: 2, retryReason: "timeout",
                sourcePayload: .object(JSONObject([.init(key: "alertname", value: .string("KubePodCrashLooping"))])))
        }
        return [
            GatewaySignalEvent(
                envelope: envelope("gateway"), kind: .received, signalName: "KubePodCrashLooping", fingerprint: "fp-1", namespace: "payments",
                resourceKind: "Pod", resourceName: "api-1", remediationRequest: "payments/rr-1", occurrenceCount: 1,
                signalLabels: ["team": "payments"], signalAnnotations: ["summary": "crash loop"],
                originalPayload: .object(JSONObject([.init(key: "status", value: .string("firing"))]))),
            GatewaySignalEvent(
                envelope: envelope("gateway"), kind: .deduplicated, signalName: "KubePodCrashLooping", fingerprint: "fp-1", namespace: "payments",
                occurrenceCount: 4),
            AIAnalysisEvent(
                envelope: envelope("aianalysis"), analysisName: "ai-rr-1", namespace: "payments", approvalRequired: true, approvalReason: "prod",
                warningsCount: 1, confidence: 0.87, workflowID: "restart-pod-v1", llmProvider: "openai", llmModel: "gpt-4o", promptTokens: 1200,
                completionTokens: 300),
            AIAnalysisEvent(
                envelope: envelope("aianalysis"), failed: true, analysisName: "ai-rr-2", namespace: "payments", llmProvider: "vertex",
                llmModel: "gemini-1.5", reason: "ProviderTimeout", subReason: "deadline"),
            search(correlation: correlation),
            WorkflowExecutionEvent(
                envelope: envelope("workflowexecution"), stage: .started, workflowID: "restart-pod-v1", workflowVersion: "1.2.0",
                targetResource: "payments/deployment/api", containerImage: "ghcr.io/kubernaut/kubectl:1.28", executionName: "we-1", startedAt: now,
                pipelineRunName: "pr-1"),
            WorkflowExecutionEvent(
                envelope: envelope("workflowexecution"), stage: .completed, workflowID: "restart-pod-v1", workflowVersion: "1.2.0",
                workflowName: "Restart pod", actionType: "RestartPod", targetResource: "payments/deployment/api",
                containerImage: "ghcr.io/kubernaut/kubectl:1.28", executionName: "we-1", startedAt: now, completedAt: now, duration: "2m30s"),
            WorkflowExecutionEvent(
                envelope: envelope("workflowexecution"), stage: .failed, workflowID: "restart-pod-v1", workflowVersion: "1.2.0",
                targetResource: "payments/deployment/api", containerImage: "ghcr.io/kubernaut/kubectl:1.28", executionName: "we-2",
                failureReason: "OOMKilled", failureMessage: "container killed", failedTaskName: "restart"),
            KubernetesExecutionEvent(
                executionID: "ke-\(correlation)", workflowRef: "wf-\(correlation)", stepIndex: 1, actionType: "scale-deployment",
                actionParameters: JSONObject([.init(key: "replicas", value: .number("3"))]), targetNamespace: "payments",
                targetResourceKind: "Deployment", targetResourceName: "api", success: true, output: "scaled", startTime: now, endTime: now,
                duration: .milliseconds(1500), jobName: "job-1", jobPodName: "job-1-x", jobExitCode: 0,
                resourceUsage: JSONObject([.init(key: "cpu_millicores", value: .number("120"))]), retryCount: 0, maxRetries: 3,
                phase: "Completed"),
            NotificationEvent(
                envelope: envelope("notification"), notificationID: "n-1", channel: "slack", subject: "Pod restarted", body: "api-1 restarted",
                priority: "high", type: "escalation", metadata: ["team": "payments"]),
            NotificationEvent(
                envelope: envelope("notification"), failed: true, notificationID: "n-2", channel: "email", subject: "Pod restarted",
                body: "api-1 restarted", priority: "high", type: "escalation", errorType: "smtp", error: "connection refused"),
        ]
    }

    @Test(
        "Every builder's event is accepted with every schema enforced and reads back equal; event_data.event_type is its type",
        arguments: StoreKind.available)
    func builders(_ kind: StoreKind) async throws {
        var configuration = AuditServerConfiguration(validation: EventFactory.importPolicy)
        configuration.eventSchemas = try configuration.eventSchemas.setting(.enforce, for: "*")
        try await withApp(kind, configuration: configuration) { client, _ in
            var types = Set<String>()
            for builder in try Self.builtEvents(correlation: "rr-built") {
                let request = try builder.request()
                guard case .object(let sent) = request, case .object(let data)? = sent["event_data"] else {
                    Issue.record("a builder made no object")
                    continue
                }
                let type = try #require(sent.string("event_type"))
                types.insert(type)
                #expect(data.string("event_type") == type, "event_data.event_type of \(type)")
                let answer = try await client.post("/api/v1/audit/events", json: request)
                #expect(answer.status == .created, "\(type): \(String(buffer: answer.body))")
                let id = try #require(try answer.object.string("event_id"))
                let stored = try await client.get("/api/v1/audit/events/\(id)").object
                #expect(stored["event_data"].map(\.canonicalBytes) == JSONValue.object(data).canonicalBytes, "\(type) event_data")
                for key in [
                    "event_type", "event_category", "event_action", "event_outcome", "correlation_id", "resource_type", "resource_id", "actor_id",
                ] {
                    #expect(stored[key] == sent[key], "\(type): \(key)")
                }
            }
            #expect(types.count == 11, "every built-in type but the notification record, which its own endpoint writes: \(types.sorted())")
            #expect(types.isSubset(of: Set(EventSchemaRegistry.builtIn.entries.keys)))
        }
    }
}
