import AuditCore
import AuditTesting
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The Kubernetes executor's `POST /api/v1/audit/kubernetes-execution` and its post-mortem
/// read, on both stores: the record as its Go client marshals it, every member present.
@Suite struct KubernetesExecutionTests {
    /// A `KubernetesExecutionAudit` as Go's encoding/json writes it (`id` empty, `duration` in
    /// nanoseconds, times with nanoseconds, Go's zero time for `created_at`).
    static func record(
        execution: String, workflow: String = "wf-rr-2025-001", action: String = "scale-deployment", namespace: String = "prod-payments",
        success: Bool = true, completedAt: String? = nil
    ) -> JSONValue {
        let end = completedAt ?? AuditTimestamp.now().adding(seconds: -30).description
        func text(_ value: String) -> JSONValue { .string(value) }
        return .object(
            JSONObject([
                .init(key: "id", value: text("")), .init(key: "execution_id", value: text(execution)),
                .init(key: "workflow_ref", value: text(workflow)), .init(key: "step_index", value: .number("2")),
                .init(key: "action_type", value: text(action)),
                .init(
                    key: "action_parameters",
                    value: .object(JSONObject([.init(key: "replicas", value: .number("3")), .init(key: "deployment", value: text("api"))]))),
                .init(key: "target_namespace", value: text(namespace)), .init(key: "target_resource_kind", value: text("Deployment")),
                .init(key: "target_resource_name", value: text("api")), .init(key: "success", value: .bool(success)),
                .init(key: "output", value: text("deployment.apps/api scaled")), .init(key: "error", value: text(success ? "" : "timeout")),
                .init(key: "start_time", value: text("2026-12-03T10:00:00.123456789Z")), .init(key: "end_time", value: text(end)),
                .init(key: "duration", value: .number("1500000000")), .init(key: "job_name", value: text("exec-\(execution)")),
                .init(key: "job_pod_name", value: text("exec-\(execution)-x7k2p")), .init(key: "job_exit_code", value: .number(success ? "0" : "1")),
                .init(
                    key: "job_resource_usage",
                    value: .object(
                        JSONObject([.init(key: "cpu_millicores", value: .number("120")), .init(key: "memory_bytes", value: .number("52428800"))]))),
                .init(key: "retry_count", value: .number("0")), .init(key: "max_retries", value: .number("3")),
                .init(key: "created_at", value: text("0001-01-01T00:00:00Z")), .init(key: "completed_at", value: text(end)),
                .init(key: "phase", value: text(success ? "Completed" : "Failed")),
            ]))
    }

    @Test("A record is stored as one event and read back in its own shape; sent again unchanged, it is stored once", arguments: StoreKind.available)
    func roundTrip(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let sent = Self.record(execution: "ke-1")
            let created = try await client.post("/api/v1/audit/kubernetes-execution", json: sent)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let id = try #require(try created.object.string("id"))
            let again = try await client.post("/api/v1/audit/kubernetes-execution", json: sent)
            #expect(again.status == .created)
            #expect(try again.object.string("id") == id, "the same record, the same event")

            let page = try await client.get("/api/v1/audit/kubernetes-execution?workflow_ref=wf-rr-2025-001").object
            let records = page.array("data").compactMap(\.object)
            #expect(records.count == 1)
            let record = try #require(records.first)
            #expect(record.string("id") == id)
            guard case .object(var expected) = sent else { return }
            expected = JSONObject(expected.members.filter { $0.key != "id" })
            #expect(
                JSONValue.object(JSONObject(record.members.filter { $0.key != "id" })).canonicalBytes == JSONValue.object(expected).canonicalBytes)

