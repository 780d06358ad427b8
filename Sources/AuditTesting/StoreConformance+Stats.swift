import AuditCore
import Testing

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension StoreConformance {
    static var statsChecks: [ConformanceCheck] {
        [
            ConformanceCheck("answers stats by group with counts, failures and discrete percentiles, within the window") { harness in
                let now = AuditTimestamp.now()
                try await harness.writeSucceeding(try StatsDataSet.events(now: now))
                let window = EventQuery(since: now.adding(seconds: -86_400))

                let byAction = try await harness.store.stats(StatsQuery(events: window, groupBy: .column("event_action")))
                #expect(byAction.totalEvents == 7)
                #expect(byAction.totalFailures == 3)
                #expect(byAction.totalGroups == 4)
                #expect(!byAction.hasMore)
                #expect(byAction.groups.map(\.key) == ["scale", "restart", "drain", "notify"])
                let scale = byAction.groups[0]
                #expect((scale.count, scale.failures, scale.measured) == (3, 1, 3))
                #expect(scale.percentiles == [200, 300, 300])
                #expect((scale.minimum, scale.maximum) == (100, 300))
                let restart = byAction.groups[1]
                #expect((restart.count, restart.failures, restart.measured) == (2, 2, 1), "an event without duration_ms is counted, not measured")
                #expect(restart.percentiles == [50, 50, 50])
                let notify = byAction.groups[3]
                #expect(notify.measured == 0 && notify.percentiles.isEmpty && notify.minimum == nil && notify.maximum == nil)

                let byNamespace = try await harness.store.stats(StatsQuery(events: window, groupBy: .column("namespace")))
                #expect(byNamespace.groups.map(\.key) == ["prod-a", "prod-b", nil], "no namespace is the null group, last")
                #expect(byNamespace.groups.map(\.count) == [3, 2, 2])

                let byOutcome = try await harness.store.stats(StatsQuery(events: window, groupBy: .column("event_outcome")))
                #expect(byOutcome.groups.map(\.key) == ["success", "failure"])
                #expect(byOutcome.groups.map(\.failures) == [0, 3])

                let byCategory = try await harness.store.stats(StatsQuery(events: window, groupBy: .column("event_category")))
                #expect(byCategory.groups.map(\.key) == ["workflowexecution", "notification"])
                let byType = try await harness.store.stats(StatsQuery(events: window, groupBy: .column("event_type"), limit: 1))
                #expect(byType.groups.map(\.key) == ["workflow.execution.step"])
                #expect(byType.totalGroups == 2 && byType.hasMore && byType.totalEvents == 7, "totals count every group, not only those returned")

                var prodA = window
                prodA.filters.namespace = "prod-a"
                prodA.filters.outcome = .success
                let filtered = try await harness.store.stats(StatsQuery(events: prodA, groupBy: .column("event_action")))
                #expect(filtered.groups.map(\.key) == ["scale"])
                #expect(filtered.groups.first?.count == 2)
                #expect(filtered.groups.first?.percentiles == [100, 300, 300])

                let slow = try await harness.store.stats(StatsQuery(events: window, groupBy: .column("event_action"), measureAtLeast: 250))
                #expect(slow.groups.map(\.key) == ["drain", "scale"], "equal counts are ordered by key")
                #expect(slow.totalEvents == 2)

                let older = EventQuery(since: now.adding(seconds: -40 * 86_400))
                let all = try await harness.store.stats(StatsQuery(events: older, groupBy: .column("event_action")))
                #expect(all.totalEvents == 8, "the event of the month before is in the longer window")
                #expect(all.groups.first?.key == "scale" && all.groups.first?.count == 4)
            },
            ConformanceCheck("answers stats grouped by and measuring event_data members") { harness in
                let now = AuditTimestamp.now()
                try await harness.writeSucceeding(try StatsDataSet.events(now: now))
                let window = EventQuery(since: now.adding(seconds: -86_400))
                let retries = try await harness.store.stats(
                    StatsQuery(events: window, groupBy: .eventData(try #require(EventDataPath("retry_count")))))
                #expect(retries.groups.map(\.key) == ["0", nil, "1", "2"], "numbers as their JSON text; absent is the null group")
                #expect(retries.groups.map(\.count) == [3, 2, 1, 1])

                let workflows = try await harness.store.stats(
                    StatsQuery(
                        events: window, groupBy: .eventData(try #require(EventDataPath("results.workflows.0.workflow_id"))),
                        measure: .eventData(try #require(EventDataPath("results.workflows.0.scoring.confidence")))))
                #expect(workflows.groups.map(\.key) == [nil, "\"restart-pod-v1\"", "\"scale-up-v2\""], "a string as its JSON text")
                #expect(workflows.groups.map(\.count) == [4, 2, 1])
                #expect(workflows.groups.map(\.measured) == [0, 2, 1])
                #expect(workflows.groups[1].percentiles == [0.4, 0.9, 0.9])
                let lowConfidence = try await harness.store.stats(
                    StatsQuery(
                        events: window, groupBy: .eventData(try #require(EventDataPath("results.workflows.0.workflow_id"))),
                        measure: .eventData(try #require(EventDataPath("results.workflows.0.scoring.confidence"))), measureBelow: 0.5))
                #expect(lowConfidence.groups.map(\.key) == ["\"restart-pod-v1\"", "\"scale-up-v2\""])
                #expect(lowConfidence.totalEvents == 2)

                let flags = try await harness.store.stats(StatsQuery(events: window, groupBy: .eventData(try #require(EventDataPath("dry_run")))))
                #expect(flags.groups.map(\.key) == [nil, "true", "false"], "booleans as their JSON text; an object is not a key")

                var hidden = window
                hidden.excludesSensitiveEvents = true
                let withoutSensitive = try await harness.store.stats(
                    StatsQuery(events: hidden, groupBy: .eventData(try #require(EventDataPath("retry_count")))))
                #expect(withoutSensitive.totalEvents == 6, "the sensitive event is left out")
                #expect(withoutSensitive.groups.map(\.key) == ["0", nil, "1"])
            },
            ConformanceCheck("takes discrete percentiles as PostgreSQL's percentile_disc does") { harness in
                let now = AuditTimestamp.now()
                var events: [AuditEvent] = []
                for value in 1...100 {
                    let action = value <= 20 ? "twenty" : "other"
                    events.append(
                        try EventFactory.event(
                            EventFactory.request(
                                action: action, correlationID: "rr-p-\(value)", at: now.adding(seconds: -Int64(value)),
                                fields: ["duration_ms": .number(String(value))], data: JSONObject([.init(key: "n", value: .number(String(value)))]))))
                }
                try await harness.writeSucceeding(events)
                let window = EventQuery(since: now.adding(seconds: -86_400))
                let all = try await harness.store.stats(StatsQuery(events: window, groupBy: .column("event_type")))
                #expect(all.groups.first?.percentiles == [50, 95, 99])
                let split = try await harness.store.stats(StatsQuery(events: window, groupBy: .column("event_action")))
                #expect(split.groups.map(\.key) == ["other", "twenty"])
                #expect(split.groups.last?.percentiles == [10, 19, 20])
                #expect(split.groups.first?.percentiles == [60, 96, 100])
                let none = try await harness.store.stats(
                    StatsQuery(events: EventQuery(since: now.adding(seconds: 60)), groupBy: .column("event_type")))
                #expect(none.groups.isEmpty && none.totalEvents == 0 && none.totalGroups == 0)

                // One group per event: refused above the maximum, answered at it.
                var perEvent = StatsQuery(events: window, groupBy: .eventData(try #require(EventDataPath("n"))), limit: 5)
                perEvent.maximumGroups = 99
                do throws(AuditError) {
                    _ = try await harness.store.stats(perEvent)
                    Issue.record("100 groups where 99 are allowed must be refused")
                } catch {
                    #expect(error.code == .payloadTooLarge)
                }
                perEvent.maximumGroups = 100
                let atMaximum = try await harness.store.stats(perEvent)
                #expect(atMaximum.totalGroups == 100 && atMaximum.groups.count == 5 && atMaximum.hasMore)
            },
        ]
    }
}

/// The known events the stats checks count.
enum StatsDataSet {
    static func events(now: AuditTimestamp) throws -> [AuditEvent] {
        func make(
            _ action: String, outcome: String = "success", duration: Int?, namespace: String?, secondsAgo: Int64, data: JSONObject,
            category: String = "workflowexecution", type: String = "workflow.execution.step", sensitive: Bool = false
        ) throws -> AuditEvent {
            var fields: [String: JSONValue] = [:]
            if let duration { fields["duration_ms"] = .number(String(duration)) }
            if let namespace { fields["namespace"] = .string(namespace) }
            if sensitive { fields["is_sensitive"] = .bool(true) }
            return try EventFactory.event(
                EventFactory.request(
                    type: type, category: category, action: action, outcome: outcome, correlationID: "rr-stats-\(action)",
                    at: now.adding(seconds: -secondsAgo), fields: fields, data: data))
        }
        func data(retries: Int?, workflow: String? = nil, confidence: String? = nil, dryRun: JSONValue? = nil) -> JSONObject {
            var object = JSONObject()
            if let retries { object["retry_count"] = .number(String(retries)) }
            if let workflow, let confidence {
                object["results"] = .object(
                    JSONObject([
                        .init(
                            key: "workflows",
                            value: .array([
                                .object(
                                    JSONObject([
                                        .init(key: "workflow_id", value: .string(workflow)),
                                        .init(key: "scoring", value: .object(JSONObject([.init(key: "confidence", value: .number(confidence))]))),
                                    ]))
                            ]))
                    ]))
            }
            if let dryRun { object["dry_run"] = dryRun }
            return object
        }
        return [
            try make(
                "scale", duration: 100, namespace: "prod-a", secondsAgo: 600,
                data: data(retries: 0, workflow: "restart-pod-v1", confidence: "0.9", dryRun: .bool(true))),
            try make("scale", outcome: "failure", duration: 200, namespace: "prod-a", secondsAgo: 500, data: data(retries: 1, dryRun: .bool(true))),
            try make(
                "scale", duration: 300, namespace: "prod-a", secondsAgo: 400,
                data: data(retries: 0, workflow: "restart-pod-v1", confidence: "0.4", dryRun: .bool(false))),
            try make("restart", outcome: "failure", duration: 50, namespace: "prod-b", secondsAgo: 300, data: data(retries: 2), sensitive: true),
            try make(
                "restart", outcome: "failure", duration: nil, namespace: "prod-b", secondsAgo: 200,
                data: data(retries: 0, workflow: "scale-up-v2", confidence: "0.3")),
            try make("drain", duration: 1000, namespace: nil, secondsAgo: 100, data: data(retries: nil, dryRun: .object(JSONObject()))),
            try make(
                "notify", duration: nil, namespace: nil, secondsAgo: 50, data: data(retries: nil), category: "notification", type: "notification.sent"
            ),
            // Outside the last 24 hours, in the month before (40 days ago): only in a longer window.
            try make("scale", duration: 5000, namespace: "prod-a", secondsAgo: 35 * 86_400, data: data(retries: 0)),
        ]
    }
}
