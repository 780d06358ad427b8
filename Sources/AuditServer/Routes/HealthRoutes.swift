import AuditCore
import Hummingbird

/// `GET /health`, `/health/live` and `/health/ready`.
///
/// Live: the process answers. Ready: the store is reachable and migrated and the writer takes
/// writes (it stops during shutdown, so load balancers drain this instance first).
struct HealthRoutes {
    let store: any AuditStore
    let writer: BatchWriter

    func register(on router: Router<AuditRequestContext>) {
        router.get("/health/live") { _, _ in
            Response.json(status: .ok, Array(#"{"status":"alive"}"#.utf8))
        }
        router.get("/health/ready") { _, _ in
            await readiness()
        }
        router.get("/health") { _, _ in
            await readiness()
        }
    }

    func readiness() async -> Response {
        var object = JSONObjectWriter(writer: JSONWriter(capacity: 128))
        var reason: String?
        if !writer.isAccepting {
            reason = "shutting down"
        } else {
            let readiness = await store.readiness()
            if !readiness.isReady { reason = readiness.reason ?? "store not ready" }
        }
        object.string("status", reason == nil ? "ready" : "not_ready")
        object.string("store", store.kind)
        if let reason { object.string("reason", reason) }
        object.integer("queued_events", Int64(writer.queuedEvents))
        object.integer("writing_events", Int64(writer.writingEvents))
        return .json(status: reason == nil ? .ok : .serviceUnavailable, object.finish().bytes)
    }
}
