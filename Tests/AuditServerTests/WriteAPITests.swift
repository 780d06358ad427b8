import AuditCore
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct WriteAPITests {
    @Test("The seeds' scenario: parent and child through the API, then every direct change refused", arguments: StoreKind.available)
    func seedScenario(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, harness in
            let now = AuditTimestamp.now()
            let parentResponse = try await client.post("/api/v1/audit/events", json: .object(EventFactory.gatewaySignal(at: now.adding(seconds: -2))))
            #expect(parentResponse.status == .created)
            let parentID = try #require(UUID(uuidString: try parentResponse.object.string("event_id") ?? ""))
            var child = EventFactory.request(
                type: "signalprocessing.signal.processed", category: "signalprocessing", correlationID: "rr-2025-001", at: now)
            child["parent_event_id"] = .string(parentID.uuidString)
            let childResponse = try await client.post("/api/v1/audit/events", json: .object(child))
            #expect(childResponse.status == .created)
            let childID = try #require(UUID(uuidString: try childResponse.object.string("event_id") ?? ""))

            let parent = try #require(try await harness.store.event(id: parentID))
            let mutations = harness.directMutations(of: parent.event)
            requireEveryKind(of: mutations)
            // On the whole table too (PostgreSQL's parent table, SQLite's view).
            let wholeTable = Set(mutations.filter { !$0.namesMonth }.map(\.kind))
            #expect(wholeTable.isSuperset(of: [.deleteByID, .deleteByIDAndDate, .deleteAll]))
            for mutation in mutations {
                #expect(await mutation.attempt() == .refused, "\(mutation.description)")
            }
            let afterward = try await client.get("/api/v1/audit/events/\(parentID.uuidString)")
            #expect(afterward.status == .ok)
            #expect(try afterward.object.string("event_id") == parentID.uuidString.lowercased())
            let childAfterward = try await client.get("/api/v1/audit/events/\(childID.uuidString)")
            #expect(try childAfterward.object.string("parent_event_id") == parentID.uuidString.lowercased())
            // Kubernaut's spec: parent_event_date is a date-time.
            #expect(try childAfterward.object.string("parent_event_date") == parent.event.date.startOfDay.description)
            #expect(try childAfterward.object.string("parent_event_date")?.hasSuffix("T00:00:00Z") == true)
        }
    }

    @Test("One event: 201 with Kubernaut's body; retried with its event_id, the same id and nothing stored twice", arguments: StoreKind.available)
    func singleEvent(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, harness in
            var signal = EventFactory.gatewaySignal(at: .now())
            signal["event_id"] = .string(UUID().uuidString)
            let request = JSONValue.object(signal)
            let first = try await client.post("/api/v1/audit/events", json: request)
            #expect(first.status == .created)
            #expect(first.headers[.contentType] == "application/json")
            let body = try first.object
            #expect(body.members.map(\.key) == ["event_id", "event_timestamp", "message"])
            let id = try #require(body.string("event_id").flatMap(UUID.init(uuidString:)))
            #expect(body.string("event_timestamp").flatMap { AuditTimestamp(rfc3339: $0) } != nil)
            let retry = try await client.post("/api/v1/audit/events", json: request)
            #expect(retry.status == .created)
            #expect(try retry.object.string("event_id") == body.string("event_id"))
            #expect(try await harness.rowCount(eventID: id) == 1)
        }
    }

    /// Kubernaut's Go client writes whole-second timestamps and no event_id: two separate,
    /// identical events are two events (a content-derived id would merge them; that is an option).
    @Test("Two identical events sent without event_id are both stored, each under its own id", arguments: StoreKind.available)
    func identicalEventsWithoutIDs(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, harness in
            let second = AuditTimestamp(microsecondsSinceEpoch: AuditTimestamp.now().microsecondsSinceEpoch / 1_000_000 * 1_000_000)
            let request = JSONValue.object(EventFactory.request(correlationID: "rr-twins", at: second))
            let one = try await client.post("/api/v1/audit/events", json: request).object.string("event_id")
            let other = try await client.post("/api/v1/audit/events", json: request).object.string("event_id")
            #expect(one != nil && other != nil && one != other)
            let batch = try await client.post("/api/v1/audit/events/batch", json: .array([request, request])).object
            #expect(Set(batch.array("event_ids").compactMap(\.string)).count == 2)
            let listed = try await client.get("/api/v1/audit/events?correlation_id=rr-twins").object
            #expect(listed.object("pagination")?["total"] == .number("4"))
        }
        // With --content-derived-ids they are one event (and a retry without ids is stored once).
        var settings = AuditServerConfiguration(validation: EventFactory.importPolicy)
        settings.validation.eventIDs = .contentDerived
        try await withApp(kind, configuration: settings) { client, harness in
            let request = JSONValue.object(EventFactory.request(correlationID: "rr-merged", at: .now()))
            let one = try await client.post("/api/v1/audit/events", json: request).object.string("event_id")
            let retry = try await client.post("/api/v1/audit/events", json: request)
            #expect(retry.status == .created)
            #expect(try retry.object.string("event_id") == one)
            #expect(try retry.object.string("message") == "Audit event already stored")
            #expect(try await harness.rowCount(eventID: try #require(one.flatMap(UUID.init(uuidString:)))) == 1)
        }
    }

    @Test("A batch: 201 with ids in input order; posted twice, each event stored once", arguments: StoreKind.available)
    func batchTwice(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, harness in
            let now = AuditTimestamp.now()
            let withID = UUID()
            var signal = EventFactory.gatewaySignal(at: now.adding(seconds: -3), fingerprint: "fp-1")
            signal["event_id"] = .string(UUID().uuidString)
            let batch = JSONValue.array([
                .object(signal),
                .object(EventFactory.request(at: now.adding(seconds: -2), eventID: withID)),
                .object(EventFactory.request(at: now.adding(seconds: -1), eventID: UUID())),
            ])
            let first = try await client.post("/api/v1/audit/events/batch", json: batch)
            #expect(first.status == .created)
            let ids = try first.object.array("event_ids").compactMap(\.string)
            #expect(ids.count == 3)
            #expect(ids[1] == withID.uuidString.lowercased())
            let second = try await client.post("/api/v1/audit/events/batch", json: batch)
            #expect(second.status == .created)
            #expect(try second.object.array("event_ids").compactMap(\.string) == ids)
            for id in ids {
                #expect(try await harness.rowCount(eventID: UUID(uuidString: id)!) == 1)
            }
        }
    }

    @Test("A batch over three months, one without a partition yet, is stored and queryable", arguments: StoreKind.available)
    func batchAcrossMonths(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, harness in
            let current = AuditTimestamp.now().utcDate.month
            let months = [current.adding(months: -5), current.adding(months: -1), current]
            #expect(try await !harness.storageMonths().contains(months[0]))
            let batch = JSONValue.array(
                months.map { .object(EventFactory.request(correlationID: "rr-three-months", at: $0.firstDay.startOfDay.adding(seconds: 90))) })
            let response = try await client.post("/api/v1/audit/events/batch", json: batch)
            #expect(response.status == .created)
            let ids = try response.object.array("event_ids").compactMap(\.string)
            let storage = try await harness.storageMonths()
            #expect(months.allSatisfy(storage.contains))
            let listed = try await client.get("/api/v1/audit/events?correlation_id=rr-three-months&order=asc")
            #expect(try listed.object.array("data").compactMap { $0.object?.string("event_id") } == ids)
            let oldest = try await client.get(
                "/api/v1/audit/events?correlation_id=rr-three-months&since=\(months[0].firstDay)&until=\(months[0].endDay.adding(days: -1))")
            #expect(try oldest.object.array("data").compactMap { $0.object?.string("event_id") } == [ids[0]])
        }
    }

    @Test("A Kubernaut-shaped request is accepted by both endpoints and read back equal", arguments: StoreKind.available)
    func kubernautShape(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let now = AuditTimestamp.now()
            let payload = #"""
                {"event_type":"gateway.signal.received","signal_type":"prometheus-alert","signal_name":"KubePodCrashLooping",
                 "namespace":"payments-prod","fingerprint":"fp-9f2c","labels":{"alertname":"KubePodCrashLooping","team":"payments","note":"Grüße 世界 🚀 \"q\""},
                 "occurrence_count":12345678901234567890,"score":0.1000000000000000055511151231257827,"ratio":1.50,"firing":true,"runbook":null}
                """#
            for (index, endpoint) in ["/api/v1/audit/events", "/api/v1/audit/events/batch"].enumerated() {
                var request = EventFactory.gatewaySignal(at: now.adding(seconds: Int64(-index)), fingerprint: "fp-9f2c-\(index)")
                request["event_data"] = try JSONParser.parse(payload)
                request["cluster_name"] = .string("eu-west-1")
                request["some_future_member"] = .string("ignored")
                let body: JSONValue = index == 0 ? .object(request) : .array([.object(request)])
                let response = try await client.post(endpoint, json: body)
                #expect(response.status == .created, "\(endpoint)")
                let id = try index == 0 ? response.object.string("event_id") : response.object.array("event_ids").first?.string
                let read = try await client.get("/api/v1/audit/events/\(try #require(id))")
                let item = try read.object
                let data = try #require(item.object("event_data"))
                let sent = try #require(try JSONParser.parse(payload).object)
                #expect(Set(data.members.map(\.key)) == Set(sent.members.map(\.key)))
                #expect(JSONValue.object(data).canonicalBytes == JSONValue.object(sent).canonicalBytes)
                #expect(data["occurrence_count"] == .number("12345678901234567890"))
                #expect(data["score"] == .number("0.1000000000000000055511151231257827"))
                #expect(data.object("labels")?.string("note") == "Grüße 世界 🚀 \"q\"")
                #expect(item.string("cluster_id") == "eu-west-1")
                #expect(item.string("cluster_name") == "eu-west-1")
                #expect(item.string("version") == "1.0")
                #expect(item.string("event_type") == "gateway.signal.received")
                #expect(item.string("namespace") == "payments-prod")
            }
        }
    }

    @Test("An unknown parent is a 400 naming parent_event_id; a reused event_id is a 409", arguments: StoreKind.available)
    func parentsAndConflicts(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, harness in
            let orphan = EventFactory.request(at: .now(), parentID: UUID())
            try expectProblem(
                try await client.post("/api/v1/audit/events", json: .object(orphan)), status: .badRequest, type: "validation-error",
                fields: ["parent_event_id"])
            let good = EventFactory.request(correlationID: "rr-kept", at: .now())
            let stored = try await client.post("/api/v1/audit/events/batch", json: .array([.object(good)]))
            #expect(stored.status == .created)
            try expectProblem(
                try await client.post("/api/v1/audit/events/batch", json: .array([.object(good), .object(orphan)])),
                status: .badRequest, type: "validation-error", fields: ["parent_event_id"], detailPrefix: "event at index 1:"
            )
            let id = UUID()
            #expect(try await client.post("/api/v1/audit/events", json: .object(EventFactory.request(at: .now(), eventID: id))).status == .created)
            try expectProblem(
                try await client.post("/api/v1/audit/events", json: .object(EventFactory.request(outcome: "failure", at: .now(), eventID: id))),
                status: .conflict, type: "event-id-conflict", fields: ["event_id"]
            )
            // What was accepted before the refusals is still there, once.
            let storedID = try #require(try stored.object.array("event_ids").first?.string.flatMap(UUID.init(uuidString:)))
            #expect(try await harness.rowCount(eventID: storedID) == 1)
            #expect(try await harness.rowCount(eventID: id) == 1)
        }
    }
}
