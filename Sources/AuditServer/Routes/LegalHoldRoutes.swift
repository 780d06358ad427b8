import AuditCore
import HTTPTypes
import Hummingbird

/// Kubernaut's legal hold API: `POST /api/v1/audit/legal-hold`, `DELETE
/// /api/v1/audit/legal-hold/{correlation_id}`, `GET /api/v1/audit/legal-hold`.
///
/// Who places or releases a hold is the authenticated principal (a token's principal, or the
/// `X-Auth-Request-User` of a trusted proxy), never a header a client chose; placing and
/// releasing need `holds:write`, listing `events:read`.
struct LegalHoldRoutes {
    let store: any AuditLifecycleStore
    let configuration: AuditServerConfiguration
    let metrics: AuditMetrics
    /// Records each hold placed and released as the server's own audit event.
    let trail: ServerAuditTrail?

    func register(on audit: RouteRegistry.Group) {
        audit.post("legal-hold", scope: .holdsWrite) { request, context in try await place(request, context: context) }
        audit.delete("legal-hold/:correlation_id", scope: .holdsWrite) { request, context in try await release(request, context: context) }
        audit.get("legal-hold", scope: .eventsRead, metric: .query("holds")) { _, _ in try await list() }
    }

    func place(_ request: Request, context: AuditRequestContext) async throws -> Response {
        let body = try await RequestJSON.read(request, limit: configuration.maximumBodyBytes).value
        guard case .object(let object) = body else { throw AuditError(.malformedRequest, detail: "the body must be a JSON object") }
        var errors: [AuditError.FieldError] = []
        let correlationID = Self.text(object, "correlation_id", maxLength: 255, errors: &errors)
        let reason = Self.text(object, "reason", maxLength: 4096, errors: &errors)
        guard let correlationID, let reason, errors.isEmpty else { throw AuditError.validation(errors) }
        let user = context.principal.name
        let hold = try await store.placeHold(correlationID: correlationID, reason: reason, placedBy: user, at: configuration.clock())
        await publishHoldCount()
        await trail?.holdPlaced(hold, by: context.principal, address: context.remoteAddress, requestID: context.requestID)
        return .json(status: .ok, Self.json(hold))
    }

    func release(_ request: Request, context: AuditRequestContext) async throws -> Response {
        // The path segment as sent is percent-encoded: `rr%2F1` names the correlation id `rr/1`.
        guard let correlationID = FormQuery.decodePathSegment(context.parameters.get("correlation_id") ?? ""), !correlationID.isEmpty else {
            throw AuditError.validation(field: "correlation_id", "must be a percent-encoded UTF-8 correlation id")
        }
        let body = try await RequestJSON.read(request, limit: configuration.maximumBodyBytes).value
        guard case .object(let object) = body else { throw AuditError(.malformedRequest, detail: "the body must be a JSON object") }
        var errors: [AuditError.FieldError] = []
        let reason = Self.text(object, "release_reason", maxLength: 4096, errors: &errors)
        guard let reason, errors.isEmpty else { throw AuditError.validation(errors) }
        let user = context.principal.name
        let release = try await store.releaseHolds(correlationID: correlationID, reason: reason, releasedBy: user, at: configuration.clock())
        await publishHoldCount()
        await trail?.holdsReleased(release, by: context.principal, address: context.remoteAddress, requestID: context.requestID)
        var answer = JSONObjectWriter(writer: JSONWriter(capacity: 200))
        answer.string("correlation_id", release.correlationID)
        answer.integer("events_released", release.eventsReleased)
        answer.string("released_by", release.releasedBy)
        answer.string("released_at", release.releasedAt.description)
        return .json(status: .ok, answer.finish().bytes)
    }

    func list() async throws -> Response {
        let holds = try await store.activeHolds()
        metrics.legalHoldsActive(holds.count)
        var writer = JSONWriter(capacity: 64 + holds.count * 200)
        writer.writeRaw(#"{"holds":["#.utf8)
        for (index, hold) in holds.enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            writer.writeRaw(Self.json(hold))
        }
        writer.writeRaw(#"],"total":\#(holds.count)}"#.utf8)
        return .json(status: .ok, writer.bytes)
    }

    /// Keeps `auditledger_legal_holds_active` right after a hold is placed or released.
    private func publishHoldCount() async {
        if let holds = try? await store.activeHolds() { metrics.legalHoldsActive(holds.count) }
    }

    static func json(_ hold: LegalHold) -> [UInt8] {
        var object = JSONObjectWriter(writer: JSONWriter(capacity: 200))
        object.string("correlation_id", hold.correlationID)
        object.integer("events_affected", hold.eventsAffected)
        object.string("placed_by", hold.placedBy)
        object.string("placed_at", hold.placedAt.description)
        object.string("reason", hold.reason)
        return object.finish().bytes
    }

    static func text(_ object: JSONObject, _ field: String, maxLength: Int, errors: inout [AuditError.FieldError]) -> String? {
        guard case .string(let value)? = object[field], !value.isEmpty else {
            errors.append(.init(field: field, message: "is required"))
            return nil
        }
        guard value.unicodeScalars.count <= maxLength, !value.utf8.contains(0) else {
            errors.append(.init(field: field, message: "must be at most \(maxLength) characters, without U+0000"))
            return nil
        }
        return value
    }
}
