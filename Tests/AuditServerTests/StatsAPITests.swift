import AuditCore
import AuditTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /api/v1/audit/stats` over HTTP on both stores: the answer's shape, its window, its
/// refusals, and who counts what. (The figures themselves are checked on each store by the
/// conformance suite's stats checks.)
@Suite struct StatsAPITests {
    static func batch(now: AuditTimestamp) -> JSONValue {
        func event(
            _ action: String, _ outcome: String, duration: Int?, namespace: String?, secondsAgo: Int64, workflow: String? = nil,
            category: String = "workflowexecution", sensitive: Bool = false
        ) -> JSONValue {
            var fields: [String: JSONValue] = [:]
            if let duration { fields["duration_ms"] = .number(String(duration)) }
            if let namespace { fields["namespace"] = .string(namespace) }
            if sensitive { fields["is_sensitive"] = .bool(true) }
            var data = JSONObject()
            if let workflow { data["workflow_id"] = .string(workflow) }
            return .object(
                EventFactory.request(
                    type: "\(category).step", category: category, action: action, outcome: outcome, correlationID: "rr-stats-api",
                    at: now.adding(seconds: -secondsAgo), fields: fields, data: data))
        }
        return .array([
            event("scale", "success", duration: 120, namespace: "prod", secondsAgo: 300, workflow: "restart-pod-v1"),
            event("scale", "failure", duration: 80, namespace: "prod", secondsAgo: 200, workflow: "restart-pod-v1", sensitive: true),
            event("drain", "success", duration: nil, namespace: nil, secondsAgo: 100, workflow: "drain-node-v1"),
            event("select", "success", duration: 5, namespace: nil, secondsAgo: 50, workflow: "drain-node-v1", category: "workflow"),
            // Two days ago: outside the default window of 24 hours.
            event("scale", "success", duration: 999, namespace: "prod", secondsAgo: 2 * 86_400),
        ])
    }

    @Test("The answer's members, its default window of 24 hours, and event_data keys as JSON values", arguments: StoreKind.available)
    func answer(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let now = AuditTimestamp.now()
            #expect(try await client.post("/api/v1/audit/events/batch", json: Self.batch(now: now)).status == .created)

            let response = try await client.get("/api/v1/audit/stats?group_by=event_action&event_category=workflowexecution")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let stats = try response.object
            #expect(stats.string("group_by") == "event_action")
            #expect(stats.string("measure") == "duration_ms")
            let since = try #require(stats.string("since").flatMap(AuditTimestamp.init(rfc3339:)))
            #expect(abs(since.microsecondsSinceEpoch - now.adding(seconds: -86_400).microsecondsSinceEpoch) < 60_000_000)
            #expect(stats["until"] == nil)
            #expect(stats["total_events"] == .number("3"), "the event two days ago is outside the default window")
            #expect(stats["total_failures"] == .number("1"))
            #expect(stats["total_groups"] == .number("2"))
            #expect(stats["has_more"] == .bool(false))
            let groups = stats.array("groups").compactMap(\.object)
            #expect(groups.map { $0["key"] } == [.string("scale"), .string("drain")])
            let scale = groups[0]
            #expect(scale["count"] == .number("2"))
            #expect(scale["failures"] == .number("1"))
            #expect(scale["failure_rate"] == .number("0.5"))
            #expect(scale["measured"] == .number("2"))
            #expect([scale["p50"], scale["p95"], scale["p99"], scale["min"], scale["max"]] == [80, 120, 120, 80, 120].map { .number(String($0)) })
            let drain = groups[1]
            #expect(drain["measured"] == .number("0"))
            #expect(drain["p50"] == nil && drain["min"] == nil, "nothing measured: no percentiles")

            let week = try await client.get("/api/v1/audit/stats?group_by=event_action&event_category=workflowexecution&since=7d").object
            #expect(week["total_events"] == .number("4"))
            #expect(week.array("groups").first?.object?["max"] == .number("999"))

            let byNamespace = try await client.get("/api/v1/audit/stats?group_by=namespace").object
            #expect(byNamespace.array("groups").compactMap { $0.object?["key"] } == [.string("prod"), .null])

            let byWorkflow = try await client.get("/api/v1/audit/stats?group_by=event_data.workflow_id&limit=1").object
            #expect(byWorkflow.string("group_by") == "event_data.workflow_id")
            #expect(byWorkflow.array("groups").compactMap { $0.object?["key"] } == [.string("drain-node-v1")], "a string member as a JSON string")
            #expect(byWorkflow["has_more"] == .bool(true))
            #expect(byWorkflow["total_groups"] == .number("2"))

            let confidence = try await client.get("/api/v1/audit/stats?measure=event_data.workflow_id&group_by=event_type").object
            #expect(confidence.array("groups").allSatisfy { $0.object?["measured"] == .number("0") }, "a string is not a measure")

            let bounded = try await client.get(
                "/api/v1/audit/stats?since=\(now.adding(seconds: -250).description)&until=\(now.adding(seconds: -150).description)")
            let window = try bounded.object
            #expect(window["total_events"] == .number("1"))
            #expect(window.string("until") != nil)
        }
    }

    @Test("Every bad parameter is refused by name, the filters' with the stats' own", arguments: StoreKind.available)
    func refusals(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let cases: [(String, [String])] = [
                ("group_by=actor_id", ["group_by"]),
                ("group_by=event_data.a..b", ["group_by"]),
                ("group_by=event_data.a%22b", ["group_by"]),
                ("measure=severity", ["measure"]),
                ("measure_at_least=fast", ["measure_at_least"]),
                ("measure_below=1e999", ["measure_below"]),
                ("measure_at_least=5&measure_below=1", ["measure_below"]),
                ("limit=0", ["limit"]),
                ("limit=1001", ["limit"]),
                ("group_by=", ["group_by"]),
                ("offset=10", ["offset"]),
                ("cursor=abc&order=asc", ["cursor", "order"]),
                ("since=40d", ["since"]),
                ("since=2026-01-01&until=2026-03-01", ["since"]),
                ("event_outcome=maybe&group_by=nope", ["event_outcome", "group_by"]),
                ("colour=red", ["colour"]),
            ]
            for (parameters, fields) in cases {
                let response = try await client.get("/api/v1/audit/stats?" + parameters)
                try expectProblem(response, status: .badRequest, type: "validation-error", fields: fields)
            }
        }
    }

    @Test(
        "Read limits bound what is counted; event_data questions leave out sensitive events without events:read-sensitive",
        arguments: StoreKind.available)
    func access(_ kind: StoreKind) async throws {
        try await withAccessApp(kind) { client, fixture in
            #expect(
                try await client.post("/api/v1/audit/events/batch", json: Self.batch(now: .now()), headers: fixture.headers(.writer)).status
                    == .created)
            func total(_ query: String, _ role: AccessFixture.Role) async throws -> JSONValue? {
                let response = try await client.get("/api/v1/audit/stats?" + query, headers: fixture.headers(role))
                #expect(response.status == .ok, "\(role) \(query): \(String(buffer: response.body))")
                return try response.object["total_events"]
            }
            #expect(try await total("group_by=event_action", .reader) == .number("4"), "the envelope of a sensitive event is not hidden")
            #expect(try await total("group_by=event_data.workflow_id", .reader) == .number("3"))
            #expect(try await total("group_by=event_data.workflow_id", .sensitiveReader) == .number("4"))
            #expect(try await total("measure=event_data.step", .reader) == .number("3"))
            #expect(
                try await total("event_data=%7B%22workflow_id%22%3A%22restart-pod-v1%22%7D", .reader) == .number("1"),
                "an event_data filter does not count what it could not show")
            #expect(try await total("group_by=event_action", .workflowReader) == .number("1"), "read limits: category workflow only")
            let refused = try await client.get("/api/v1/audit/stats", headers: fixture.headers(.writer))
            try expectProblem(refused, status: .forbidden, type: "forbidden")
            let anonymous = try await client.get("/api/v1/audit/stats")
            #expect(anonymous.status == .unauthorized)

            // The query API's event_data filter hides the sensitive event from such a reader too.
            let page = try await client.get(
                "/api/v1/audit/events?event_data=%7B%22workflow_id%22%3A%22restart-pod-v1%22%7D", headers: fixture.headers(.reader)
            ).object
            #expect(page.object("pagination")?["total"] == .number("1"))
            let full = try await client.get(
                "/api/v1/audit/events?event_data=%7B%22workflow_id%22%3A%22restart-pod-v1%22%7D", headers: fixture.headers(.sensitiveReader)
            ).object
            #expect(full.object("pagination")?["total"] == .number("2"))
        }
    }
}
