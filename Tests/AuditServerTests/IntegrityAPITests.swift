import AuditCore
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Kubernaut's verify-chain and the chain members of query answers, through the API, on both
/// stores, with the application's own sequencer logging what is written.
@Suite struct IntegrityAPITests {
    static func verify(_ client: any TestClientProtocol, _ correlation: String, headers: HTTPFields = [:]) async throws -> JSONObject {
        let answer = try await client.post(
            "/api/v1/audit/verify-chain", json: .object(JSONObject([.init(key: "correlation_id", value: .string(correlation))])), headers: headers)
        #expect(answer.status == .ok)
        return try answer.object
    }

    /// The chain once the sequencer has logged everything (it steps every 200 ms).
    static func logged(_ client: any TestClientProtocol, _ correlation: String) async throws -> JSONObject {
        var answer = try await verify(client, correlation)
        for _ in 0..<100 where answer["pending_events"] != .number("0") {
            try await Task.sleep(for: .milliseconds(100))
            answer = try await verify(client, correlation)
        }
        return answer
    }

    @Test(
        "verify-chain answers Kubernaut's shape; query items link each event to the previous one; a change made behind the server is named",
        arguments: StoreKind.available)
    func verifyChain(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, harness in
            let now = AuditTimestamp.now()
            // Kubernaut's #2318: events sharing a timestamp must verify.
            let batch = JSONValue.array((0..<4).map { _ in .object(EventFactory.request(correlationID: "rr-chain-api", at: now)) })
            #expect(try await client.post("/api/v1/audit/events/batch", json: batch).status == .created)

            let intact = try await Self.logged(client, "rr-chain-api")
            #expect(intact["is_valid"] == .bool(true) && intact["total_events"] == .number("4") && intact["verified_events"] == .number("4"))
            #expect(intact.string("correlation_id") == "rr-chain-api" && intact["tampered_events"] == .array([]))
            #expect(intact.string("message") == "hash chain intact: 4 of 4 events verified")
            #expect(intact.string("verification_time").flatMap { AuditTimestamp(rfc3339: $0) } != nil)

            let items = try await client.get("/api/v1/audit/events?correlation_id=rr-chain-api&order=asc").object.array("data").compactMap(\.object)
            let byID = Dictionary(uniqueKeysWithValues: items.compactMap { item in item.string("event_id").map { ($0, item) } })
            let entries = try await harness.store.logEntries(correlationID: "rr-chain-api")
            #expect(entries.count == 4)
            for (previous, entry) in zip(entries, entries.dropFirst()) {
                let item = try #require(byID[entry.eventID.uuidString.lowercased()])
                #expect(item.string("previous_event_hash") == byID[previous.eventID.uuidString.lowercased()]?.string("event_hash"))
            }
            #expect(byID[entries[0].eventID.uuidString.lowercased()]?["previous_event_hash"] == nil, "the first has none")

            try await harness.tamper(.update(eventID: entries[2].eventID, column: "actor_id", expression: "'someone-else'"))
            let broken = try await Self.verify(client, "rr-chain-api")
            #expect(broken["is_valid"] == .bool(false) && broken["verified_events"] == .number("3"))
            let tampered = try #require(broken.array("tampered_events").first?.object)
            #expect(tampered.string("event_id") == entries[2].eventID.uuidString.lowercased())
            #expect(tampered.string("expected_hash") == entries[2].eventHash && tampered.string("previous_hash") == entries[1].eventHash)
            #expect(tampered.string("actual_hash") != nil && tampered.string("actual_hash") != entries[2].eventHash)
            #expect(tampered.string("message")?.contains("changed") == true)
        }
    }

    @Test("verify-chain refuses a body without a correlation_id, naming the field", arguments: StoreKind.available)
    func badRequests(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            for body in [#"{}"#, #"{"correlation_id":""}"#, #"{"correlation_id":7}"#, #"[]"#] {
                let answer = try await client.post("/api/v1/audit/verify-chain", body: Array(body.utf8), headers: [.contentType: "application/json"])
                #expect(answer.status == .badRequest, "\(body)")
                #expect(answer.headers[.contentType] == "application/problem+json")
                if body.hasPrefix("{") { #expect(String(buffer: answer.body).contains("correlation_id"), "\(body)") }
            }
            let unknown = try await Self.verify(client, "rr-none")
            #expect(unknown["is_valid"] == .bool(true) && unknown["total_events"] == .number("0"))
        }
    }

    @Test("A reader limited to some events may not verify chains (the answer would count the others)")
    func limitedReader() async throws {
        try await withAccessApp(.sqlite) { client, fixture in
            let answer = try await client.post(
                "/api/v1/audit/verify-chain", json: .object(JSONObject([.init(key: "correlation_id", value: .string("rr-x"))])),
                headers: fixture.headers(.workflowReader))
            try expectProblem(answer, status: .forbidden, type: "forbidden")
            _ = try await Self.verify(client, "rr-x", headers: fixture.headers(.reader))
        }
    }
}
