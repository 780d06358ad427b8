import AuditCore
import AuditIngest
import Hummingbird

/// `GET /health`, `/health/live` and `/health/ready`.
///
/// Live: the process answers. Ready says what a write gets now, in `status`:
/// - `ready` (`200`): the store takes writes and nothing waits in the spool (`201`);
/// - `degraded` (`200`): writes are kept but answered `202` — the store cannot be reached and
///   the spool has room, or the spool still holds events being replayed (new ones go behind
///   them); `reason` says which, and whether replay has stopped at a record it cannot read;
/// - `unavailable` (`503`): writes fail — the server is shutting down, or the store cannot be
///   reached and there is no spool or it is full.
///
/// The answer shows the writer's queue and the spool's depth.
struct HealthRoutes {
    let store: any AuditStore
    let writer: BatchWriter
    let spool: Spool?

    func register(on health: RouteRegistry.Group) {
        health.get("live", scope: nil) { _, _ in Response.json(status: .ok, Array(#"{"status":"alive"}"#.utf8)) }
        health.get("ready", scope: nil) { _, _ in await readiness() }
        health.get("", scope: nil) { _, _ in await readiness() }
    }

    func readiness() async -> Response {
        let (status, reason) = await state()
        var object = JSONObjectWriter(writer: JSONWriter(capacity: 160))
        object.string("status", status)
        object.string("store", store.kind)
        object.optional("reason", reason)
        object.integer("queued_events", Int64(writer.queuedEvents))
        object.integer("writing_events", Int64(writer.writingEvents))
        if let spoolStatus = spool?.status {
            object.integer("spool_events", Int64(spoolStatus.events))
            object.integer("spool_bytes", spoolStatus.bytes)
            object.integer("spool_max_bytes", spoolStatus.maximumBytes)
            if spoolStatus.legacyRejectedFiles > 0 { object.integer("spool_rejected_files", Int64(spoolStatus.legacyRejectedFiles)) }
        }
        return .json(status: status == "unavailable" ? .serviceUnavailable : .ok, object.finish().bytes)
    }

    /// `ready`, `degraded` or `unavailable`, and why when not ready.
    private func state() async -> (String, String?) {
        guard writer.isAccepting else { return ("unavailable", "shutting down") }
        let storeReadiness = await store.readiness()
        guard let spoolStatus = spool?.status else {
            return storeReadiness.isReady ? ("ready", nil) : ("unavailable", storeReadiness.reason ?? "store not ready")
        }
        let blocked = spoolStatus.blockedReason.map { "; replay is stopped: \($0)" } ?? ""
        if !storeReadiness.isReady {
            guard spoolStatus.hasRoom else {
                return ("unavailable", "\(storeReadiness.reason ?? "store not ready"); the spool is full, so writes are refused")
            }
            return ("degraded", "\(storeReadiness.reason ?? "store not ready"); writes are spooled (202)\(blocked)")
        }
        guard spoolStatus.isEmpty else {
            guard spoolStatus.hasRoom else { return ("unavailable", "the spool is full while it is replayed, so writes are refused\(blocked)") }
            return ("degraded", "replaying \(spoolStatus.events) spooled events; new writes are spooled behind them (202)\(blocked)")
        }
        return ("ready", nil)
    }
}