            let event = try await client.get("/api/v1/audit/events/\(id)").object
            #expect(event.string("event_type") == KubernetesExecutionRecord.eventType && event.string("event_outcome") == "success")
            #expect(event.string("correlation_id") == "wf-rr-2025-001" && event.string("namespace") == "prod-payments")
            #expect(event.string("resource_type") == "Deployment" && event.string("resource_id") == "api")
            #expect(event["duration_ms"] == .number("1500") && event.string("actor_id") == "kubernetes-executor")
        }
    }

    @Test("Post-mortem filters: workflow_ref, action_type, success, target_namespace, since", arguments: StoreKind.available)
    func filters(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let old = AuditTimestamp.now().adding(seconds: -3 * 3600).description
            for record in [
                Self.record(execution: "ke-a", action: "scale-deployment", namespace: "prod-a"),
                Self.record(execution: "ke-b", action: "restart-pod", namespace: "prod-a", success: false),
                Self.record(execution: "ke-c", workflow: "wf-other", action: "restart-pod", namespace: "staging", completedAt: old),
            ] {
                let answer = try await client.post("/api/v1/audit/kubernetes-execution", json: record)
                #expect(answer.status == .created)
            }
            func executions(_ query: String) async throws -> [String] {
                let answer = try await client.get("/api/v1/audit/kubernetes-execution?\(query)")
                #expect(answer.status == .ok, "\(query): \(String(buffer: answer.body))")
                return try answer.object.array("data").compactMap { $0.object?.string("execution_id") }.sorted()
            }
            let found1 = try await executions("workflow_ref=wf-rr-2025-001")
            #expect(found1 == ["ke-a", "ke-b"], "workflow_ref=wf-rr-2025-001")
            let found2 = try await executions("action_type=restart-pod")
            #expect(found2 == ["ke-b", "ke-c"], "action_type=restart-pod")
            let found3 = try await executions("success=false")
            #expect(found3 == ["ke-b"], "success=false")
            let found4 = try await executions("target_namespace=prod-a&success=true")
            #expect(found4 == ["ke-a"], "target_namespace=prod-a&success=true")
            let found5 = try await executions("since=1h")
            #expect(found5 == ["ke-a", "ke-b"], "since=1h")
            let found6 = try await executions("action_type=restart-pod&since=24h&order=asc")
            #expect(found6 == ["ke-b", "ke-c"], "action_type=restart-pod&since=24h&order=asc")
        }
    }

    @Test("Bad records and bad parameters are a 400 naming the member; nothing is stored")
    func refusals() async throws {
        try await withApp(.sqlite) { client, _ in
            func without(_ key: String) -> JSONValue {
                guard case .object(let object) = Self.record(execution: "ke-bad") else { return .null }
                return .object(JSONObject(object.members.filter { $0.key != key }))
            }
            func with(_ key: String, _ value: JSONValue) -> JSONValue {
                guard case .object(let object) = Self.record(execution: "ke-bad") else { return .null }
                return .object(JSONObject(object.members.map { $0.key == key ? .init(key: key, value: value) : $0 }))
            }
            let cases: [(JSONValue, [String])] = [
                (without("execution_id"), ["execution_id"]), (without("action_type"), ["action_type"]), (without("success"), ["success"]),
                (with("success", .string("yes")), ["success"]), (with("end_time", .string("yesterday")), ["end_time"]),
                (with("duration", .number("-1")), ["duration"]), (with("job_resource_usage", .array([])), ["job_resource_usage"]),
                (with("completed_at", .string("2999-01-01T00:00:00Z")), ["completed_at"]),
            ]
            for (body, fields) in cases {
                let answer = try await client.post("/api/v1/audit/kubernetes-execution", json: body)
                try expectProblem(answer, status: .badRequest, type: "validation-error", fields: fields)
            }
            let array = try await client.post("/api/v1/audit/kubernetes-execution", json: .array([]))
            #expect(array.status == .badRequest)
            try expectProblem(
                try await client.get("/api/v1/audit/kubernetes-execution?success=maybe"), status: .badRequest, type: "validation-error",
                fields: ["success"])
            try expectProblem(
                try await client.get("/api/v1/audit/kubernetes-execution?job_name=x"), status: .badRequest, type: "validation-error",
                fields: ["job_name"])
            try expectProblem(
                try await client.get("/api/v1/audit/kubernetes-execution?limit=0"), status: .badRequest, type: "validation-error", fields: ["limit"])
            let page = try await client.get("/api/v1/audit/kubernetes-execution").object
            #expect(page.array("data").isEmpty)
        }
    }
}
