import AuditCore
import AuditTesting
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// DS V5.8's header form of `POST /api/v1/audit/events`: the envelope in `X-Event-Type`,
/// `X-Service`, `X-Correlation-ID`, `X-Resource-Type`, `X-Outcome`, the body `event_data`.
@Suite struct HeaderFormTests {
    static func headers(
        type: String? = "gateway.signal.received", service: String? = "gateway", correlation: String? = "rr-header-1",
        resourceType: String? = "Signal", outcome: String? = "success", extra: [(String, String)] = []
    ) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in [
            ("X-Event-Type", type), ("X-Service", service), ("X-Correlation-ID", correlation), ("X-Resource-Type", resourceType),
            ("X-Outcome", outcome),
        ] {
            if let value { fields[HTTPField.Name(name)!] = value }
        }
        for (name, value) in extra { fields[HTTPField.Name(name)!] = value }
        return fields
    }

    static let eventData: JSONValue = .object(
        JSONObject([
            .init(key: "fingerprint", value: .string("fp-7")), .init(key: "alert_name", value: .string("HighCPU")),
            .init(key: "labels", value: .object(JSONObject([.init(key: "severity", value: .string("critical"))]))),
            .init(key: "count", value: .number("3")),
        ]))

    @Test("The envelope from the headers and the body as event_data: stored, and read back as the body form would be", arguments: StoreKind.available)
    func roundTrip(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let created = try await client.post("/api/v1/audit/events", json: Self.eventData, headers: Self.headers())
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let id = try #require(try created.object.string("event_id"))
            let page = try await client.get("/api/v1/audit/events?correlation_id=rr-header-1").object
            let item = try #require(page.array("data").first?.object)
            #expect(item.string("event_id") == id)
            #expect(item.string("event_type") == "gateway.signal.received" && item.string("event_category") == "gateway")
            #expect(item.string("event_action") == "received" && item.string("event_outcome") == "success")
            #expect(item.string("actor_type") == "service" && item.string("actor_id") == "gateway")
            #expect(item.string("resource_type") == "Signal" && item.string("resource_id") == "rr-header-1")
            #expect(item.string("version") == "1.0")
            #expect(item["event_data"]?.canonicalBytes == Self.eventData.canonicalBytes, "event_data is the body, unchanged")
        }
    }

    @Test(
        "Optional headers: X-Event-ID makes a retry idempotent; X-Resource-ID, X-Event-Action and X-Event-Timestamp are used",
        arguments: StoreKind.available)
    func optionalHeaders(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let id = "0b6f0d52-3c1e-4a55-9a11-2f7e9d1c0a01"
            let timestamp = AuditTimestamp.now().adding(seconds: -5).description
            let headers = Self.headers(
                correlation: "rr-header-2",
                extra: [("X-Event-ID", id), ("X-Resource-ID", "sig-9"), ("X-Event-Action", "accepted"), ("X-Event-Timestamp", timestamp)])
            for _ in 0..<2 {
                let answer = try await client.post("/api/v1/audit/events", json: Self.eventData, headers: headers)
                #expect(answer.status == .created)
                #expect(try answer.object.string("event_id") == id)
            }
            let page = try await client.get("/api/v1/audit/events?correlation_id=rr-header-2").object
            #expect(page.array("data").count == 1, "sent twice, stored once")
            let item = try #require(page.array("data").first?.object)
            #expect(item.string("resource_id") == "sig-9" && item.string("event_action") == "accepted")
            #expect(item.string("event_timestamp") == timestamp)
        }
    }

    @Test("A missing or bad envelope header is a 400 naming the header; nothing is stored")
    func refusals() async throws {
        try await withApp(.sqlite) { client, _ in
            let cases: [(HTTPFields, [String])] = [
                (Self.headers(service: nil), ["X-Service"]),
                (Self.headers(correlation: nil), ["X-Correlation-ID"]),
                (Self.headers(outcome: "maybe"), ["X-Outcome"]),
                (Self.headers(outcome: nil), ["X-Outcome"]),
                (Self.headers(type: ""), ["X-Event-Type"]),
                (Self.headers(extra: [("X-Event-ID", "not-a-uuid")]), ["X-Event-ID"]),
                (Self.headers(extra: [("X-Event-Timestamp", "yesterday")]), ["X-Event-Timestamp"]),
            ]
            for (headers, fields) in cases {
                let answer = try await client.post("/api/v1/audit/events", json: Self.eventData, headers: headers)
                try expectProblem(answer, status: .badRequest, type: "validation-error", fields: fields)
            }
            let notObject = try await client.post("/api/v1/audit/events", json: .array([]), headers: Self.headers())
            try expectProblem(notObject, status: .badRequest, type: "validation-error", fields: ["event_data"])
            let mismatched = JSONValue.object(JSONObject([.init(key: "event_type", value: .string("gateway.other"))]))
            let other = try await client.post("/api/v1/audit/events", json: mismatched, headers: Self.headers())
            #expect(other.status == .badRequest)
            let page = try await client.get("/api/v1/audit/events?correlation_id=rr-header-1").object
            #expect(page.array("data").isEmpty)
        }
    }
}
