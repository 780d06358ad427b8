import AuditCore
import Testing

extension StoreConformance {
    static var integrityChecks: [ConformanceCheck] {
        [
            ConformanceCheck("refuses every direct UPDATE, DELETE and TRUNCATE of stored events") { harness in
                let now = AuditTimestamp.now()
                let parent = try EventFactory.event(correlationID: "rr-immutable", at: now.adding(seconds: -5))
                let child = try EventFactory.event(correlationID: "rr-immutable", at: now, parentID: parent.id)
                try await harness.writeSucceeding([parent, child])
                let before = try #require(try await harness.store.event(id: parent.id))
                let childBefore = try #require(try await harness.store.event(id: child.id))

                let mutations = harness.directMutations(of: parent)
                #expect(mutations.count >= 10, "the harness must try every kind of change")
                for mutation in mutations {
                    let outcome = await mutation.attempt()
                    #expect(outcome == .refused, "\(mutation.description) must be refused by the database")
                }
                for mutation in harness.directMutations(of: childBefore.event) {
                    let outcome = await mutation.attempt()
                    #expect(outcome == .refused, "\(mutation.description) on the child must be refused")
                }

                let after = try #require(try await harness.store.event(id: parent.id))
                #expect(after == before)
                #expect(try await harness.store.event(id: child.id) == childBefore)
                #expect(try await harness.rowCount(eventID: parent.id) == 1)
                #expect(try await harness.rowCount(eventID: child.id) == 1)
            }
        ]
    }
}
