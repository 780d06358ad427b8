import AuditCore
import Hummingbird

/// `GET /api/v1/audit/partitions`: every month with storage, its size, its oldest and newest
/// event, and where it stands in retention (`kept`, `eligible`, `held`, `blocked`).
///
/// It reads every row of the months that have ended (to find when their last event leaves
/// retention): an operator's view, not something to poll.
struct PartitionRoutes {
    let store: any AuditLifecycleStore
    let configuration: AuditServerConfiguration

    func register(on audit: RouteRegistry.Group) {
        audit.get("partitions", scope: .admin, metric: .query("partitions")) { _, _ in try await list() }
    }

    func list() async throws -> Response {
        let reports = try await store.monthReports(now: configuration.clock())
        var writer = JSONWriter(capacity: 128 + reports.count * 400)
        writer.writeRaw(#"{"partitions":["#.utf8)
        for (index, report) in reports.enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            var object = JSONObjectWriter(taking: &writer)
            object.string("partition", report.month.partitionName)
            object.string("month", report.month.description)
            object.string("range_start", report.month.firstDay.description)
            object.string("range_end", report.month.endDay.description)
            object.integer("rows", report.rows)
            object.integer("bytes", report.bytes)
            object.string("oldest_event", report.oldest?.description)
            object.string("newest_event", report.newest?.description)
            object.string("expires_at", report.expiresAt?.description)
            object.integer("held_events", report.heldEvents)
            object.string("state", report.state.rawValue)
            object.string("reason", report.reason)
            writer = object.finish()
        }
        writer.writeRaw(#"],"total":\#(reports.count)}"#.utf8)
        return .json(status: .ok, writer.bytes)
    }
}
