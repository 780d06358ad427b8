import AuditCore
public import Testing

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
                requireEveryKind(of: mutations)
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

/// Fails unless `mutations` try every kind of change, on the month's own table, including an
/// UPDATE of every column: a harness that tries less would prove less.
public func requireEveryKind(of mutations: [DirectMutation], sourceLocation: SourceLocation = #_sourceLocation) {
    let kinds = Set(mutations.filter(\.namesMonth).map(\.kind))
    var required: [DirectMutation.Kind] = [.deleteByID, .deleteByIDAndDate, .deleteAll]
    required += [
        "event_id", "event_version", "event_timestamp", "event_date", "event_type", "event_category", "event_action", "event_outcome",
        "actor_type", "actor_id", "actor_ip", "resource_type", "resource_id", "correlation_id", "parent_event_id", "parent_event_date",
        "namespace", "cluster_id", "severity", "duration_ms", "error_code", "error_message", "retention_days", "is_sensitive",
        "event_data", "insert_seq", "written_by", "event_hash", "hash_algorithm",
    ].map { .update(column: $0) }
    for kind in required {
        #expect(kinds.contains(kind), "the harness must try \(kind) on the month's table", sourceLocation: sourceLocation)
    }
}
