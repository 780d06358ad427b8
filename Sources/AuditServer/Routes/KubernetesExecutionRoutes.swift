import AuditCore
import AuditIngest
import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The Kubernetes executor's `POST /api/v1/audit/kubernetes-execution` (`201` for its
/// `KubernetesExecutionAudit` record, `202` when spooled) and the post-mortem read of those
/// records, `GET /api/v1/audit/kubernetes-execution` (``AuditCore/KubernetesExecutionRecord``).
/// A record is one unified event: it is in the query API, the log and every export too.
struct KubernetesExecutionRoutes {
    let writes: EventWriteRoutes
    let store: any AuditStore

    func register(on audit: RouteRegistry.Group) {
        audit.post("kubernetes-execution", scope: .eventsWrite, metric: .write(.single)) { request, context in
            try await create(request, context: context)
        }
        audit.get("kubernetes-execution", scope: .eventsRead, metric: .query("kubernetes-execution")) { request, context in
            try await list(request, context: context)
        }
    }

    func create(_ request: Request, context: AuditRequestContext) async throws -> Response {
        let (event, bodyBytes) = try await writes.recordEvent(
            request, context: context, makeEvent: { body, now throws(AuditError) in try KubernetesExecutionRecord.eventJSON(from: body, now: now) },
            renaming: KubernetesExecutionRecord.renamingFields)
        context.notes.carriesWorkflowEvents = true
        let outcome = try await writes.writer.submit(
            EventBatch(events: [event]), requestID: context.requestID, bodyBytes: bodyBytes, logger: context.logger)
        writes.metrics.acknowledged([event], operation: .single)
        var writer = JSONWriter(capacity: bodyBytes + 64)
        switch outcome {
        case .stored:
            writer.write(KubernetesExecutionRecord.record(of: event))
            return .json(status: .created, writer.bytes)
        case .spooled:
            writer.write(
                .object(
                    JSONObject([
                        .init(key: "status", value: .string("accepted")), .init(key: "message", value: .string("audit record queued for processing")),
                        .init(key: "id", value: .string(event.id.uuidString.lowercased())),
                    ])))
            return .json(status: .accepted, writer.bytes)
        }
    }

    /// `{data: [records], pagination: {limit, offset, total, has_more}}`, newest first unless `order=asc`.
    func list(_ request: Request, context: AuditRequestContext) async throws -> Response {
        var query = try KubernetesExecutionRecord.query(parameters: try FormQuery.decode(request.uri.query), now: writes.configuration.clock())
        // The records are event_data: without events:read-sensitive, sensitive events are not in the page or its total.
        query.limit(to: context.principal, readsEventData: true)
        let page = try await store.events(matching: query)
        var writer = JSONWriter(capacity: 256 + page.events.count * 1200)
        writer.write(
            .object(
                JSONObject([
                    .init(
                        key: "data",
                        value: .array(page.events.map { KubernetesExecutionRecord.record(of: $0.event) })),
                    .init(
                        key: "pagination",
                        value: .object(
                            JSONObject([
                                .init(key: "limit", value: .number(String(query.limit))), .init(key: "offset", value: .number(String(query.offset))),
                                .init(key: "total", value: .number(String(page.total))), .init(key: "has_more", value: .bool(page.hasMore)),
                            ]))),
                ])))
        return .json(status: .ok, writer.bytes)
    }
}
