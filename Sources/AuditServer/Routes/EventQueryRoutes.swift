import AuditCore
import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `GET /api/v1/audit/events` (filtered, paginated) and `GET /api/v1/audit/events/{event_id}`.
struct EventQueryRoutes {
    let store: any AuditStore
    /// Where pages are read (a standby, when configured).
    let reads: ReadRouter
    let configuration: AuditServerConfiguration

    func register(on audit: RouteRegistry.Group) {
        audit.get("events", scope: .eventsRead, metric: .query("query")) { request, context in try await list(request, context: context) }
        audit.get("events/:event_id", scope: .eventsRead, metric: .query("event")) { _, context in try await single(context) }
    }

    /// The caller's ``AuditCore/ReadLimits`` go into the query itself, so `total`, pages and
    /// cursors count only what it may read.
    func list(_ request: Request, context: AuditRequestContext) async throws -> Response {
        var query = try EventQuery(parameters: try FormQuery.decode(request.uri.query), now: configuration.clock())
        query.limit(to: context.principal)
        let ((page, links), source) = try await reads.read(try ReadConsistency.of(request)) { store throws(AuditError) in
            let page = try await store.events(matching: query)
            return (page, try await Self.previousHashes(of: page.events.map(\.event.id), in: store))
        }
        return Response.json(
            status: .ok, EventJSON.page(page, query: query, sensitive: context.principal.has(.eventsReadSensitive), previousHashes: links)
        ).readFrom(source)
    }

    /// An event outside the caller's read limits is answered `404`, as if it did not exist.
    func single(_ context: AuditRequestContext) async throws -> Response {
        let text = context.parameters.get("event_id") ?? ""
        guard let id = UUID(uuidString: text) else {
            throw AuditError.validation(field: "event_id", "must be a UUID")
        }
        guard let event = try await store.event(id: id), context.principal.readLimits.allows(event.event) else {
            throw AuditError(.notFound, detail: "no audit event has the id \(id.uuidString.lowercased())")
        }
        return .json(
            status: .ok,
            EventJSON.single(
                event, sensitive: context.principal.has(.eventsReadSensitive), previousHash: try await Self.previousHashes(of: [id], in: store)[id]))
    }

    /// Each logged event's `previous_event_hash`, from the log of `store`.
    private static func previousHashes(of ids: [UUID], in store: any AuditStore) async throws(AuditError) -> [UUID: String] {
        var links: [UUID: String] = [:]
        for entry in try await store.logEntries(eventIDs: ids) {
            if let previous = entry.previousEventHash { links[entry.eventID] = previous }
        }
        return links
    }
}
