import AuditCore
import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Kubernaut's `POST /api/v1/audit/verify-chain`: one correlation's events checked against the
/// log, in commit order (``AuditCore/ChainReport``). Always `200` once the check ran:
/// `is_valid` says whether the chain is intact, as Kubernaut answers.
///
/// It needs `events:read` without read limits: the answer counts every event of the
/// correlation, so a principal limited to some events would learn of others.
struct IntegrityRoutes {
    let store: any AuditLifecycleStore
    let configuration: AuditServerConfiguration

    func register(on audit: RouteRegistry.Group) {
        audit.post("verify-chain", scope: .eventsRead, metric: .query("verify_chain")) { request, context in
            try await verifyChain(request, context: context)
        }
        audit.post("verify", scope: .admin, metric: .query("verify")) { request, context in try await verify(request, context: context) }
    }

    func verifyChain(_ request: Request, context: AuditRequestContext) async throws -> Response {
        guard context.principal.readLimits == .unlimited else {
            throw AuditError(.forbidden, detail: "verifying a chain needs events:read without read limits")
        }
        let body = try await RequestJSON.read(request, limit: 64 * 1024).value
        guard case .object(let object) = body else { throw AuditError(.malformedRequest, detail: "the body must be a JSON object") }
        var errors: [AuditError.FieldError] = []
        let correlationID = LegalHoldRoutes.text(object, "correlation_id", maxLength: 255, errors: &errors)
        guard let correlationID, errors.isEmpty else { throw AuditError.validation(errors) }
        let report = try await store.verifyChain(correlationID: correlationID, now: configuration.clock())
        return .json(status: .ok, Self.json(report))
    }

    /// Kubernaut's `VerifyChainResponse`, plus `pending_events` and `removed_by_retention`
    /// (AuditLedger extensions). Members without a value are left out, never `null`.
    static func json(_ report: ChainReport) -> [UInt8] {
        func optional(_ value: String?) -> JSONValue? { value.map(JSONValue.string) }
        let tampered: [JSONValue] = report.tampered.map { event in
            let members: [(String, JSONValue?)] = [
                ("event_id", .string(event.eventID.uuidString.lowercased())), ("event_timestamp", optional(event.eventTimestamp?.description)),
                ("expected_hash", optional(event.expectedHash)), ("actual_hash", optional(event.actualHash)),
                ("previous_hash", optional(event.previousHash)), ("message", .string(event.message)),
            ]
            return .object(JSONObject(members.compactMap { key, value in value.map { JSONObject.Member(key: key, value: $0) } }))
        }
        let answer = JSONObject([
            .init(key: "correlation_id", value: .string(report.correlationID)), .init(key: "is_valid", value: .bool(report.isValid)),
            .init(key: "total_events", value: .number(String(report.totalEvents))),
            .init(key: "verified_events", value: .number(String(report.verifiedEvents))),
            .init(key: "pending_events", value: .number(String(report.pendingEvents))),
            .init(key: "removed_by_retention", value: .number(String(report.removedByRetention))),
            .init(key: "tampered_events", value: .array(tampered)),
            .init(key: "verification_time", value: .string(report.verifiedAt.description)), .init(key: "message", value: .string(report.message)),
        ])
        var writer = JSONWriter(capacity: 256 + report.tampered.count * 400)
        writer.write(.object(answer))
        return writer.bytes
    }
}
