import AuditCore
import AuditSpool
import Hummingbird

/// `GET /health`, `/health/live` and `/health/ready`.
///
/// Live: the process answers. Ready: the writer takes writes (it stops during shutdown, so
/// load balancers drain this instance first) and they can be kept: the store is reachable and
/// migrated, or — `"status":"degraded"`, still `200` — it is not but the spool has room, so
/// writes are answered `202`. The answer shows the spool's depth.
struct HealthRoutes {
    let store: any AuditStore
    let writer: BatchWriter
    let spool: Spool?

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
        var degraded = false
        let spoolStatus = spool?.status
        if !writer.isAccepting {
            reason = "shutting down"
        } else {
            let readiness = await store.readiness()
            if !readiness.isReady {
                reason = readiness.reason ?? "store not ready"
                if let spoolStatus, spoolStatus.bytes < spoolStatus.maximumBytes {
                    degraded = true
                    reason = "\(reason!); writes are spooled"
                }
            }
        }
        object.string("status", reason == nil ? "ready" : degraded ? "degraded" : "not_ready")
        object.string("store", store.kind)
        if let reason { object.string("reason", reason) }
        object.integer("queued_events", Int64(writer.queuedEvents))
        object.integer("writing_events", Int64(writer.writingEvents))
        if let spoolStatus {
            object.integer("spool_events", Int64(spoolStatus.events))
            object.integer("spool_bytes", spoolStatus.bytes)
            object.integer("spool_rejected_records", Int64(spoolStatus.rejectedRecords))
        }
        return .json(status: reason == nil || degraded ? .ok : .serviceUnavailable, object.finish().bytes)
    }
}
