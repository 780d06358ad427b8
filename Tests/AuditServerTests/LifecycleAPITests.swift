import AuditCore
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct LifecycleAPITests {
    static let user = HTTPField.Name("X-Auth-Request-User")!

    @Test("Legal hold: place, list, release, with Kubernaut's shapes and errors", arguments: StoreKind.available)
    func legalHold(_ kind: StoreKind) async throws {
        try await withLiveApp(kind, configuration: proxyConfiguration()) { client, _, _ in
            let stored = try await client.post(
                "/api/v1/audit/events/batch",
                json: .array([
                    .object(EventFactory.gatewaySignal(at: .now(), correlationID: "rr-2025-007")),
                    .object(EventFactory.request(correlationID: "rr-2025-007", at: .now())),
                ]),
                headers: [Self.user: "writer"]
            )
            #expect(stored.status == .created)
            let body = JSONValue.object(
                JSONObject([.init(key: "correlation_id", value: .string("rr-2025-007")), .init(key: "reason", value: .string("SEC inquiry"))]))

            try expectProblem(try await client.post("/api/v1/audit/legal-hold", json: body), status: .unauthorized, type: "unauthorized")
            try expectProblem(
                try await client.post(
                    "/api/v1/audit/legal-hold", json: .object(JSONObject([.init(key: "reason", value: .string("x"))])), headers: [Self.user: "alice"]),
                status: .badRequest, type: "validation-error", fields: ["correlation_id"]
            )
            try expectProblem(
                try await client.post(
                    "/api/v1/audit/legal-hold", json: .object(JSONObject([.init(key: "correlation_id", value: .string("rr-2025-007"))])),
                    headers: [Self.user: "alice"]),
                status: .badRequest, type: "validation-error", fields: ["reason"]
            )
            try expectProblem(
                try await client.post(
                    "/api/v1/audit/legal-hold",
                    json: .object(JSONObject([.init(key: "correlation_id", value: .string("rr-none")), .init(key: "reason", value: .string("x"))])),
                    headers: [Self.user: "alice"]
                ),
                status: .notFound, type: "not-found"
            )

            let placed = try await client.post("/api/v1/audit/legal-hold", json: body, headers: [Self.user: "alice"])
            #expect(placed.status == .ok)
            let hold = try placed.object
            #expect(hold.members.map(\.key) == ["correlation_id", "events_affected", "placed_by", "placed_at", "reason"])
            #expect(hold["events_affected"] == .number("2"))
            #expect(hold.string("placed_by") == "alice")
            #expect(hold.string("placed_at").flatMap { AuditTimestamp(rfc3339: $0) } != nil)

            let list = try await client.get("/api/v1/audit/legal-hold", headers: [Self.user: "alice"])
            #expect(try list.object["total"] == .number("1"))
            #expect(try list.object.array("holds").first?.object?.string("correlation_id") == "rr-2025-007")

            let release = JSONValue.object(JSONObject([.init(key: "release_reason", value: .string("inquiry closed"))]))
            try expectProblem(
                try await client.delete("/api/v1/audit/legal-hold/rr-2025-007", json: release), status: .unauthorized, type: "unauthorized")
            try expectProblem(
                try await client.delete("/api/v1/audit/legal-hold/rr-2025-007", json: .object(JSONObject()), headers: [Self.user: "bob"]),
                status: .badRequest, type: "validation-error", fields: ["release_reason"]
            )
            let released = try await client.delete("/api/v1/audit/legal-hold/rr-2025-007", json: release, headers: [Self.user: "bob"])
            #expect(released.status == .ok)
            let answer = try released.object
            #expect(answer.members.map(\.key) == ["correlation_id", "events_released", "released_by", "released_at"])
            #expect(answer["events_released"] == .number("2"))
            #expect(answer.string("released_by") == "bob")
            try expectProblem(
                try await client.delete("/api/v1/audit/legal-hold/rr-2025-007", json: release, headers: [Self.user: "bob"]),
                status: .notFound, type: "not-found"
            )
            #expect(try await client.get("/api/v1/audit/legal-hold", headers: [Self.user: "alice"]).object["total"] == .number("0"))
        }
    }

    @Test("Partitions: every month with its range, size and retention state", arguments: StoreKind.available)
    func partitions(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let old = AuditTimestamp.now().utcDate.month.adding(months: -2)
            var event = EventFactory.request(correlationID: "rr-old", at: old.firstDay.startOfDay.adding(seconds: 60))
            event["retention_days"] = .number("1")
            #expect(try await client.post("/api/v1/audit/events", json: .object(event)).status == .created)
            let response = try await client.get("/api/v1/audit/partitions")
            #expect(response.status == .ok)
            let partitions = try response.object.array("partitions").compactMap(\.object)
            #expect(try response.object["total"] == .number(String(partitions.count)))
            let current = try #require(partitions.first { $0.string("month") == AuditTimestamp.now().utcDate.month.description })
            #expect(current.string("state") == "kept")
            #expect(current.string("partition") == AuditTimestamp.now().utcDate.month.partitionName)
            let expired = try #require(partitions.first { $0.string("month") == old.description })
            #expect(expired.string("state") == "eligible")
            #expect(expired["rows"] == .number("1"))
            #expect(expired.string("range_start") == old.firstDay.description)
            #expect(expired.string("range_end") == old.endDay.description)
            #expect(expired.string("oldest_event") != nil)
        }
    }
}

extension TestClientProtocol {
    func delete(_ path: String, json: JSONValue, headers: HTTPFields = [:]) async throws -> TestResponse {
        var writer = JSONWriter()
        writer.write(json)
        var headers = headers
        headers[.contentType] = "application/json"
        return try await execute(uri: path, method: .delete, headers: headers, body: ByteBuffer(bytes: writer.bytes)) { $0 }
    }
}
