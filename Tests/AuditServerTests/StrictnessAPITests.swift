import AuditCore
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Nothing sent is changed, and queries say what they did: duplicate names, canonically
/// equivalent names, numbers that would expand, query strings as Go's clients encode them.
@Suite struct StrictnessAPITests {
    static func raw(_ client: any TestClientProtocol, _ path: String, _ body: String) async throws -> TestResponse {
        try await client.post(path, body: Array(body.utf8))
    }

    static func eventJSON(correlationID: String, data: String, extra: String = "") -> String {
        """
        {"version":"1.0","event_type":"t.x","event_timestamp":"\(AuditTimestamp.now())","event_category":"c","event_action":"a",
         "event_outcome":"success","correlation_id":"\(correlationID)"\(extra),"event_data":\(data)}
        """
    }

    @Test("A member name sent twice, at any depth, is 400 naming its path; nothing is stored", arguments: StoreKind.available)
    func duplicateNames(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let top = Self.eventJSON(correlationID: "rr-dup", data: "{}", extra: #","event_type":"t.y""#)
            try expectProblem(
                try await Self.raw(client, "/api/v1/audit/events", top), status: .badRequest, type: "validation-error", fields: ["event_type"])
            let nested = Self.eventJSON(correlationID: "rr-dup", data: #"{"labels":{"app":"a","app":"b"}}"#)
            try expectProblem(
                try await Self.raw(client, "/api/v1/audit/events", nested), status: .badRequest, type: "validation-error",
                fields: ["event_data.labels.app"], detailPrefix: "event_data.labels.app: appears more than once")
            let fine = Self.eventJSON(correlationID: "rr-dup", data: "{}")
            let inBatch = Self.eventJSON(correlationID: "rr-dup", data: #"{"x":[{"y":1,"y":2}]}"#)
            try expectProblem(
                try await Self.raw(client, "/api/v1/audit/events/batch", "[\(fine),\(inBatch)]"), status: .badRequest,
                type: "validation-error", fields: ["event_data.x[0].y"], detailPrefix: "event at index 1: event_data.x[0].y")
            try expectProblem(
                try await Self.raw(client, "/api/v1/audit/legal-hold", #"{"correlation_id":"rr-dup","reason":"a","reason":"b"}"#),
                status: .badRequest, type: "validation-error", fields: ["reason"])
            #expect(try await client.get("/api/v1/audit/events?correlation_id=rr-dup").object.object("pagination")?["total"] == .number("0"))
        }
    }

    @Test("Names that are canonically equivalent but not the same (é and e + U+0301) stay two members", arguments: StoreKind.available)
    func canonicallyEquivalentNames(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let body = Self.eventJSON(correlationID: "rr-accents", data: #"{"\u00e9":1,"e\u0301":2}"#, extra: #","event_id":"\#(UUID().uuidString)""#)
            let created = try await Self.raw(client, "/api/v1/audit/events", body)
            #expect(created.status == .created)
            let id = try #require(try created.object.string("event_id"))
            let data = try #require(try await client.get("/api/v1/audit/events/\(id)").object.object("event_data"))
            #expect(data.count == 2)
            #expect(data["\u{e9}"] == .number("1"))
            #expect(data["e\u{301}"] == .number("2"))
            // The same id with the other spelling is another event: a conflict, not a retry.
            let swapped = body.replacingOccurrences(of: #""\u00e9":1,"e\u0301":2"#, with: #""\u00e9":2,"e\u0301":1"#)
            try expectProblem(
                try await Self.raw(client, "/api/v1/audit/events", swapped), status: .conflict, type: "event-id-conflict", fields: ["event_id"])
        }
    }

    @Test("A number PostgreSQL would write out past 1000 characters is 400 naming it; one within comes back by value", arguments: StoreKind.available)
    func expandingNumbers(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            try expectProblem(
                try await Self.raw(client, "/api/v1/audit/events", Self.eventJSON(correlationID: "rr-num", data: #"{"a":{"n":1e1000}}"#)),
                status: .badRequest, type: "validation-error", fields: ["event_data.a.n"])
            let many = "[" + Array(repeating: "1e900", count: 300).joined(separator: ",") + "]"
            try expectProblem(
                try await Self.raw(client, "/api/v1/audit/events", Self.eventJSON(correlationID: "rr-num", data: #"{"m":\#(many)}"#)),
                status: .badRequest, type: "validation-error", fields: ["event_data"])
            let created = try await Self.raw(client, "/api/v1/audit/events", Self.eventJSON(correlationID: "rr-num", data: #"{"n":1e999}"#))
            #expect(created.status == .created)
            let id = try #require(try created.object.string("event_id"))
            let stored = try #require(try await client.get("/api/v1/audit/events/\(id)").object.object("event_data")?["n"])
            guard case .number(let literal) = stored else { throw TestFailure("n is not a number: \(stored)") }
            #expect(literal.utf8.count <= 1000)
            #expect(JSONValue.number(literal).canonicalBytes == JSONValue.number("1e999").canonicalBytes)
        }
    }

    @Test(
        "Query strings are read as Go's clients write them: + is a space; unknown, empty, broken or NUL values are 400",
        arguments: StoreKind.available)
    func queryStrings(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            for correlation in ["rr a b", "rr+plus"] {
                var event = EventFactory.request(correlationID: correlation, at: .now())
                event["event_id"] = .string(UUID().uuidString)
                #expect(try await client.post("/api/v1/audit/events", json: .object(event)).status == .created)
            }
            func total(_ query: String) async throws -> JSONValue? {
                let response = try await client.get("/api/v1/audit/events?" + query)
                #expect(response.status == .ok, "\(query): \(String(buffer: response.body))")
                return try response.object.object("pagination")?["total"]
            }
            #expect(try await total("correlation_id=rr+a+b") == .number("1"))
            #expect(try await total("correlation_id=rr%20a%20b") == .number("1"))
            #expect(try await total("correlation_id=rr%2Bplus") == .number("1"))
            #expect(try await total("correlation%5Fid=rr+a+b") == .number("1"), "names are decoded too")
            for (query, field) in [
                ("corelation_id=rr-1", "corelation_id"), ("correlation_id=", "correlation_id"), ("namespace=a%00b", "namespace"),
                ("event_type=x&event_type=y", "event_type"), ("event_data=%7B%22a%22%3A%22%5Cu0000%22%7D", "event_data"),
            ] {
                try expectProblem(
                    try await client.get("/api/v1/audit/events?" + query), status: .badRequest, type: "validation-error", fields: [field])
            }
            for query in ["correlation_id=%zz", "correlation_id=%C3%28", "a=1;b=2"] {
                try expectProblem(try await client.get("/api/v1/audit/events?" + query), status: .badRequest, type: "invalid-request")
            }
        }
    }

    @Test("detail_key and detail_value filter on a top-level event_data member", arguments: StoreKind.available)
    func detailFilter(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let payloads = [#"{"task_id":"task-abc-123"}"#, #"{"task_id":"other"}"#, #"{"nested":{"task_id":"task-abc-123"}}"#]
            var ids: [String] = []
            for payload in payloads {
                let response = try await Self.raw(
                    client, "/api/v1/audit/events",
                    Self.eventJSON(correlationID: "rr-detail", data: payload, extra: #","event_id":"\#(UUID().uuidString)""#))
                ids.append(try #require(try response.object.string("event_id")))
            }
            let found = try await client.get("/api/v1/audit/events?correlation_id=rr-detail&detail_key=task_id&detail_value=task-abc-123").object
            #expect(found.array("data").compactMap { $0.object?.string("event_id") } == [ids[0]])
            try expectProblem(
                try await client.get("/api/v1/audit/events?detail_key=task_id"), status: .badRequest, type: "validation-error",
                fields: ["detail_value"])
        }
    }

    @Test(
        "Legal holds on correlation ids with /, space, ?, é and % are placed, shown on items, counted, and released by their encoded path",
        arguments: StoreKind.available)
    func legalHoldPaths(_ kind: StoreKind) async throws {
        let metrics = AuditMetrics()
        try await withLiveApp(kind, configuration: proxyConfiguration(), metrics: metrics) { client, _, _ in
            let user: HTTPFields = [HTTPField.Name("X-Auth-Request-User")!: "counsel@example.com"]
            for (correlation, encoded) in [("rr/1", "rr%2F1"), ("rr 2", "rr%202"), ("rr?3", "rr%3F3"), ("rré4", "rr%C3%A94"), ("rr%5", "rr%255")] {
                var event = EventFactory.request(correlationID: correlation, at: .now())
                event["event_id"] = .string(UUID().uuidString)
                #expect(try await client.post("/api/v1/audit/events", json: .object(event), headers: user).status == .created)
                let placed = try await client.post(
                    "/api/v1/audit/legal-hold",
                    json: .object(
                        JSONObject([.init(key: "correlation_id", value: .string(correlation)), .init(key: "reason", value: .string("case 17"))])),
                    headers: user)
                #expect(placed.status == .ok, "\(correlation)")
                let lines = Set(String(buffer: try await client.get("/metrics").body).split(separator: "\n").map(String.init))
                #expect(lines.contains("auditledger_legal_holds_active 1.0"), "\(correlation)")
                let item = try #require(
                    try await client.get("/api/v1/audit/events?limit=1&correlation_id=" + encoded, headers: user).object.array("data").first?.object)
                #expect(item["legal_hold"] == .bool(true))
                #expect(item.string("legal_hold_reason") == "case 17")
                #expect(item.string("legal_hold_placed_by") == "counsel@example.com")
                #expect(item.string("legal_hold_placed_at").flatMap { AuditTimestamp(rfc3339: $0) } != nil)
                var headers = user
                headers[.contentType] = "application/json"
                let released = try await client.execute(
                    uri: "/api/v1/audit/legal-hold/" + encoded, method: .delete, headers: headers,
                    body: ByteBuffer(string: #"{"release_reason":"case closed"}"#)
                ) { $0 }
                #expect(released.status == .ok, "\(correlation): \(String(buffer: released.body))")
                #expect(try released.object.string("correlation_id") == correlation)
                let after = Set(String(buffer: try await client.get("/metrics").body).split(separator: "\n").map(String.init))
                #expect(after.contains("auditledger_legal_holds_active 0.0"), "\(correlation)")
            }
        }
    }
}
