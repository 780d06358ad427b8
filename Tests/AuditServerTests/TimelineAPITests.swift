import AuditCore
import AuditTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /api/v1/audit/correlations/{id}/timeline` against a known data set on both stores.
@Suite struct TimelineAPITests {
    @Test("A correlation's timeline: a tree by parent, in time order, with offsets, gaps and durations", arguments: StoreKind.available)
    func timeline(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let start = AuditTimestamp(microsecondsSinceEpoch: AuditTimestamp.now().microsecondsSinceEpoch - 3_600_000_000)
            func at(_ milliseconds: Int64) -> AuditTimestamp {
                AuditTimestamp(microsecondsSinceEpoch: start.microsecondsSinceEpoch + milliseconds * 1000)
            }
            let (a, b, c, d, e, other) = (UUID(), UUID(), UUID(), UUID(), UUID(), UUID())
            func event(
                _ id: UUID, _ type: String, _ offset: Int64, parent: UUID? = nil, duration: Int? = nil, correlation: String = "rr-timeline"
            )
                -> JSONValue
            {
                var fields: [String: JSONValue] = [:]
                if let duration { fields["duration_ms"] = .number(String(duration)) }
                return .object(
                    EventFactory.request(type: type, correlationID: correlation, at: at(offset), eventID: id, parentID: parent, fields: fields))
            }
            // Written out of time order, and with a parent in another correlation.
            let batch: JSONValue = .array([
                event(other, "gateway.signal.received", -500, correlation: "rr-timeline-other"),
                event(a, "workflow.execution.started", 0, duration: 1000),
                event(d, "workflow.execution.completed", 2000, duration: 500),
                event(b, "workflow.step.started", 200, parent: a, duration: 300),
                event(c, "workflow.step.completed", 600, parent: b),
                event(e, "notification.sent", 3000, parent: other),
            ])
            #expect(try await client.post("/api/v1/audit/events/batch", json: batch).status == .created)

            let response = try await client.get("/api/v1/audit/correlations/rr-timeline/timeline")
            #expect(response.status == .ok)
            let timeline = try response.object
            #expect(timeline.string("correlation_id") == "rr-timeline")
            #expect(timeline["total_events"] == .number("5"))
            #expect(timeline.string("started_at") == at(0).description)
            #expect(timeline.string("ended_at") == at(3000).description)
            #expect(timeline["duration_ms"] == .number("3000"))
            let steps = timeline.array("steps").compactMap(\.object)
            #expect(steps.map { $0.string("event_id") } == [a, d, e].map { $0.uuidString.lowercased() })
            #expect(steps.map { $0["offset_ms"] } == [.number("0"), .number("2000"), .number("3000")])
            // Gaps: from the end of the step before in time (its timestamp plus its duration).
            #expect(steps[0]["gap_ms"] == nil)
            #expect(steps[1]["gap_ms"] == .number("1400"))
            #expect(steps[2]["gap_ms"] == .number("500"))
            #expect(steps[2].string("parent_event_id") == other.uuidString.lowercased(), "a parent outside the correlation leaves the step a root")
            let stepB = try #require(steps[0].array("children").first?.object)
            #expect(stepB.string("event_id") == b.uuidString.lowercased())
            #expect(stepB["gap_ms"] == .number("-800"), "began before its parent had ended")
            #expect(stepB["duration_ms"] == .number("300"))
            let stepC = try #require(stepB.array("children").first?.object)
            #expect(stepC.string("event_id") == c.uuidString.lowercased())
            #expect(stepC["offset_ms"] == .number("600"))
            #expect(stepC["gap_ms"] == .number("100"))
            #expect(stepC["duration_ms"] == nil)
            #expect(stepC.array("children").isEmpty)
            #expect(steps[0]["event_data"] == nil, "steps carry the envelope only")

            let missing = try await client.get("/api/v1/audit/correlations/rr-nothing/timeline")
            try expectProblem(missing, status: .notFound, type: "not-found")
        }
    }

    @Test("A long chain of parents is nested at most 64 levels deep; deeper steps start new roots, in time order")
    func longChain() throws {
        var events: [StoredAuditEvent] = []
        var parent: UUID?
        let start = AuditTimestamp.now().microsecondsSinceEpoch
        for index in 0..<1_000 {
            var event = try EventFactory.event(
                EventFactory.request(correlationID: "rr-chain", at: AuditTimestamp(microsecondsSinceEpoch: start + Int64(index) * 1000)))
            event.parentEventID = parent
            parent = event.id
            events.append(StoredAuditEvent(event: event, insertSequence: Int64(index)))
        }
        let timeline = CorrelationTimeline(correlationID: "rr-chain", events: events.reversed())
        #expect(timeline.eventCount == 1_000)
        #expect(timeline.roots.count == 16, "1,000 steps in chains of 64")
        #expect(timeline.roots.map(\.offsetMilliseconds) == (0..<16).map { Int64($0 * 64) })
        for (index, root) in timeline.roots.enumerated() {
            var depth = 0
            var step: CorrelationTimeline.Step? = root
            while let current = step {
                depth += 1
                step = current.children.first
            }
            #expect(depth == (index < 15 ? 64 : 1_000 - 15 * 64))
            if index > 0 { #expect(root.event.parentEventID == events[index * 64 - 1].event.id) }
        }
    }

    @Test("A correlation of more than 10,000 events is answered 413; one of exactly 10,000 is answered", arguments: StoreKind.available)
    func tooLarge(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, harness in
            let start = AuditTimestamp.now().adding(seconds: -3600)
            func events(_ range: Range<Int>) throws -> [AuditEvent] {
                try range.map { index in
                    try EventFactory.event(EventFactory.request(correlationID: "rr-huge", at: start.adding(microseconds: Int64(index) * 1000)))
                }
            }
            for first in stride(from: 0, to: CorrelationTimeline.maximumEvents, by: 1000) {
                try await harness.writeSucceeding(try events(first..<first + 1000))
            }
            let full = try await client.get("/api/v1/audit/correlations/rr-huge/timeline")
            #expect(full.status == .ok)
            #expect(try full.object["total_events"] == .number("10000"))
            try await harness.writeSucceeding(try events(CorrelationTimeline.maximumEvents..<CorrelationTimeline.maximumEvents + 1))
            let over = try await client.get("/api/v1/audit/correlations/rr-huge/timeline")
            try expectProblem(over, status: .contentTooLarge, type: "payload-too-large")
            #expect(try over.object.string("detail")?.contains("correlation_id=") == true, "it points to the query API")
        }
    }

    @Test(
        "The timeline keeps to the caller's read limits: others' steps are left out, a correlation of only theirs is 404",
        arguments: StoreKind.available)
    func readLimits(_ kind: StoreKind) async throws {
        try await withAccessApp(kind) { client, fixture in
            let start = AuditTimestamp.now().adding(seconds: -600)
            let (gateway, selection, execution) = (UUID(), UUID(), UUID())
            let batch: JSONValue = .array([
                .object(
                    EventFactory.request(
                        type: "gateway.signal.received", category: "gateway", correlationID: "rr-limited", at: start, eventID: gateway)),
                .object(
                    EventFactory.request(
                        type: "workflow.selection.completed", category: "workflow", correlationID: "rr-limited", at: start.adding(seconds: 1),
                        eventID: selection, parentID: gateway)),
                .object(
                    EventFactory.request(
                        type: "workflowexecution.execution.started", correlationID: "rr-limited", at: start.adding(seconds: 2), eventID: execution,
                        parentID: selection)),
                .object(EventFactory.request(type: "gateway.signal.received", category: "gateway", correlationID: "rr-gateway-only", at: start)),
            ])
            #expect(try await client.post("/api/v1/audit/events/batch", json: batch, headers: fixture.headers(.writer)).status == .created)

            let everything = try await client.get("/api/v1/audit/correlations/rr-limited/timeline", headers: fixture.headers(.reader)).object
            #expect(everything["total_events"] == .number("3"))
            let limited = try await client.get("/api/v1/audit/correlations/rr-limited/timeline", headers: fixture.headers(.workflowReader)).object
            #expect(limited["total_events"] == .number("1"), "category workflow only")
            let steps = limited.array("steps").compactMap(\.object)
            #expect(steps.map { $0.string("event_id") } == [selection.uuidString.lowercased()])
            #expect(steps.first?.string("parent_event_id") == gateway.uuidString.lowercased(), "a parent it may not read leaves the step a root")
            #expect(steps.first?["offset_ms"] == .number("0"), "offsets start at the first step it may read")

            let hidden = try await client.get("/api/v1/audit/correlations/rr-gateway-only/timeline", headers: fixture.headers(.workflowReader))
            try expectProblem(hidden, status: .notFound, type: "not-found")
            let refused = try await client.get("/api/v1/audit/correlations/rr-limited/timeline", headers: fixture.headers(.writer))
            try expectProblem(refused, status: .forbidden, type: "forbidden")
        }
    }
}
