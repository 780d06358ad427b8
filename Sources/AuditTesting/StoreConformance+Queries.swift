import AuditCore
import Testing

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension StoreConformance {
    static var queryChecks: [ConformanceCheck] {
        [
            ConformanceCheck("filters by each column, exactly") { harness in
                let now = AuditTimestamp.now()
                func make(
                    _ type: String, _ category: String, _ outcome: String, _ correlation: String, _ fields: [String: JSONValue], parent: UUID? = nil,
                    offset: Int64
                )
                    throws -> AuditEvent
                {
                    try EventFactory.event(
                        type: type, category: category, outcome: outcome, correlationID: correlation, at: now.adding(seconds: -offset),
                        parentID: parent, fields: fields
                    )
                }
                let e1 = try make(
                    "type.a", "cat1", "success", "rr-x",
                    [
                        "severity": .string("info"), "actor_type": .string("service"), "actor_id": .string("svc-a"), "resource_type": .string("Pod"),
                        "resource_id": .string("p1"), "namespace": .string("ns1"), "cluster_id": .string("k1"),
                    ], offset: 30)
                let e2 = try make(
                    "type.b", "cat2", "failure", "rr-y",
                    [
                        "severity": .string("critical"), "actor_type": .string("user"), "actor_id": .string("alice"),
                        "resource_type": .string("Deployment"),
                        "resource_id": .string("d1"), "namespace": .string("ns2"), "cluster_id": .string("k2"),
                    ], parent: e1.id, offset: 20)
                let e3 = try make(
                    "type.a", "cat2", "pending", "rr-x",
                    [
                        "severity": .string("info"), "actor_type": .string("service"), "actor_id": .string("svc-b"), "resource_type": .string("Pod"),
                        "resource_id": .string("p2"), "namespace": .string("ns1"), "cluster_id": .string("k2"),
                    ], offset: 10)
                try await harness.writeSucceeding([e1, e2, e3])

                let cases: [(String, (inout EventQuery.Filters) -> Void, [AuditEvent])] = [
                    ("event_type", { $0.eventType = "type.a" }, [e1, e3]),
                    ("event_category", { $0.category = "cat2" }, [e2, e3]),
                    ("event_outcome", { $0.outcome = .failure }, [e2]),
                    ("severity", { $0.severity = "info" }, [e1, e3]),
                    ("correlation_id", { $0.correlationID = "rr-x" }, [e1, e3]),
                    ("actor_type", { $0.actorType = "user" }, [e2]),
                    ("actor_id", { $0.actorID = "svc-b" }, [e3]),
                    ("resource_type", { $0.resourceType = "Pod" }, [e1, e3]),
                    ("resource_id", { $0.resourceID = "d1" }, [e2]),
                    ("namespace", { $0.namespace = "ns1" }, [e1, e3]),
                    ("cluster_id", { $0.clusterID = "k2" }, [e2, e3]),
                    ("parent_event_id", { $0.parentEventID = e1.id }, [e2]),
                    (
                        "event_type and cluster_id",
                        {
                            $0.eventType = "type.a"; $0.clusterID = "k2"
                        }, [e3]
                    ),
                    ("no match", { $0.namespace = "nowhere" }, []),
                ]
                for (name, apply, expected) in cases {
                    var query = EventQuery(order: .ascending)
                    apply(&query.filters)
                    let page = try await harness.store.events(matching: query)
                    #expect(page.events.map(\.event.id) == expected.map(\.id), "filter \(name)")
                    #expect(page.total == expected.count, "total for filter \(name)")
                }
            },

            ConformanceCheck("applies read limits inside the query: categories, event type prefixes, namespaces; totals and cursors count only those")
            {
                harness in
                let base = AuditTimestamp.now().adding(seconds: -300)
                var events: [AuditEvent] = []
                for index in 0..<24 {
                    let (type, category) = [
                        ("workflow.catalog.updated", "workflow"), ("workflow.selection.completed", "workflow"),
                        ("gateway.signal.received", "gateway"),
                    ][index % 3]
                    events.append(
                        try EventFactory.event(
                            type: type, category: category, correlationID: "rr-limits", at: base.adding(seconds: Int64(index)),
                            fields: index % 2 == 0 ? ["namespace": .string("prod")] : [:]))
                }
                try await harness.writeSucceeding(events)
                func ids(_ limits: ReadLimits, pageSize: Int = 5) async throws -> (ids: [UUID], totals: Set<Int>) {
                    var query = EventQuery(limit: pageSize, order: .ascending)
                    query.filters.correlationID = "rr-limits"
                    query.readLimits = limits
                    var found: [UUID] = []
                    var totals = Set<Int>()
                    while true {
                        let page = try await harness.store.events(matching: query)
                        found += page.events.map(\.event.id)
                        totals.insert(page.total)
                        guard let cursor = page.nextCursor(for: query) else { break }
                        query.cursor = cursor
                    }
                    return (found, totals)
                }
                func expected(_ limits: ReadLimits) -> [UUID] { events.filter(limits.allows).map(\.id) }
                let cases = [
                    ReadLimits(categories: ["workflow"]), ReadLimits(eventTypePrefixes: ["workflow.catalog."]),
                    ReadLimits(namespaces: ["prod"]), ReadLimits(categories: ["workflow", "gateway"], namespaces: ["prod"]),
                    ReadLimits(categories: []), ReadLimits(eventTypePrefixes: ["workflow.catalog.", "gateway."]), .unlimited,
                ]
                for limits in cases {
                    let (found, totals) = try await ids(limits)
                    #expect(found == expected(limits), "\(limits)")
                    #expect(totals == [expected(limits).count], "\(limits)")
                }
                #expect(expected(ReadLimits(categories: ["workflow"])).count == 16)
                #expect(expected(ReadLimits(namespaces: ["prod"])).count == 12)
                // A prefix is a prefix, not a pattern: "_" and "%" match only themselves.
                #expect(try await ids(ReadLimits(eventTypePrefixes: ["workflow_catalog"])).ids.isEmpty)
                #expect(try await ids(ReadLimits(eventTypePrefixes: ["%"])).ids.isEmpty)
            },

            ConformanceCheck("orders newest first by default and chronologically on request, ties broken by event_id") { harness in
                let now = AuditTimestamp.now().adding(seconds: -100)
                var events: [AuditEvent] = []
                for step in 0..<6 {
                    // Pairs share a timestamp, so event_id decides their order.
                    events.append(
                        try EventFactory.event(
                            correlationID: "rr-order", at: now.adding(seconds: Int64(step / 2)), fields: ["resource_id": .string("r\(step)")]))
                }
                try await harness.writeSucceeding(events.shuffled())
                let ascending = events.sorted { ($0.timestamp, $0.id.uuidString.lowercased()) < ($1.timestamp, $1.id.uuidString.lowercased()) }
                var query = EventQuery()
                query.filters.correlationID = "rr-order"
                #expect(try await harness.store.events(matching: query).events.map(\.event.id) == ascending.reversed().map(\.id))
                query.order = .ascending
                #expect(try await harness.store.events(matching: query).events.map(\.event.id) == ascending.map(\.id))
            },

            ConformanceCheck("pages with offset, reporting total and has_more") { harness in
                let now = AuditTimestamp.now().adding(seconds: -100)
                let events = try (0..<7).map { try EventFactory.event(correlationID: "rr-offset", at: now.adding(seconds: Int64($0))) }
                try await harness.writeSucceeding(events)
                var seen: [UUID] = []
                for (offset, expectedCount, expectedMore) in [(0, 3, true), (3, 3, true), (6, 1, false), (9, 0, false)] {
                    var query = EventQuery(limit: 3, offset: offset, order: .ascending)
                    query.filters.correlationID = "rr-offset"
                    let page = try await harness.store.events(matching: query)
                    #expect(page.events.count == expectedCount, "page at offset \(offset)")
                    #expect(page.hasMore == expectedMore, "has_more at offset \(offset)")
                    #expect(page.total == 7)
                    #expect((page.nextCursor(for: query) != nil) == expectedMore)
                    seen += page.events.map(\.event.id)
                }
                #expect(seen == events.map(\.id))
            },

            ConformanceCheck("pages with a cursor without duplicates or gaps while events arrive") { harness in
                let base = AuditTimestamp.now().adding(seconds: -600)
                let original = try (0..<10).map { try EventFactory.event(correlationID: "rr-cursor", at: base.adding(seconds: Int64($0 * 10))) }
                try await harness.writeSucceeding(original)
                var arrivals: [AuditEvent] = []
                for order in [EventQuery.Order.descending, .ascending] {
                    var query = EventQuery(limit: 4, order: order)
                    query.filters.correlationID = "rr-cursor"
                    var collected: [StoredAuditEvent] = []
                    var page = try await harness.store.events(matching: query)
                    collected += page.events
                    var round = 0
                    while let cursor = page.nextCursor(for: query), round < 20 {
                        // New events before, inside and after the part already read.
                        round += 1
                        let newcomers = try [-5, 45, 95, 200].map { seconds in
                            try EventFactory.event(
                                correlationID: "rr-cursor", at: base.adding(seconds: Int64(seconds)).adding(microseconds: Int64(round)),
                                fields: ["resource_id": .string("\(order)-\(round)-\(seconds)")]
                            )
                        }
                        try await harness.writeSucceeding(newcomers)
                        arrivals += newcomers
                        query.cursor = cursor
                        page = try await harness.store.events(matching: query)
                        collected += page.events
                    }
                    let ids = collected.map(\.event.id)
                    #expect(Set(ids).count == ids.count, "no event twice (\(order))")
                    for event in original {
                        #expect(ids.contains(event.id), "original event kept (\(order))")
                    }
                    let times = collected.map(\.event.timestamp)
                    #expect(times == (order == .ascending ? times.sorted() : times.sorted(by: >)), "pages stay in order (\(order))")
                    #expect(Set(ids).isSubset(of: Set(original.map(\.id) + arrivals.map(\.id))), "only stored events (\(order))")
                }
            },

            ConformanceCheck("reads only the months a time-bounded query covers") { harness in
                let current = AuditTimestamp.now().utcDate.month
                let months = [current.adding(months: -2), current.adding(months: -1), current]
                let events = try months.map { try EventFactory.event(correlationID: "rr-prune", at: $0.firstDay.startOfDay.adding(seconds: 60)) }
                try await harness.writeSucceeding(events)
                var query = EventQuery()
                query.filters.correlationID = "rr-prune"
                query.since = months[1].firstDay.startOfDay
                query.untilExclusive = months[1].endDay.startOfDay
                #expect(try await harness.monthsRead(by: query) == [months[1]])
                #expect(try await harness.store.events(matching: query).events.map(\.event.id) == [events[1].id])
                query.untilExclusive = nil
                #expect(try await harness.monthsRead(by: query).allSatisfy { $0 >= months[1] })
                #expect(try await harness.monthsRead(by: query).contains(months[2]))
            },

            ConformanceCheck("finds one event by id, and nothing for an unknown id") { harness in
                let event = try EventFactory.event(correlationID: "rr-lookup", at: .now())
                try await harness.writeSucceeding([event])
                #expect(try await harness.store.event(id: event.id)?.event.id == event.id)
                #expect(try await harness.store.event(id: UUID()) == nil)
            },
            ConformanceCheck("answers the page and its total from one snapshot while events arrive") { harness in
                let now = AuditTimestamp.now()
                var filters = EventQuery.Filters()
                filters.correlationID = "rr-snapshot"
                let query = EventQuery(filters: filters, limit: EventQuery.maximumLimit)
                let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask {
                        for index in 0..<150 {
                            try await harness.writeSucceeding([
                                try EventFactory.event(correlationID: "rr-snapshot", at: now.adding(microseconds: Int64(index)))
                            ])
                        }
                        return 0
                    }
                    group.addTask {
                        var mismatches = 0
                        var last = 0
                        while last < 150 {
                            let page = try await harness.store.events(matching: query)
                            if page.total != page.events.count { mismatches += 1 }
                            last = page.total
                        }
                        return mismatches
                    }
                    return try await group.reduce(0, +)
                }
                #expect(mismatches == 0, "\(mismatches) pages whose total disagreed with their own events")
            },
        ]
    }
}
