import AuditCore
import Testing

extension StoreConformance {
    static var containmentChecks: [ConformanceCheck] {
        [
            ConformanceCheck("filters by event_data containment as jsonb @> does") { harness in
                let now = AuditTimestamp.now()
                func object(_ text: String) throws -> JSONObject {
                    guard case .object(let object) = try JSONParser.parse(text) else {
                        throw AuditError(.malformedRequest, detail: "not an object: \(text)")
                    }
                    return object
                }
                let payloads = [
                    #"{"selected_workflow":{"workflow_id":"restart-pod-v1","version":"2.1","score":0.50},"tags":["oom","prod"],"flag":true,"name":"é"}"#,
                    #"{"selected_workflow":{"workflow_id":"scale-up-v1","score":3.0},"tags":["cpu"],"flag":1,"missing":null}"#,
                    #"{"steps":[{"name":"drain","ok":true},{"name":"restart"}],"count":3}"#,
                ]
                let events = try payloads.enumerated().map { index, payload in
                    try EventFactory.event(correlationID: "rr-json-\(index)", at: now.adding(seconds: Int64(-index)), data: try object(payload))
                }
                try await harness.writeSucceeding(events)
                let cases: [(String, [Int])] = [
                    (#"{"selected_workflow":{"workflow_id":"restart-pod-v1"}}"#, [0]),
                    (#"{"selected_workflow":{}}"#, [0, 1]),
                    (#"{"tags":["prod"]}"#, [0]),
                    (#"{"tags":["prod","oom"]}"#, [0]),
                    (#"{"tags":["gpu"]}"#, []),
                    (#"{"tags":"prod"}"#, []),
                    (#"{"selected_workflow":{"score":0.5}}"#, [0]),
                    (#"{"selected_workflow":{"score":3}}"#, [1]),
                    (#"{"flag":true}"#, [0]),
                    (#"{"flag":1}"#, [1]),
                    (#"{"name":"é"}"#, [0]),
                    (#"{"missing":null}"#, [1]),
                    (#"{"steps":[{"name":"restart"}]}"#, [2]),
                    (#"{"steps":[{"name":"drain","ok":false}]}"#, []),
                    (#"{"count":3,"steps":[]}"#, [2]),
                    (#"{"nothing":"here"}"#, []),
                ]
                for (filter, expected) in cases {
                    var query = EventQuery(limit: 10, order: .ascending)
                    query.filters.eventDataContains = try object(filter)
                    query.since = now.adding(seconds: -60)
                    let page = try await harness.store.events(matching: query)
                    let found = page.events.compactMap { stored in events.firstIndex { $0.id == stored.event.id } }.sorted()
                    #expect(found == expected, "\(filter)")
                    #expect(page.total == expected.count, "\(filter)")
                }
                // Combined with a column filter.
                var combined = EventQuery(limit: 10)
                combined.filters.eventDataContains = try object(#"{"selected_workflow":{}}"#)
                combined.filters.correlationID = "rr-json-1"
                #expect(try await harness.store.events(matching: combined).events.map(\.event.id) == [events[1].id])
            },

            ConformanceCheck(
                "answers every containment filter the API accepts as PostgreSQL does: exact numbers, names by their bytes, any depth, large filters"
            ) { harness in
                let now = AuditTimestamp.now()
                let deep = #"{"l1":{"l2":{"l3":{"l4":{"l5":{"l6":{"l7":"bottom"}}}}}}}"#
                let wide = "{" + (0..<300).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
                let long = "[" + (0..<600).map(String.init).joined(separator: ",") + "]"
                let payloads = [
                    #"{"n":12345678901234567890,"f":0.1000000000000000055511151231257827,"\u00e9":"precomposed"}"#,
                    #"{"n":12345678901234567891,"f":0.1,"e\u0301":"combining"}"#,
                    deep, wide, #"{"list":\#(long)}"#,
                ]
                let events = try payloads.enumerated().map { index, payload in
                    try EventFactory.event(correlationID: "rr-exact-\(index)", at: now.adding(seconds: Int64(-index)), data: try Self.object(payload))
                }
                try await harness.writeSucceeding(events)
                let cases: [(String, [Int])] = [
                    (#"{"n":12345678901234567890}"#, [0]),
                    (#"{"n":12345678901234567891}"#, [1]),
                    (#"{"n":1.2345678901234567890e19}"#, [0]),
                    (#"{"f":0.1}"#, [1]),
                    (#"{"f":0.1000000000000000055511151231257827}"#, [0]),
                    (#"{"\u00e9":"precomposed"}"#, [0]),
                    (#"{"e\u0301":"combining"}"#, [1]),
                    (#"{"\u00e9":"combining"}"#, []),
                    (deep, [2]),
                    (#"{"l1":{"l2":{"l3":{"l4":{"l5":{"l6":{"l7":"top"}}}}}}}"#, []),
                    (#"{"l1":{"l2":{"l3":{"l4":{"l5":{"l6":{}}}}}}}"#, [2]),
                    (wide, [3]),
                    ("{" + (0..<300).map { "\"k\($0)\":\($0 == 299 ? 0 : $0)" }.joined(separator: ",") + "}", []),
                    ("{\"list\":[" + (0..<500).map(String.init).joined(separator: ",") + "]}", [4]),
                    ("{\"list\":[" + (100..<700).map(String.init).joined(separator: ",") + "]}", []),
                ]
                for (filter, expected) in cases {
                    var query = EventQuery(limit: 10, order: .ascending)
                    query.filters.eventDataContains = try Self.object(filter)
                    query.since = now.adding(seconds: -60)
                    let page = try await harness.store.events(matching: query)
                    let found = page.events.compactMap { stored in events.firstIndex { $0.id == stored.event.id } }.sorted()
                    #expect(found == expected, "\(filter.prefix(120))")
                }
            },

            ConformanceCheck("filters by Kubernaut's detail_key and detail_value: a top-level event_data member equals the value") { harness in
                let now = AuditTimestamp.now()
                let payloads = [
                    #"{"task_id":"task-abc-123"}"#, #"{"task_id":3}"#, #"{"task_id":"3"}"#, #"{"nested":{"task_id":"task-abc-123"}}"#,
                    #"{"task_id":["task-abc-123"]}"#, #"{"done":true}"#, #"{"task_id":3.0}"#,
                ]
                let events = try payloads.enumerated().map { index, payload in
                    try EventFactory.event(
                        correlationID: "rr-detail-\(index)", at: now.adding(seconds: Int64(-index)), data: try Self.object(payload))
                }
                try await harness.writeSucceeding(events)
                for (key, value, expected) in [
                    ("task_id", "task-abc-123", [0]), ("task_id", "3", [1, 2, 6]), ("done", "true", [5]), ("task_id", "nothing", []),
                ] {
                    var query = EventQuery(limit: 10, order: .ascending)
                    query.filters.eventDataMember = EventDataMember(key: key, value: value)
                    query.since = now.adding(seconds: -60)
                    let page = try await harness.store.events(matching: query)
                    let found = page.events.compactMap { stored in events.firstIndex { $0.id == stored.event.id } }.sorted()
                    #expect(found == expected, "\(key)=\(value)")
                    #expect(page.total == expected.count)
                }
            },
        ]
    }

    /// The JSON object `text`.
    static func object(_ text: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(text) else { throw AuditError(.malformedRequest, detail: "not an object: \(text)") }
        return object
    }
}
