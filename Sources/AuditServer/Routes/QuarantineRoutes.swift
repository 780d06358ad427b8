import AuditCore
import AuditIngest
import Hummingbird

/// `GET /api/v1/audit/quarantine`: acknowledged events the store refused (see the operations
/// guide), oldest first; `include_resolved=true` lists resolved records too; `limit` (1–1000,
/// default 100) and `offset` page through them. Each record holds its events as they were
/// accepted (each one a valid write request), the reason, when, and the request id.
struct QuarantineRoutes {
    let store: any AuditStore
    let metrics: AuditMetrics

    func register(on audit: RouteRegistry.Group) {
        audit.get("quarantine", scope: .admin, metric: .query("quarantine")) { request, _ in try await list(request) }
    }

    func list(_ request: Request) async throws -> Response {
        var includeResolved = false
        var limit = 100
        var offset = 0
        var errors: [AuditError.FieldError] = []
        for (name, value) in try FormQuery.decode(request.uri.query) {
            switch name {
            case "include_resolved":
                guard let flag = Bool(value) else { errors.append(.init(field: name, message: "must be true or false")); continue }
                includeResolved = flag
            case "limit":
                guard let parsed = Int(value), (1...1000).contains(parsed) else {
                    errors.append(.init(field: name, message: "must be an integer from 1 to 1000"))
                    continue
                }
                limit = parsed
            case "offset":
                guard let parsed = Int(value), parsed >= 0 else {
                    errors.append(.init(field: name, message: "must be a non-negative integer")); continue
                }
                offset = parsed
            default:
                errors.append(.init(field: name, message: "is not a parameter of this endpoint (include_resolved, limit, offset)"))
            }
        }
        guard errors.isEmpty else { throw AuditError.validation(errors) }
        let (records, total) = try await store.quarantinedRecords(includeResolved: includeResolved, limit: limit, offset: offset)
        if let counts = try? await store.quarantineCounts() { metrics.ingest.quarantine(records: counts.records, events: counts.events) }
        var writer = JSONWriter(capacity: 64 + records.count * 2000)
        writer.writeRaw(#"{"records":["#.utf8)
        for (index, record) in records.enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            QuarantineRecordJSON.write(record, into: &writer)
        }
        writer.writeRaw(#"],"total":\#(total)}"#.utf8)
        return .json(status: .ok, writer.bytes)
    }
}
