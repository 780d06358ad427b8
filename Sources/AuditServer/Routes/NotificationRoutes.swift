import AuditCore
import AuditIngest
import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Kubernaut's `POST /api/v1/audit/notifications`: one delivery attempt of the notification
/// controller (``AuditCore/NotificationAuditRecord``), stored as one unified event — `201` with
/// the `NotificationAuditResponse`, `202` when spooled, `409` when a record with its
/// `notification_id` is stored already (sent again, or different), as Kubernaut answers.
struct NotificationRoutes {
    let writes: EventWriteRoutes

    func register(on audit: RouteRegistry.Group) {
        audit.post("notifications", scope: .eventsWrite, metric: .write(.single)) { request, context in
            try await create(request, context: context)
        }
    }

    func create(_ request: Request, context: AuditRequestContext) async throws -> Response {
        let (event, bodyBytes) = try await writes.recordEvent(
            request, context: context, makeEvent: { body, _ throws(AuditError) in try NotificationAuditRecord.eventJSON(from: body) },
            renaming: NotificationAuditRecord.renamingFields)
        let outcome: BatchWriter.WriteOutcome
        do {
            outcome = try await writes.writer.submit(
                EventBatch(events: [event]), requestID: context.requestID, bodyBytes: bodyBytes, logger: context.logger)
        } catch {
            // Stored already with other content: the same notification_id, another record.
            throw error.code == .conflict ? Self.duplicate(event) : error
        }
        var writer = JSONWriter(capacity: bodyBytes + 128)
        if let receipt = outcome.receipt, receipt.insertedCount == 0 { throw Self.duplicate(event) }
        writes.metrics.acknowledged([event], operation: .single)
        switch outcome {
        case .stored:
            writer.write(NotificationAuditRecord.response(of: event, storedAt: writes.configuration.clock()))
            return .json(status: .created, writer.bytes)
        case .spooled:
            writer.write(
                .object(
                    JSONObject([
                        .init(key: "status", value: .string("accepted")), .init(key: "message", value: .string("audit record queued for processing")),
                    ])))
            return .json(status: .accepted, writer.bytes)
        }
    }

    /// Kubernaut's `409` for a `notification_id` stored already.
    static func duplicate(_ event: AuditEvent) -> AuditError {
        AuditError(
            .conflict,
            detail: "notification_audit already exists with notification_id '\(event.resourceID)'",
            fieldErrors: [.init(field: "notification_id", message: "a record with this notification_id is stored already")])
    }
}
