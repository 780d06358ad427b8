import AuditCore
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// `GET /api/v1/audit/events?event_data=<JSON object>`: which workflow was selected, and why.
@Suite struct ContainmentAPITests {
    static func encoded(_ json: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return json.addingPercentEncoding(withAllowedCharacters: allowed)!
    }

    @Test("event_data containment through the API, alone, with other filters, and across cursor pages", arguments: StoreKind.available)
    func containment(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let now = AuditTimestamp.now()
            var requests: [JSONObject] = []
            for index in 0..<7 {
                var scoring = JSONObject()
                scoring["workflow_id"] = .string(index % 2 == 0 ? "restart-pod-v1" : "scale-up-v1")
                scoring["confidence"] = .number(index % 2 == 0 ? "0.92" : "0.41")
                var data = JSONObject()
                data["selected_workflow"] = .object(scoring)
                data["candidates"] = .array([.string("restart-pod-v1"), .string("scale-up-v1")])
                requests.append(
                    EventFactory.request(
                        type: "workflow.selection.completed", category: "workflow", correlationID: "rr-sel-\(index % 3)",
                        at: now.adding(seconds: Int64(-index)), data: data))
            }
            let response = try await client.post("/api/v1/audit/events/batch", json: .array(requests.map { .object($0) }))
            #expect(response.status == .created)
            let ids = try response.object.array("event_ids").compactMap(\.string)

            let restart = Self.encoded(#"{"selected_workflow":{"workflow_id":"restart-pod-v1"}}"#)
            let all = try await client.get("/api/v1/audit/events?event_data=\(restart)&order=asc&limit=100").object
            #expect(all.array("data").compactMap { $0.object?.string("event_id") } == [ids[6], ids[4], ids[2], ids[0]])
            let narrowed = try await client.get("/api/v1/audit/events?event_data=\(restart)&correlation_id=rr-sel-0").object
            #expect(narrowed.array("data").compactMap { $0.object?.string("event_id") } == [ids[0], ids[6]])

            // Pages of two with a cursor: the filter is part of what the cursor is bound to.
            var seen: [String] = []
            var cursor: String?
            repeat {
                let path = "/api/v1/audit/events?event_data=\(restart)&limit=2" + (cursor.map { "&cursor=\(Self.encoded($0))" } ?? "")
                let page = try await client.get(path).object
                seen += page.array("data").compactMap { $0.object?.string("event_id") }
                cursor = page.object("pagination")?.string("next_cursor")
            } while cursor != nil
            #expect(seen == [ids[0], ids[2], ids[4], ids[6]])
            let first = try await client.get("/api/v1/audit/events?event_data=\(restart)&limit=2").object
            let token = try #require(first.object("pagination")?.string("next_cursor"))
            try expectProblem(
                try await client.get("/api/v1/audit/events?limit=2&cursor=\(Self.encoded(token))"), status: .badRequest,
                type: "validation-error", fields: ["cursor"])
        }
    }

    @Test("A bad event_data filter is a 400 naming event_data", arguments: StoreKind.available)
    func badFilters(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let deep = String(repeating: #"{"a":"#, count: 9) + "1" + String(repeating: "}", count: 9)
            for bad in ["not json", "[1,2]", "{}", #""text""#, deep, "{\"k\":\"" + String(repeating: "x", count: 5000) + "\"}"] {
                try expectProblem(
                    try await client.get("/api/v1/audit/events?event_data=\(Self.encoded(bad))"), status: .badRequest, type: "validation-error",
                    fields: ["event_data"])
            }
        }
    }
}
