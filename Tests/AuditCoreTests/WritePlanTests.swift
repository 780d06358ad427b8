import Foundation
import Testing

@testable import AuditCore

@Suite struct WritePlanTests {
    let now = AuditTimestamp(rfc3339: "2025-12-13T12:00:00Z")!

    func event(_ action: String, id: UUID? = nil, parent: UUID? = nil, at offset: Int64 = 0) throws -> AuditEvent {
        var object = JSONObject()
        object["version"] = .string("1.0")
        object["event_type"] = .string("t")
        object["event_timestamp"] = .string(now.adding(seconds: offset).description)
        object["event_category"] = .string("c")
        object["event_action"] = .string(action)
        object["event_outcome"] = .string("success")
        object["correlation_id"] = .string("rr")
        object["event_data"] = .object(JSONObject())
        if let id { object["event_id"] = .string(id.uuidString) }
        if let parent { object["parent_event_id"] = .string(parent.uuidString) }
        return try EventValidator(policy: ValidationPolicy(maximumAgeSeconds: 100 * 86_400)).event(from: .object(object), now: now)
    }

    @Test func insertsNewEventsAndSkipsStoredOnes() throws {
        let stored = try event("stored")
        let fresh = try event("fresh")
        let plan = WritePlan(batches: [EventBatch(events: [stored, fresh])], stored: [stored.id: stored], storedParentDates: [:])
        #expect(plan.rows.map(\.id) == [fresh.id])
        #expect(try plan.outcomes[0].get() == WriteReceipt(eventIDs: [stored.id, fresh.id], insertedCount: 1))
    }

    @Test func refusesAStoredIDWithOtherContent() throws {
        let id = UUID()
        let stored = try event("first", id: id)
        let impostor = try event("second", id: id)
        let plan = WritePlan(
            batches: [EventBatch(events: [try event("ok"), impostor])], stored: [id: stored], storedParentDates: [:])
        #expect(plan.rows.isEmpty)
        guard case .failure(let error) = plan.outcomes[0] else { Issue.record("expected a conflict"); return }
        #expect(error.code == .conflict)
        #expect(error.eventIndex == 1 && error.detail.hasPrefix("event_id"))
        #expect(error.shownInBatch.detail.hasPrefix("event at index 1: event_id"))
    }

    @Test func resolvesParentsFromEveryPlace() throws {
        let storedParentID = UUID()
        let storedParentDate = try #require(EventDate("2025-10-01"))
        let laterInBatch = try event("parent", id: UUID(), at: -60)
        let child = try event("child", parent: laterInBatch.id)
        let grandchild = try event("grandchild", parent: child.id)
        let fromStore = try event("fromStore", parent: storedParentID)
        let plan = WritePlan(
            batches: [
                EventBatch(events: [child, laterInBatch]),
                EventBatch(events: [grandchild, fromStore]),
            ],
            stored: [:],
            storedParentDates: [storedParentID: storedParentDate]
        )
        #expect(plan.outcomes.allSatisfy { (try? $0.get()) != nil })
        let dates = Dictionary(uniqueKeysWithValues: plan.rows.map { ($0.id, $0.parentEventDate) })
        #expect(dates[child.id] == laterInBatch.date)
        #expect(dates[grandchild.id] == child.date)
        #expect(dates[fromStore.id] == storedParentDate)
        #expect(WritePlan.parentLookupIDs(plan.rows.map { EventBatch(events: [$0]) }) == [storedParentID])
    }

    @Test func aFailedBatchIsNoParentForLaterBatches() throws {
        let doomedParent = try event("doomedParent", id: UUID())
        let orphan = try event("orphan", parent: UUID())
        let child = try event("child", parent: doomedParent.id)
        let plan = WritePlan(
            batches: [EventBatch(events: [doomedParent, orphan]), EventBatch(events: [child])],
            stored: [:],
            storedParentDates: [:]
        )
        #expect(plan.rows.isEmpty)
        #expect(plan.outcomes.allSatisfy { (try? $0.get()) == nil })
        guard case .failure(let error) = plan.outcomes[1] else { return }
        #expect(error.fieldErrors.map(\.field) == ["parent_event_id"])
        #expect(!error.detail.hasPrefix("event at index"))
    }

    @Test func refusesAnEventThatIsItsOwnParent() throws {
        let id = UUID()
        let plan = WritePlan(
            batches: [EventBatch(events: [try event("self", id: id, parent: id)])], stored: [:], storedParentDates: [:])
        guard case .failure(let error) = plan.outcomes[0] else { Issue.record("expected a failure"); return }
        #expect(error.fieldErrors.map(\.field) == ["parent_event_id"])
    }

    @Test func storesAnEventSentByTwoBatchesOnce() throws {
        let shared = try event("shared")
        let plan = WritePlan(
            batches: [EventBatch(events: [shared]), EventBatch(events: [shared])],
            stored: [:],
            storedParentDates: [:]
        )
        #expect(plan.rows.map(\.id) == [shared.id])
        #expect(try plan.outcomes[0].get().insertedCount == 1)
        #expect(try plan.outcomes[1].get().insertedCount == 0)
    }
}
