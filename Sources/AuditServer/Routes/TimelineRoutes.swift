import AuditCore
import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `GET /api/v1/audit/correlations/{correlation_id}/timeline`: one correlation's events as a
/// parent/child tree in time order, with each step's duration, offset and the gap since the
/// step before (``AuditCore/CorrelationTimeline``). Read through the correlation index, within
/// the caller's read limits; a correlation of more than
/// ``AuditCore/CorrelationTimeline/maximumEvents`` events is answered `413` (page through it
/// with the query API instead). The steps carry the envelope, never `event_data`.
struct TimelineRoutes {
    /// Where the correlation is read (a standby, when configured).
    let reads: ReadRouter

    func register(on audit: RouteRegistry.Group) {
        audit.get("correlations/:correlation_id/timeline", scope: .eventsRead, metric: .query("timeline")) { request, context in
            try await timeline(request, context: context)
        }
    }

    func timeline(_ request: Request, context: AuditRequestContext) async throws -> Response {
        guard let correlationID = FormQuery.decodePathSegment(context.parameters.get("correlation_id") ?? ""), !correlationID.isEmpty
        else {
            throw AuditError.validation(field: "correlation_id", "must be a non-empty, URL-encoded string")
        }
        var query = EventQuery()
        query.filters.correlationID = correlationID
        query.limit(to: context.principal)
        let (events, source) = try await reads.read(try ReadConsistency.of(request)) { store throws(AuditError) in
            var events: [StoredAuditEvent] = []
            _ = try await store.forEachEvent(matching: query) { page throws(AuditError) in
                events += page
                guard events.count <= CorrelationTimeline.maximumEvents else {
                    throw AuditError(
                        .payloadTooLarge,
                        detail:
                            "the correlation has more than \(CorrelationTimeline.maximumEvents) events; page through it with GET /api/v1/audit/events?correlation_id=…"
                    )
                }
            }
            return events
        }
        guard !events.isEmpty else {
            throw AuditError(.notFound, detail: "no audit event has the correlation_id \(correlationID)")
        }
        let timeline = CorrelationTimeline(correlationID: correlationID, events: events)
        var writer = JSONWriter(capacity: 256 + events.count * 320)
        writer.write(Self.json(timeline))
        return Response.json(status: .ok, writer.bytes).readFrom(source)
    }

    static func json(_ timeline: CorrelationTimeline) -> JSONValue {
        var members: [JSONObject.Member] = [
            .init(key: "correlation_id", value: .string(timeline.correlationID)),
            .init(key: "total_events", value: .number(String(timeline.eventCount))),
        ]
        if let started = timeline.startedAt { members.append(.init(key: "started_at", value: .string(started.description))) }
        if let ended = timeline.endedAt { members.append(.init(key: "ended_at", value: .string(ended.description))) }
        if let duration = timeline.durationMilliseconds { members.append(.init(key: "duration_ms", value: .number(String(duration)))) }
        members.append(.init(key: "steps", value: .array(timeline.roots.map(step))))
        return .object(JSONObject(members))
    }

    /// One step, its children after it (iteratively: a chain of parents may be long).
    static func step(_ root: CorrelationTimeline.Step) -> JSONValue {
        func fields(_ step: CorrelationTimeline.Step) -> [JSONObject.Member] {
            let event = step.event
            var members: [JSONObject.Member] = [
                .init(key: "event_id", value: .string(event.id.uuidString.lowercased())),
                .init(key: "event_type", value: .string(event.eventType)),
                .init(key: "event_category", value: .string(event.category)),
                .init(key: "event_action", value: .string(event.action)),
                .init(key: "event_outcome", value: .string(event.outcome.rawValue)),
                .init(key: "event_timestamp", value: .string(event.timestamp.description)),
                .init(key: "offset_ms", value: .number(String(step.offsetMilliseconds))),
            ]
            if let gap = step.gapMilliseconds { members.append(.init(key: "gap_ms", value: .number(String(gap)))) }
            if let duration = event.durationMS { members.append(.init(key: "duration_ms", value: .number(String(duration)))) }
            if let parent = event.parentEventID { members.append(.init(key: "parent_event_id", value: .string(parent.uuidString.lowercased()))) }
            return members
        }
        // Post-order over an explicit stack.
        var stack: [(step: CorrelationTimeline.Step, children: [JSONValue], next: Int)] = [(root, [], 0)]
        while true {
            let top = stack.count - 1
            if stack[top].next < stack[top].step.children.count {
                let child = stack[top].step.children[stack[top].next]
                stack[top].next += 1
                stack.append((child, [], 0))
                continue
            }
            let done = stack.removeLast()
            let value = JSONValue.object(JSONObject(fields(done.step) + [.init(key: "children", value: .array(done.children))]))
            if stack.isEmpty { return value }
            stack[stack.count - 1].children.append(value)
        }
    }
}
