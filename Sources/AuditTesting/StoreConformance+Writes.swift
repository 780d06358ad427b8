import AuditCore
import Testing

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension StoreConformance {
    static var writeChecks: [ConformanceCheck] {
        [
            ConformanceCheck("stores every column and reads it back unchanged") { harness in
                let now = AuditTimestamp.now()
                let parent = try EventFactory.event(at: now.adding(seconds: -60))
                try await harness.writeSucceeding([parent])
                let request = EventFactory.request(
                    type: "workflowexecution.execution.started", category: "workflowexecution", outcome: "pending",
                    correlationID: "rr-2025-001", at: now, eventID: UUID(), parentID: parent.id,
                    fields: [
                        "actor_type": .string("user"), "actor_id": .string("alice@example.com"), "actor_ip": .string("2001:DB8:0:0:0:0:0:1"),
                        "resource_type": .string("WorkflowExecution"), "resource_id": .string("we-42"), "namespace": .string("prod-payments"),
                        "cluster_name": .string("eu-west-1"), "severity": .string("warning"), "duration_ms": .number("1234"),
                        "error_code": .string("E_TIMEOUT"), "error_message": .string("step 3 timed out after 30s"),
                        "retention_days": .number("90"), "is_sensitive": .bool(true),
                    ]
                )
                var event = try EventFactory.event(request, now: now)
                event.writtenBy = "system:serviceaccount:kubernaut:workflow-execution"
                let receipt = try await harness.writeSucceeding([event])
                #expect(receipt.eventIDs == [event.id])
                #expect(receipt.insertedCount == 1)

                let stored = try #require(try await harness.store.event(id: event.id))
                var expected = event
                expected.parentEventDate = parent.date
                #expect(stored.event.hasSameContent(as: expected))
                #expect(stored.event.parentEventDate == parent.date)
                #expect(stored.event.actorIP == "2001:db8::1")
                #expect(stored.event.clusterID == "eu-west-1")
                #expect(stored.event.retentionDays == 90)
                #expect(stored.event.durationMS == 1234)
                #expect(stored.event.isSensitive)
                #expect(stored.event.timestamp == now)
                #expect(sameJSON(stored.event.eventData, event.eventData))
                #expect(stored.event.writtenBy == "system:serviceaccount:kubernaut:workflow-execution")
                let parentStored = try #require(try await harness.store.event(id: parent.id))
                #expect(stored.insertSequence > parentStored.insertSequence)
                #expect(parentStored.event.writtenBy == nil)
                var query = EventQuery()
                query.filters.correlationID = "rr-2025-001"
                let page = try await harness.store.events(matching: query)
                #expect(page.events.map(\.event.writtenBy) == ["system:serviceaccount:kubernaut:workflow-execution"])
            },

            ConformanceCheck("hashes every event as it is written; the hash recomputes from what the store gives back") { harness in
                let now = AuditTimestamp.now()
                let parent = try EventFactory.event(correlationID: "rr-hash", at: now.adding(seconds: -1))
                guard
                    case .object(let data) = try JSONParser.parse(
                        #"{"n":6.02214076e23,"m":1.50,"z":-0.0,"big":12345678901234567890,"t":"tab\t \\N é 🚀","a":[{"b":null}],"ä":1,"a0":2}"#)
                else { throw AuditError(.internalError, detail: "fixture") }
                var event = try EventFactory.event(
                    correlationID: "rr-hash", at: now, parentID: parent.id,
                    fields: ["actor_ip": .string("2001:DB8::0:1"), "duration_ms": .number("90"), "error_message": .string("line\nbreak")],
                    data: data)
                event.writtenBy = "gateway"
                try await harness.writeSucceeding([parent, event])
                var sent = event
                sent.parentEventDate = parent.date
                for id in [parent.id, event.id] {
                    let stored = try #require(try await harness.store.event(id: id))
                    #expect(stored.hashAlgorithm == AuditEvent.hashAlgorithm)
                    #expect(stored.hashProblem == nil, "\(stored.hashProblem ?? "")")
                }
                #expect(try await harness.store.event(id: event.id)?.eventHash == (try sent.eventHash()), "the hash of what was sent")
                var query = EventQuery(order: .ascending)
                query.filters.correlationID = "rr-hash"
                let page = try await harness.store.events(matching: query).events
                #expect(page.count == 2 && page.allSatisfy { $0.hashProblem == nil && $0.eventHash != nil })
            },

            ConformanceCheck("keeps the first writer when another principal sends the same event again") { harness in
                var first = try EventFactory.event(correlationID: "rr-written-by", at: .now())
                first.writtenBy = "gateway"
                var again = first
                again.writtenBy = "someone-else"
                try await harness.writeSucceeding([first])
                let receipt = try await harness.writeSucceeding([again])
                #expect(receipt.insertedCount == 0)
                #expect(try await harness.store.event(id: first.id)?.event.writtenBy == "gateway")
            },

            ConformanceCheck("keeps event_data values exactly: numbers to the last digit, any Unicode") { harness in
                let payload = #"""
                    {"event_type":"gateway.signal.received","big":12345678901234567890,"precise":0.1000000000000000055511151231257827,
                     "negative":-0.0000000000000000000001,"exponent":6.02214076e23,"text":"Grüße, 世界 🚀 \"quoted\" \\ back\/slash\ttab",
                     "escaped":"\u00e9\ud83d\ude80\n","empty":{},"list":[],"nested":{"a":[1,2,{"b":[true,false,null]}]},"zero":0}
                    """#
                guard case .object(let data) = try JSONParser.parse(payload) else { throw AuditError(.internalError, detail: "fixture") }
                let event = try EventFactory.event(type: "gateway.signal.received", category: "gateway", at: .now(), data: data)
                try await harness.writeSucceeding([event])
                let stored = try #require(try await harness.store.event(id: event.id))
                let storedData = try stored.event.eventData.object()
                #expect(JSONValue.object(storedData).canonicalBytes == JSONValue.object(data).canonicalBytes)
                #expect(storedData["big"] == .number("12345678901234567890"))
                #expect(storedData["precise"] == .number("0.1000000000000000055511151231257827"))
                // Stores may print a number in another notation (PostgreSQL: 6.02214076e23 as
                // 602214076000000000000000), never with another value.
                #expect(
                    storedData["exponent"].map { JSONValue.array([$0]).canonicalBytes } == JSONValue.array([.number("6.02214076e23")]).canonicalBytes)
                #expect(storedData["text"] == .string("Grüße, 世界 🚀 \"quoted\" \\ back/slash\ttab"))
                #expect(storedData["escaped"] == .string("é🚀\n"))
            },

            ConformanceCheck("keeps text with tabs, line breaks, backslashes and a literal \\N exactly") { harness in
                let awkward = "line 1\nline 2\ttabbed \\ back\\slash \\N \r\n end\\"
                let request = EventFactory.request(
                    type: "kubernetes.job.failed", category: "kubernetes", outcome: "failure", correlationID: "rr-escapes\tid", at: .now(),
                    fields: [
                        "resource_id": .string("\\N"), "error_message": .string(awkward), "actor_id": .string("\\"),
                    ],
                    data: JSONObject([.init(key: "log", value: .string(awkward)), .init(key: "\\N", value: .string("\t"))])
                )
                let event = try EventFactory.event(request, now: .now())
                try await harness.writeSucceeding([event])
                let stored = try #require(try await harness.store.event(id: event.id))
                #expect(stored.event.hasSameContent(as: event))
                #expect(stored.event.errorMessage == awkward)
                #expect(stored.event.resourceID == "\\N")
                #expect(stored.event.actorID == "\\")
                #expect(stored.event.correlationID == "rr-escapes\tid")
                #expect(try stored.event.eventData.object()["log"] == .string(awkward))
                #expect(try stored.event.eventData.object()["\\N"] == .string("\t"))
            },

            ConformanceCheck("keeps timestamps to the microsecond, in order") { harness in
                let base = AuditTimestamp.now().adding(seconds: -10)
                let events = try (0..<5).map { step in
                    try EventFactory.event(correlationID: "rr-micro", at: base.adding(microseconds: Int64(step)))
                }
                try await harness.writeSucceeding(events.reversed())
                var query = EventQuery(order: .ascending)
                query.filters.correlationID = "rr-micro"
                let page = try await harness.store.events(matching: query)
                #expect(page.events.map(\.event.timestamp) == events.map(\.timestamp))
                query.since = base.adding(microseconds: 1)
                query.untilExclusive = base.adding(microseconds: 3)
                let window = try await harness.store.events(matching: query)
                #expect(window.events.map(\.event.id) == [events[1].id, events[2].id])
            },

            ConformanceCheck("stores a batch all or nothing") { harness in
                let now = AuditTimestamp.now()
                let good = try EventFactory.event(correlationID: "rr-atomic", at: now)
                let alsoGood = try EventFactory.event(correlationID: "rr-atomic", at: now.adding(seconds: 1))
                let orphan = try EventFactory.event(correlationID: "rr-atomic", at: now.adding(seconds: 2), parentID: UUID())
                let result = try await harness.write([good, alsoGood, orphan])
                guard case .failure(let error) = result else {
                    Issue.record("a batch with an unknown parent must fail")
                    return
                }
                #expect(error.code == .validation)
                #expect(error.eventIndex == 2, "the store names the event; how it is shown is the caller's")
                #expect(!error.detail.hasPrefix("event at index"))
                #expect(error.shownInBatch.detail.hasPrefix("event at index 2: parent_event_id"))
                #expect(error.fieldErrors.map(\.field) == ["parent_event_id"])
                for event in [good, alsoGood, orphan] {
                    #expect(try await harness.rowCount(eventID: event.id) == 0)
                }
            },

            ConformanceCheck("isolates the batches of one group commit") { harness in
                let now = AuditTimestamp.now()
                let first = try EventFactory.event(correlationID: "rr-group-1", at: now)
                let broken = try EventFactory.event(correlationID: "rr-group-2", at: now, parentID: UUID())
                let third = try EventFactory.event(correlationID: "rr-group-3", at: now)
                let results = try await harness.store.write([
                    EventBatch(events: [first]),
                    EventBatch(events: [broken]),
                    EventBatch(events: [third]),
                ])
                #expect(results.count == 3)
                #expect((try? results[0].get())?.eventIDs == [first.id])
                if case .failure(let error) = results[1] {
                    #expect(error.code == .validation)
                    #expect(error.eventIndex == 0 && !error.detail.hasPrefix("event at index"))
                } else {
                    Issue.record("the batch with an unknown parent must fail")
                }
                #expect((try? results[2].get())?.eventIDs == [third.id])
                #expect(try await harness.rowCount(eventID: first.id) == 1)
                #expect(try await harness.rowCount(eventID: broken.id) == 0)
                #expect(try await harness.rowCount(eventID: third.id) == 1)
            },

            ConformanceCheck("stores a retried batch once and answers with the same ids") { harness in
                let now = AuditTimestamp.now()
                let withClientID = try EventFactory.event(correlationID: "rr-retry", at: now, eventID: UUID())
                let withoutID = try EventFactory.event(correlationID: "rr-retry", at: now.adding(seconds: 1))
                let first = try await harness.writeSucceeding([withClientID, withoutID])
                let again = try await harness.writeSucceeding([withClientID, withoutID])
                #expect(first.eventIDs == again.eventIDs)
                #expect(first.insertedCount == 2)
                #expect(again.insertedCount == 0)
                for id in first.eventIDs {
                    #expect(try await harness.rowCount(eventID: id) == 1)
                }
            },

            ConformanceCheck("stores two identical events sent without event_id as two events, as Kubernaut does") { harness in
                // Whole seconds, as Kubernaut's Go client writes them: identical events in one second happen.
                let second = AuditTimestamp(microsecondsSinceEpoch: AuditTimestamp.now().microsecondsSinceEpoch / 1_000_000 * 1_000_000)
                let request = EventFactory.request(correlationID: "rr-twins", at: second)
                let one = try EventFactory.event(request)
                let other = try EventFactory.event(request)
                #expect(one.id != other.id)
                #expect(try await harness.writeSucceeding([one]).insertedCount == 1)
                #expect(try await harness.writeSucceeding([other]).insertedCount == 1)
                var filters = EventQuery.Filters()
                filters.correlationID = "rr-twins"
                #expect(try await harness.store.events(matching: EventQuery(filters: filters)).total == 2)
            },

            ConformanceCheck("with content-derived ids, the same content re-sent without an id is stored once") { harness in
                var policy = EventFactory.importPolicy
                policy.eventIDs = .contentDerived
                let validator = EventValidator(policy: policy)
                let request = EventFactory.request(correlationID: "rr-derived", at: .now())
                let first = try validator.event(from: .object(request), now: .now())
                let reordered = try validator.event(from: .object(JSONObject(request.members.reversed())), now: .now())
                #expect(reordered.id == first.id)
                #expect(try await harness.writeSucceeding([first]).insertedCount == 1)
                #expect(try await harness.writeSucceeding([reordered]).insertedCount == 0)
                #expect(try await harness.rowCount(eventID: first.id) == 1)
            },

            ConformanceCheck("stores an event repeated inside one batch once") { harness in
                let event = try EventFactory.event(correlationID: "rr-twice", at: .now())
                let receipt = try await harness.writeSucceeding([event, event])
                #expect(receipt.eventIDs == [event.id, event.id])
                #expect(receipt.insertedCount == 1)
                #expect(try await harness.rowCount(eventID: event.id) == 1)
            },

            ConformanceCheck("refuses an event_id reused for a different event") { harness in
                let id = UUID()
                let now = AuditTimestamp.now()
                let original = try EventFactory.event(correlationID: "rr-conflict", at: now, eventID: id)
                try await harness.writeSucceeding([original])
                let impostor = try EventFactory.event(
                    outcome: "failure", correlationID: "rr-conflict", at: now, eventID: id
                )
                let sameDay = try await harness.write([impostor])
                let otherDay = try await harness.write([
                    try EventFactory.event(correlationID: "rr-conflict", at: now.adding(seconds: -3 * 86_400), eventID: id)
                ])
                for result in [sameDay, otherDay] {
                    guard case .failure(let error) = result else {
                        Issue.record("reusing an event_id for another event must fail")
                        continue
                    }
                    #expect(error.code == .conflict)
                    #expect(error.fieldErrors.map(\.field) == ["event_id"])
                }
                #expect(try await harness.rowCount(eventID: id) == 1)
                let stored = try #require(try await harness.store.event(id: id))
                #expect(stored.event.hasSameContent(as: original))
            },

            ConformanceCheck("links a parent sent later in the same batch, or stored before, in another month") { harness in
                let now = AuditTimestamp.now()
                let earlier = now.utcDate.month.adding(months: -2).firstDay.startOfDay.adding(seconds: 7200)
                let grandparent = try EventFactory.event(correlationID: "rr-chain", at: earlier)
                try await harness.writeSucceeding([grandparent])
                let parentID = UUID()
                let child = try EventFactory.event(correlationID: "rr-chain", at: now, parentID: parentID)
                let parent = try EventFactory.event(
                    correlationID: "rr-chain", at: now.adding(seconds: -1), eventID: parentID, parentID: grandparent.id)
                try await harness.writeSucceeding([child, parent])
                let storedChild = try #require(try await harness.store.event(id: child.id))
                let storedParent = try #require(try await harness.store.event(id: parentID))
                #expect(storedChild.event.parentEventID == parentID)
                #expect(storedChild.event.parentEventDate == parent.date)
                #expect(storedParent.event.parentEventDate == grandparent.date)
            },

            ConformanceCheck("refuses an unknown parent_event_id") { harness in
                let missing = UUID()
                let event = try EventFactory.event(correlationID: "rr-orphan", at: .now(), parentID: missing)
                guard case .failure(let error) = try await harness.write([event]) else {
                    Issue.record("an unknown parent must be refused")
                    return
                }
                #expect(error.code == .validation)
                #expect(error.fieldErrors.map(\.field) == ["parent_event_id"])
                #expect(error.detail.contains(missing.uuidString.lowercased()))
                #expect(try await harness.rowCount(eventID: event.id) == 0)
            },

            ConformanceCheck("keeps actor_ip in one canonical form, so a retry of the same event is not a conflict") { harness in
                let forms = [
                    ("10.1.2.3", "10.1.2.3"), ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
                    ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"), ("::ffff:10.1.2.3", "::ffff:10.1.2.3"), ("::1", "::1"), ("fe80::1", "fe80::1"),
                    ("1:2:3:4:5:6:0:0", "1:2:3:4:5:6::"),
                ]
                let now = AuditTimestamp.now()
                let events = try forms.enumerated().map { index, form in
                    try EventFactory.event(correlationID: "rr-ip", at: now.adding(microseconds: Int64(index)), fields: ["actor_ip": .string(form.0)])
                }
                try await harness.writeSucceeding(events)
                let retry = try await harness.writeSucceeding(events)
                #expect(retry.insertedCount == 0)
                for (event, form) in zip(events, forms) {
                    #expect(try await harness.store.event(id: event.id)?.event.actorIP == form.1, "\(form.0)")
                }
            },

            ConformanceCheck("creates storage for months it has never seen") { harness in
                let now = AuditTimestamp.now()
                let current = now.utcDate.month
                let months = [current.adding(months: -14), current, current.adding(months: 9)]
                #expect(try await !harness.storageMonths().contains(months[0]))
                #expect(try await !harness.storageMonths().contains(months[2]))
                let events = try months.map { month in
                    try EventFactory.event(correlationID: "rr-months", at: month.firstDay.startOfDay.adding(seconds: 3600))
                }
                let receipt = try await harness.writeSucceeding(events)
                #expect(receipt.insertedCount == 3)
                let storage = try await harness.storageMonths()
                for month in months {
                    #expect(storage.contains(month), "storage for \(month)")
                }
                var query = EventQuery(order: .ascending)
                query.filters.correlationID = "rr-months"
                #expect(try await harness.allEvents(query).map(\.event.id) == events.map(\.id))
                query.since = months[0].firstDay.startOfDay
                query.untilExclusive = months[0].endDay.startOfDay
                #expect(try await harness.store.events(matching: query).events.map(\.event.id) == [events[0].id])
            },
        ]
    }
}
