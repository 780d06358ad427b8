#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// What a group commit must insert, and what each batch gets back, decided from what the
/// store already holds. Pure logic, shared by every store so they decide alike.
///
/// A store (1) looks up the stored events whose ids appear in the batches (``lookupIDs``) and
/// the stored dates of parents named from outside the batches (``parentLookupIDs``), (2) builds
/// the plan, (3) inserts ``rows`` in one transaction and (4) answers each batch with its
/// entry of ``outcomes``.
public struct WritePlan: Sendable {
    /// Events to insert, in order, with `parent_event_date` filled.
    public private(set) var rows: [AuditEvent] = []
    /// One result per batch.
    public private(set) var outcomes: [Result<WriteReceipt, AuditError>] = []

    /// Every event id of the batches: look these up as full stored events.
    public static func lookupIDs(_ batches: [EventBatch]) -> [UUID] {
        var seen = Set<UUID>()
        var ids: [UUID] = []
        forEachEvent(of: batches) { events, index in
            if seen.insert(events[index].id).inserted { ids.append(events[index].id) }
        }
        return ids
    }

    /// Parent ids not among the batches' own events: look up only their stored dates.
    public static func parentLookupIDs(_ batches: [EventBatch]) -> [UUID] {
        var own = Set<UUID>()
        forEachEvent(of: batches) { events, index in own.insert(events[index].id) }
        var seen = Set<UUID>()
        var ids: [UUID] = []
        forEachEvent(of: batches) { events, index in
            guard let parentID = events[index].parentEventID, !own.contains(parentID), seen.insert(parentID).inserted else { return }
            ids.append(parentID)
        }
        return ids
    }

    /// Calls `body` with each event's array and index, reading the events in place: a
    /// `for event in` loop or `flatMap` copies each event (every string retained and released).
    private static func forEachEvent(of batches: [EventBatch], _ body: ([AuditEvent], Int) -> Void) {
        for batch in batches.indices {
            let events = batches[batch].events
            for index in events.indices { body(events, index) }
        }
    }

    /// Plans the write.
    /// - Parameters:
    ///   - batches: the batches of one group commit, in arrival order.
    ///   - stored: stored events with ids from ``lookupIDs(_:)``.
    ///   - storedParentDates: stored `event_date` of ids from ``parentLookupIDs(_:)``.
    public init(batches: [EventBatch], stored: [UUID: AuditEvent], storedParentDates: [UUID: EventDate]) {
        var accepted: [UUID: AuditEvent] = [:]
        for batch in batches {
            switch Self.plan(batch, stored: stored, storedParentDates: storedParentDates, accepted: accepted) {
            case .success(let (newRows, receipt)):
                for row in newRows { accepted[row.id] = row }
                for index in batch.events.indices where accepted[batch.events[index].id] == nil {
                    accepted[batch.events[index].id] = batch.events[index]
                }
                rows.append(contentsOf: newRows)
                outcomes.append(.success(receipt))
            case .failure(let error):
                outcomes.append(.failure(error))
            }
        }
    }

    private static func plan(
        _ batch: EventBatch,
        stored: [UUID: AuditEvent],
        storedParentDates: [UUID: EventDate],
        accepted: [UUID: AuditEvent]
    ) -> Result<([AuditEvent], WriteReceipt), AuditError> {
        func fail(_ error: AuditError, at index: Int) -> Result<([AuditEvent], WriteReceipt), AuditError> {
            .failure(error.about(eventAt: index))
        }
        var own: [UUID: EventDate] = [:]
        for index in batch.events.indices where own[batch.events[index].id] == nil {
            own[batch.events[index].id] = batch.events[index].date
        }

        var newRows: [AuditEvent] = []
        var queued = Set<UUID>()
        for (index, event) in batch.events.enumerated() {
            if let existing = stored[event.id] ?? accepted[event.id] {
                guard existing.hasSameContent(as: event) else {
                    return fail(AuditError.idConflict(event.id, storedAt: existing.date), at: index)
                }
                continue
            }
            var row = event
            if let parentID = event.parentEventID {
                guard parentID != event.id else {
                    return fail(AuditError.validation(field: "parent_event_id", "must not be the event's own event_id"), at: index)
                }
                let parentDate = own[parentID] ?? accepted[parentID]?.date ?? stored[parentID]?.date ?? storedParentDates[parentID]
                guard let parentDate else {
                    return fail(
                        AuditError.validation(field: "parent_event_id", "no stored event has the id \(parentID.uuidString.lowercased())"),
                        at: index
                    )
                }
                row.parentEventDate = parentDate
            }
            if queued.insert(row.id).inserted {
                newRows.append(row)
            }
        }
        return .success((newRows, WriteReceipt(eventIDs: batch.events.map(\.id), insertedCount: newRows.count)))
    }
}

extension AuditError {
    /// An `event_id` that is already stored for a different event.
    static func idConflict(_ id: UUID, storedAt date: EventDate) -> AuditError {
        AuditError(
            .conflict,
            detail: "event_id \(id.uuidString.lowercased()) is already stored for a different event (event_date \(date))",
            fieldErrors: [FieldError(field: "event_id", message: "is already used by a different event")]
        )
    }
}
