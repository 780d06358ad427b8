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
    let configuration: AuditServerConfiguration

    func register(on audit: RouteRegistry.Group) {
        audit.get("events") { request, _ in try await list(request) }
        audit.get("events/:event_id") { _, context in try await single(context) }
    }

    func list(_ request: Request) async throws -> Response {
        let query = try EventQuery(parameters: try FormQuery.decode(request.uri.query), now: configuration.clock())
        let page = try await store.events(matching: query)
        return .json(status: .ok, EventJSON.page(page, query: query))
    }

    func single(_ context: AuditRequestContext) async throws -> Response {
        let text = context.parameters.get("event_id") ?? ""
        guard let id = UUID(uuidString: text) else {
            throw AuditError.validation(field: "event_id", "must be a UUID")
        }
        guard let event = try await store.event(id: id) else {
            throw AuditError(.notFound, detail: "no audit event has the id \(id.uuidString.lowercased())")
        }
        return .json(status: .ok, EventJSON.single(event))
    }
}
