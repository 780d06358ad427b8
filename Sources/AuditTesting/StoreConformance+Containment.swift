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
            }
        ]
    }
}
