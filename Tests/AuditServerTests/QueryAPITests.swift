import AuditCore
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct QueryAPITests {
    /// Stores `requests` through the batch endpoint and returns their ids.
    static func store(_ requests: [JSONObject], client: any TestClientProtocol) async throws -> [String] {
        let response = try await client.post("/api/v1/audit/events/batch", json: .array(requests.map { .object($0) }))
        #expect(response.status == .created)
        return try response.object.array("event_ids").compactMap(\.string)
    }

    static func ids(_ response: TestResponse) throws -> [String] {
        try response.object.array("data").compactMap { $0.object?.string("event_id") }
    }

    @Test("Each filter as a query parameter", arguments: StoreKind.available)
    func filters(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let now = AuditTimestamp.now()
            let first = EventFactory.request(
                type: "workflowexecution.execution.failed", category: "workflowexecution", outcome: "failure", correlationID: "rr-a",
                at: now.adding(seconds: -30),
                fields: [
                    "severity": .string("critical"), "actor_type": .string("service"), "actor_id": .string("executor"),
                    "resource_type": .string("Job"), "resource_id": .string("job-1"), "namespace": .string("prod-payments"),
                    "cluster_id": .string("k1"),
                ]
            )
            let ids = try await Self.store([first], client: client)
            var second = EventFactory.request(
                type: "aianalysis.analysis.completed", category: "analysis", outcome: "success", correlationID: "rr-b", at: now.adding(seconds: -20),
                fields: [
                    "severity": .string("info"), "actor_type": .string("user"), "actor_id": .string("alice"),
                    "resource_type": .string("Analysis"), "resource_id": .string("an-1"), "namespace": .string("dev"), "cluster_name": .string("k2"),
                ]
            )
            second["parent_event_id"] = .string(ids[0])
            let all = ids + (try await Self.store([second], client: client))
            let cases: [(String, [String])] = [
                ("event_type=workflowexecution.execution.failed", [all[0]]), ("event_category=analysis", [all[1]]),
                ("event_outcome=failure", [all[0]]), ("severity=info", [all[1]]), ("correlation_id=rr-a", [all[0]]),
                ("actor_type=user", [all[1]]), ("actor_id=executor", [all[0]]), ("resource_type=Analysis", [all[1]]),
                ("resource_id=job-1", [all[0]]), ("namespace=prod-payments", [all[0]]), ("cluster_id=k2", [all[1]]),
                ("cluster_name=k1", [all[0]]), ("parent_event_id=\(all[0])", [all[1]]), ("event_outcome=failure&namespace=dev", []),
                ("", [all[1], all[0]]),
            ]
            for (parameters, expected) in cases {
                let response = try await client.get("/api/v1/audit/events?\(parameters)")
                #expect(response.status == .ok, "\(parameters)")
                #expect(try Self.ids(response) == expected, "\(parameters)")
                #expect(try response.object.object("pagination")?["total"] == .number(String(expected.count)), "total for \(parameters)")
            }
        }
    }

    @Test("since and until in every form", arguments: StoreKind.available)
    func timeWindows(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let now = AuditTimestamp.now()
            let ages: [Int64] = [10 * 86_400, 3 * 86_400, 5 * 3600, 20 * 60, 30]
            let ids = try await Self.store(
                ages.map { EventFactory.request(correlationID: "rr-window", at: now.adding(seconds: -$0)) }, client: client)
            let today = now.utcDate
            let threeDaysAgo = now.adding(seconds: -3 * 86_400)
            let cases: [(String, [String])] = [
                ("since=30m", [ids[3], ids[4]]), ("since=24h", [ids[2], ids[3], ids[4]]), ("since=7d", Array(ids[1...])),
                ("since=1h&until=10m", [ids[3]]), ("until=7d", [ids[0]]),
                ("since=\(threeDaysAgo.adding(seconds: -1))&until=\(threeDaysAgo)", [ids[1]]),
                ("since=\(threeDaysAgo.adding(microseconds: 1))&until=\(now)", [ids[2], ids[3], ids[4]]),
                ("since=\(threeDaysAgo.utcDate)&until=\(threeDaysAgo.utcDate)", [ids[1]]),
                ("since=\(today.adding(days: 1))", []),
            ]
            for (parameters, expected) in cases {
                let response = try await client.get("/api/v1/audit/events?correlation_id=rr-window&order=asc&\(parameters)")
                #expect(response.status == .ok, "\(parameters): \(String(buffer: response.body))")
                #expect(try Self.ids(response) == expected, "\(parameters)")
            }
            // Offsets in a query string must be percent-encoded: '+' is a literal plus here.
            let offsetForm = try await client.get(
                "/api/v1/audit/events?correlation_id=rr-window&since=\(threeDaysAgo.adding(seconds: 7200 - 1))".replacingOccurrences(
                    of: "Z", with: "%2B02:00"))
            #expect(offsetForm.status == .ok)
            #expect(try Self.ids(offsetForm).contains(ids[1]))
        }
    }

    @Test("Offset and cursor pages, with writes between pages, in both orders", arguments: StoreKind.available)
    func pagination(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let base = AuditTimestamp.now().adding(seconds: -3600)
            let ids = try await Self.store(
                (0..<9).map { EventFactory.request(correlationID: "rr-pages", at: base.adding(seconds: Int64($0 * 60))) }, client: client)

            var offsetIDs: [String] = []
            for offset in stride(from: 0, to: 9, by: 4) {
                let page = try await client.get("/api/v1/audit/events?correlation_id=rr-pages&order=asc&limit=4&offset=\(offset)")
                let pagination = try #require(try page.object.object("pagination"))
                #expect(pagination["limit"] == .number("4"))
                #expect(pagination["offset"] == .number(String(offset)))
                #expect(pagination["total"] == .number("9"))
                #expect(pagination["has_more"] == .bool(offset + 4 < 9))
                offsetIDs += try Self.ids(page)
            }
            #expect(offsetIDs == ids)

            for order in ["asc", "desc"] {
                var seen: [String] = []
                var cursor: String?
                var round = 0
                repeat {
                    let cursorParameter = cursor.map { "&cursor=\($0)" } ?? ""
                    let page = try await client.get("/api/v1/audit/events?correlation_id=rr-pages&order=\(order)&limit=4\(cursorParameter)")
                    #expect(page.status == .ok)
                    seen += try Self.ids(page)
                    cursor = try page.object.object("pagination")?.string("next_cursor")
                    // Events arrive between pages, newer and older than everything read so far.
                    round += 1
                    _ = try await Self.store(
                        [
                            EventFactory.request(correlationID: "rr-pages", at: base.adding(seconds: 3000 + Int64(round))),
                            EventFactory.request(correlationID: "rr-pages", at: base.adding(seconds: -100 - Int64(round))),
                        ],
                        client: client
                    )
                } while cursor != nil && round < 20
                #expect(Set(seen).count == seen.count, "no duplicates (\(order))")
                #expect(Set(ids).isSubset(of: Set(seen)), "no gaps (\(order))")
            }
        }
    }

    @Test(
        "Items carry every stored column, leave out absent ones (never null), and say whether they are held; one event by id; 404 and 400",
        arguments: StoreKind.available)
    func items(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let parentIDs = try await Self.store([EventFactory.gatewaySignal(at: .now())], client: client)
            var full = EventFactory.request(correlationID: "rr-items", at: .now())
            for (name, value) in [
                ("actor_ip", "10.0.0.1"), ("namespace", "prod"), ("cluster_id", "eu-1"), ("severity", "high"), ("error_code", "E1"),
                ("error_message", "boom"), ("parent_event_id", parentIDs[0]),
            ] {
                full[name] = .string(value)
            }
            full["duration_ms"] = .number("42")
            let ids = try await Self.store([full], client: client)
            let listed = try await client.get("/api/v1/audit/events?correlation_id=rr-items")
            let item = try #require(try listed.object.array("data").first?.object)
            #expect(
                item.members.map(\.key) == [
                    "event_id", "version", "event_version", "event_timestamp", "event_date", "event_type", "event_category", "event_action",
                    "event_outcome", "actor_type", "actor_id", "actor_ip", "resource_type", "resource_id", "correlation_id", "parent_event_id",
                    "parent_event_date", "namespace", "cluster_id", "cluster_name", "severity", "duration_ms", "error_code", "error_message",
                    "retention_days", "is_sensitive", "legal_hold", "insert_seq", "written_by", "event_hash", "hash_algorithm", "event_data",
                ])
            #expect(item["legal_hold"] == .bool(false))
            let minimal = try await client.get("/api/v1/audit/events/\(parentIDs[0])").object
            #expect(minimal["actor_ip"] == nil && minimal["parent_event_id"] == nil && minimal["severity"] == nil)
            #expect(!minimal.members.contains { $0.value == .null }, "absent members are left out, not null")
            #expect(try listed.object.object("pagination")?["next_cursor"] == nil, "no next page: no next_cursor member")
            let single = try await client.get("/api/v1/audit/events/\(ids[0])")
            #expect(single.status == .ok)
            #expect(try single.object == item)
            try expectProblem(try await client.get("/api/v1/audit/events/\(UUID().uuidString)"), status: .notFound, type: "not-found")
            try expectProblem(
                try await client.get("/api/v1/audit/events/not-a-uuid"), status: .badRequest, type: "validation-error", fields: ["event_id"])
            try expectProblem(
                try await client.get("/api/v1/audit/events?limit=0&order=up"), status: .badRequest, type: "validation-error",
                fields: ["limit", "order"])
            try expectProblem(
                try await client.get("/api/v1/audit/events?since=soon"), status: .badRequest, type: "validation-error", fields: ["since"])
            try expectProblem(
                try await client.get("/api/v1/audit/events?cursor=xyz"), status: .badRequest, type: "validation-error", fields: ["cursor"])
        }
    }
}
