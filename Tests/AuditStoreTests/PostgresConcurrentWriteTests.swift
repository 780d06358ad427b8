import AuditCore
import AuditPostgres
import AuditTesting
import Foundation
import Testing

/// Two servers writing the same ids at once: when another transaction stores one of a group's
/// ids after the store's lookup, the insert fails on the unique key and the store runs the
/// group's transaction again, so that a fresh lookup decides: already stored, or a conflict.
@Suite(.enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
struct PostgresConcurrentWriteTests {
    @Test("An id another server stores between our lookup and our insert is answered as already stored; the new ones are stored once")
    func sameEventStoredMeanwhile() async throws {
        try await PostgresHarness.run { harness in
            let now = AuditTimestamp.now()
            let shared = try EventFactory.event(correlationID: "rr-race", at: now, eventID: UUID())
            let own = try EventFactory.event(correlationID: "rr-race", at: now.adding(microseconds: 1), eventID: UUID())
            let receipt = try await harness.withUncommittedWrite(of: [shared]) { commit in
                try await withThrowingTaskGroup(of: WriteReceipt?.self) { group in
                    group.addTask { try await harness.postgres.write([EventBatch(events: [shared, own])])[0].get() }
                    group.addTask {
                        try await harness.waitForLockWaiter()
                        try await commit()
                        return nil
                    }
                    var receipt: WriteReceipt?
                    for try await result in group { receipt = receipt ?? result }
                    return receipt
                }
            }
            #expect(receipt?.eventIDs == [shared.id, own.id])
            #expect(receipt?.insertedCount == 1)
            #expect(try await harness.rowCount(eventID: shared.id) == 1)
            #expect(try await harness.rowCount(eventID: own.id) == 1)
            #expect(try await harness.store.event(id: own.id)?.event.hasSameContent(as: own) == true)
        }
    }

    @Test("An id another server stores meanwhile for a different event is refused as a conflict, and nothing of the batch is stored")
    func differentEventStoredMeanwhile() async throws {
        try await PostgresHarness.run { harness in
            let now = AuditTimestamp.now()
            let id = UUID()
            let theirs = try EventFactory.event(type: "gateway.signal.received", category: "gateway", correlationID: "rr-race", at: now, eventID: id)
            let ours = try EventFactory.event(correlationID: "rr-race", at: now, eventID: id)
            let other = try EventFactory.event(correlationID: "rr-race", at: now, eventID: UUID())
            let outcome = try await harness.withUncommittedWrite(of: [theirs]) { commit in
                try await withThrowingTaskGroup(of: Result<WriteReceipt, AuditError>?.self) { group in
                    group.addTask { try await harness.postgres.write([EventBatch(events: [ours, other])])[0] }
                    group.addTask {
                        try await harness.waitForLockWaiter()
                        try await commit()
                        return nil
                    }
                    var outcome: Result<WriteReceipt, AuditError>?
                    for try await result in group { outcome = outcome ?? result }
                    return outcome
                }
            }
            guard case .failure(let error) = outcome else {
                Issue.record("a reused id must be refused: \(String(describing: outcome))")
                return
            }
            #expect(error.code == .conflict, "\(error)")
            #expect(error.refusesData)
            #expect(try await harness.store.event(id: id)?.event.eventType == "gateway.signal.received")
            #expect(try await harness.rowCount(eventID: other.id) == 0)
        }
    }
}
