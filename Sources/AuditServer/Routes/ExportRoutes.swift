import AuditCore
import HTTPTypes
import Hummingbird
import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `GET /api/v1/audit/export`: Kubernaut's signed JSON export (`format=json`, the default,
/// at most 10,000 events an answer), and streams of any size (`format=ndjson|csv|bundle`)
/// with the query API's filters (``ExportRequest``).
///
/// Needs `events:export` with `events:read`; what is exported follows the principal's read
/// limits, and sensitive content its `events:read-sensitive`. A bundle holds whole events, so it
/// needs `events:read-sensitive` and no read limits.
struct ExportRoutes {
    let store: any AuditStore
    let configuration: AuditServerConfiguration

    func register(on audit: RouteRegistry.Group) {
        audit.get("export", scope: .eventsExport, metric: .query("export")) { request, context in try await export(request, context: context) }
    }

    func export(_ request: Request, context: AuditRequestContext) async throws -> Response {
        let principal = context.principal
        guard principal.has(.eventsRead) else { throw AuditError(.forbidden, detail: "an export needs events:read as well as events:export") }
        let now = configuration.clock()
        let parsed = try ExportRequest(parameters: try FormQuery.decode(request.uri.query), now: now)
        var limited = parsed.query
        limited.limit(to: principal)
        let query = limited
        let sensitive = principal.has(.eventsReadSensitive)
        switch parsed.format {
        case .json:
            return try await kubernautExport(parsed, query: query, principal: principal, now: now)
        case .bundle:
            guard sensitive, principal.readLimits == .unlimited else {
                throw AuditError(.forbidden, detail: "a bundle holds whole events: it needs events:read-sensitive and no read limits")
            }
            guard let key = configuration.checkpoints.key else {
                throw AuditError(.unavailable, detail: "this server has no signing key, so it cannot sign a bundle")
            }
            let scope = parsed.scope(principal: principal.name)
            let store = store
            if let positions = parsed.positions {
                // Refused before the answer starts: a range past the log.
                let status = try await store.logStatus()
                let size = status.size + Int64(status.pending)
                guard positions.upperBound <= size else {
                    throw AuditError.validation(field: "to_position", "must be at most the log's size, \(size)")
                }
                return stream(format: .bundle) { emit in try await store.writeBundle(positions: positions, signer: key, now: now, emit: emit) }
            }
            return stream(format: .bundle) { emit in
                try await store.writeBundle(matching: query, scope: scope, signer: key, now: now, emit: emit)
            }
        case .ndjson, .csv:
            let store = store
            let format = parsed.format.streaming
            return stream(format: format) { emit in
                try await emit(format.header)
                return try await store.forEachEvent(matching: query) { (events: [StoredAuditEvent]) throws(AuditError) in
                    let links = try await ExportFormat.previousHashes(of: events, in: store)
                    try await emit(format.rows(events, sensitive: sensitive, previousHashes: links))
                }
            }
        }
    }

    /// A `200` whose body `produce` writes a page at a time; it ends with the trailer
    /// `AuditLedger-Export-Events` (the number of events). A failure part way closes the
    /// connection without that trailer, so that a cut export never looks complete.
    func stream(
        format: ExportFormat, _ produce: @escaping @Sendable (_ emit: ([UInt8]) async throws(AuditError) -> Void) async throws -> Int64
    ) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = format.contentType
        let suffix = format == .csv ? "csv" : format == .bundle ? "bundle.ndjson" : "ndjson"
        headers[.contentDisposition] = "attachment; filename=\"audit-export.\(suffix)\""
        headers[.trailer] = "AuditLedger-Export-Events"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let count = try await produce { (bytes: [UInt8]) throws(AuditError) in
                    guard !bytes.isEmpty else { return }
                    do {
                        try await writer.write(ByteBuffer(bytes: bytes))
                    } catch {
                        throw AuditError(.unavailable, detail: "the client stopped reading the export", underlying: error)
                    }
                }
                var trailers = HTTPFields()
                trailers[Self.eventsTrailer] = String(count)
                try await writer.finish(trailers)
            })
    }

    static let eventsTrailer = HTTPField.Name("AuditLedger-Export-Events")!
}
