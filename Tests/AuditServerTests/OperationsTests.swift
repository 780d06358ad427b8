import AuditCore
import AuditIngest
import AuditPostgres
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Testing

@Suite struct OperationsTests {
    @Test("Health: live, ready, and the summary", arguments: StoreKind.available)
    func health(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, harness in
            let live = try await client.get("/health/live")
            #expect(live.status == .ok)
            #expect(try live.object.string("status") == "alive")
            for path in ["/health/ready", "/health"] {
                let ready = try await readyAnswer(client, path: path)
                #expect(ready.status == .ok)
                #expect(try ready.object.string("status") == "ready")
                #expect(try ready.object.string("store") == harness.store.kind)
            }
        }
    }

    @Test("X-Request-ID is echoed when well formed, generated otherwise, and in every log line of the request", arguments: StoreKind.available)
    func requestIDs(_ kind: StoreKind) async throws {
        let records = LogRecords()
        let logger = Logger(label: "test.http") { _ in RecordingLogHandler(records: records) }
        try await withApp(kind, logger: logger) { client, _ in
            let echoed = try await client.get("/api/v1/audit/events?limit=0", headers: [HTTPField.Name("X-Request-ID")!: "req-abc.123:x_y"])
            #expect(echoed.headers[HTTPField.Name("X-Request-ID")!] == "req-abc.123:x_y")
            try expectProblem(echoed, status: .badRequest, type: "validation-error", fields: ["limit"])
            #expect(try echoed.object.string("request_id") == "req-abc.123:x_y")

            let generated = try await client.get("/health/live")
            let id = try #require(generated.headers[HTTPField.Name("X-Request-ID")!])
            #expect(UUID(uuidString: id) != nil)

            let replaced = try await client.get("/health/live", headers: [HTTPField.Name("X-Request-ID")!: "bad id with spaces"])
            #expect(replaced.headers[HTTPField.Name("X-Request-ID")!].flatMap(UUID.init(uuidString:)) != nil)
        }
        let lines = records.all.filter { $0.message == "request refused" }
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.metadata["request.id"] == .string("req-abc.123:x_y") })
    }

    @Test("GET /metrics counts stored events, retries, refusals and group commits", arguments: StoreKind.available)
    func metrics(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let batch = JSONValue.array((0..<3).map { .object(EventFactory.request(correlationID: "rr-metrics-\($0)", at: .now(), eventID: UUID())) })
            #expect(try await client.post("/api/v1/audit/events/batch", json: batch).status == .created)
            #expect(try await client.post("/api/v1/audit/events/batch", json: batch).status == .created)
            #expect(try await client.post("/api/v1/audit/events", json: .object(JSONObject())).status == .badRequest)
            let response = try await client.get("/metrics")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let lines = Set(String(buffer: response.body).split(separator: "\n").map(String.init))
            #expect(lines.contains("auditledger_events_stored_total 3"))
            #expect(lines.contains("auditledger_events_already_stored_total 3"))
            #expect(lines.contains(#"auditledger_requests_refused_total{reason="validation-error"} 1"#))
            #expect(lines.contains("auditledger_group_commit_events_count 2"))
            #expect(lines.contains("auditledger_group_commit_duration_seconds_count 2"))
            #expect(lines.contains("auditledger_writer_queued_events 0.0"))
        }
    }

    @Test("Unknown routes are RFC 7807 404s", arguments: StoreKind.available)
    func unknownRoute(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            try expectProblem(try await client.get("/api/v1/nothing-here"), status: .notFound, type: "not-found")
        }
    }

    @Test("A database that does not answer in time gives 503 with Retry-After and no internals", arguments: StoreKind.available)
    func databaseTimeout(_ kind: StoreKind) async throws {
        let records = LogRecords()
        let logger = Logger(label: "test.http") { _ in RecordingLogHandler(records: records) }
        try await withApp(kind, logger: logger, storeTimeout: .milliseconds(500)) { client, harness in
            // Another connection holds the lock writers need, so the insert waits past the timeout.
            try await harness.withWritesBlocked {
                let response = try await client.post("/api/v1/audit/events", json: .object(EventFactory.gatewaySignal(at: .now())))
                try expectProblem(response, status: .serviceUnavailable, type: "service-unavailable")
                #expect(response.headers[.retryAfter] == "5")
                let detail = try response.object.string("detail") ?? ""
                for leak in ["LOCK", "audit_events", "PSQLError", "SQLite", "database is locked", "BUSY"] {
                    #expect(!detail.contains(leak), "\(detail)")
                }
                // The cause is logged, with the request's id, for whoever investigates.
                let requestID = try #require(response.headers[HTTPField.Name("X-Request-ID")!])
                let failure = records.all.first { $0.message == "storing events failed" }
                #expect(failure?.metadata["request.id"] == .string(requestID))
                #expect(failure?.metadata["error"] != nil)
            }
            // Once the lock is gone, a retry is stored (retried for up to 60 s: the test's 0.5 s
            // limit is tight when the machine is busy with the other tests — ten quick tries all
            // got 503 in the fresh CI of 93a2561, under load, while it passed alone and in full local runs).
            let request = JSONValue.object(EventFactory.gatewaySignal(at: .now()))
            var status = HTTPResponse.Status.serviceUnavailable
            let deadline = ContinuousClock.now + .seconds(60)
            while status == .serviceUnavailable, ContinuousClock.now < deadline {
                status = try await client.post("/api/v1/audit/events", json: request).status
                if status == .serviceUnavailable { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(status == .created)
        }
    }

    @Test(
        "Graceful shutdown writes every queued request before the writer stops; later writes get shutting-down",
        arguments: StoreKind.available
    )
    func shutdownDrainsTheQueue(_ kind: StoreKind) async throws {
        try await withHarness(kind) { harness in
            let writer = BatchWriter(store: harness.store, logger: Logger(label: "test.writer"))
            let group = ServiceGroup(configuration: .init(services: [writer], logger: Logger(label: "test.group")))
            let events = try (0..<200).map {
                try EventFactory.event(correlationID: "rr-shutdown", at: AuditTimestamp.now().adding(microseconds: Int64($0)))
            }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let receipts = try await withThrowingTaskGroup(of: WriteReceipt.self) { submissions in
                    for event in events {
                        submissions.addTask { try #require(try await writer.submit(EventBatch(events: [event])).receipt) }
                    }
                    // Shut down while submissions are still queued or in flight.
                    try await Task.sleep(for: .milliseconds(5))
                    await group.triggerGracefulShutdown()
                    var receipts: [WriteReceipt] = []
                    while let next = await submissions.nextResult() {
                        switch next {
                        case .success(let receipt): receipts.append(receipt)
                        case .failure(let error as AuditError): #expect(error.code == .shuttingDown)
                        case .failure(let error): throw error
                        }
                    }
                    return receipts
                }
                try await tasks.waitForAll()
                #expect(!receipts.isEmpty)
                for receipt in receipts {
                    #expect(try await harness.rowCount(eventID: receipt.eventIDs[0]) == 1)
                }
                var query = EventQuery(limit: 1000)
                query.filters.correlationID = "rr-shutdown"
                #expect(try await harness.store.events(matching: query).total == receipts.count)
            }
            do {
                _ = try await writer.submit(EventBatch(events: [events[0]]))
                Issue.record("a stopped writer must refuse")
            } catch {
                #expect((error as? AuditError)?.code == .shuttingDown)
            }
        }
    }

    @Test("A request that makes the group's transaction fail is retried alone: only it fails", arguments: StoreKind.available)
    func poisonedGroup(_ kind: StoreKind) async throws {
        // The writers wait for the lock held below: a long store timeout, so that a loaded
        // machine's slow sleeps cannot make them give up before it is released.
        try await withHarness(kind, storeTimeout: .seconds(60)) { harness in
            try await harness.rejectInserts(ofEventType: "poison.event")
            let writer = BatchWriter(store: harness.store, logger: Logger(label: "test.writer"))
            let group = ServiceGroup(configuration: .init(services: [writer], logger: Logger(label: "test.group")))
            let good = try (0..<6).map { try EventFactory.event(correlationID: "rr-group-\($0)", at: .now()) }
            let poison = try EventFactory.event(type: "poison.event", correlationID: "rr-poison", at: .now())
            let (locked, lockedSignal) = AsyncStream.makeStream(of: Void.self)
            let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
            var results: [UUID: Result<WriteReceipt, AuditError>] = [:]
            try await withThrowingTaskGroup(of: (UUID, Result<WriteReceipt, AuditError>)?.self) { tasks in
                tasks.addTask {
                    try await group.run()
                    return nil
                }
                // Hold the writers' lock until every submission is queued, then let them go:
                // the first takes the writer alone, the others form one group with the poison.
                tasks.addTask {
                    try await harness.withWritesBlocked {
                        lockedSignal.finish()
                        for await _ in release {}
                    }
                    return nil
                }
                for await _ in locked {}
                for event in good + [poison] {
                    tasks.addTask {
                        do throws(AuditError) {
                            let outcome = try await writer.submit(EventBatch(events: [event]))
                            guard let receipt = outcome.receipt else { return (event.id, .failure(AuditError(.internalError, detail: "spooled"))) }
                            return (event.id, .success(receipt))
                        } catch {
                            return (event.id, .failure(error))
                        }
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await Task.sleep(for: .milliseconds(200))
                releaseSignal.finish()
                while results.count < good.count + 1, let next = try await tasks.next() {
                    if let (id, result) = next { results[id] = result }
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            for event in good {
                #expect((try? results[event.id]?.get()) != nil, "a request sharing the group with the poison succeeds")
            }
            if case .failure(let error)? = results[poison.id] {
                #expect(error.code == .refusedByStore)
            } else {
                Issue.record("the poisoned request must fail")
            }
            for event in good {
                #expect(try await harness.rowCount(eventID: event.id) == 1, "a request sharing the group with the poison is stored")
            }
            #expect(try await harness.rowCount(eventID: poison.id) == 0)
        }
    }

    @Test("A full writer queue answers 503 overloaded at once; queued requests are stored afterwards", arguments: StoreKind.available)
    func overload(_ kind: StoreKind) async throws {
        var settings = AuditServerConfiguration(validation: EventFactory.importPolicy)
        settings.writer.maximumQueuedEvents = 1
        // One transaction at a time, so that the second request waits in the queue.
        settings.writer.maximumConcurrentTransactions = 1
        try await withApp(kind, configuration: settings, storeTimeout: .seconds(30)) { client, harness in
            /// Waits until /health reports the writer's state: events being written, and queued.
            @Sendable func waitForWriter(writing: Int, queued: Int) async throws {
                for _ in 0..<500 {
                    let health = try await client.get("/health").object
                    if health["writing_events"] == .number(String(writing)), health["queued_events"] == .number(String(queued)) { return }
                    try await Task.sleep(for: .milliseconds(10))
                }
                throw TestFailure("the writer never reached writing=\(writing) queued=\(queued)")
            }
            let (locked, lockedSignal) = AsyncStream.makeStream(of: Void.self)
            let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
            let responses = try await withThrowingTaskGroup(of: (String, TestResponse)?.self) { group in
                group.addTask {
                    try await harness.withWritesBlocked {
                        lockedSignal.finish()
                        for await _ in release {}
                    }
                    return nil
                }
                for await _ in locked {}
                // The first request occupies the writer (blocked on the lock), the second fills
                // the queue, the third finds it full.
                group.addTask {
                    ("first", try await client.post("/api/v1/audit/events", json: .object(EventFactory.request(at: .now(), eventID: UUID()))))
                }
                try await waitForWriter(writing: 1, queued: 0)
                group.addTask {
                    ("second", try await client.post("/api/v1/audit/events", json: .object(EventFactory.request(at: .now(), eventID: UUID()))))
                }
                try await waitForWriter(writing: 1, queued: 1)
                let third = try await client.post("/api/v1/audit/events", json: .object(EventFactory.request(at: .now(), eventID: UUID())))
                releaseSignal.finish()
                var responses: [String: TestResponse] = ["third": third]
                for try await case let (name, response)? in group { responses[name] = response }
                return responses
            }
            let third = try #require(responses["third"])
            try expectProblem(third, status: .serviceUnavailable, type: "overloaded")
            #expect(third.headers[.retryAfter] == "1")
            // Once the lock is released, both queued requests are stored.
            #expect(responses["first"]?.status == .created)
            #expect(responses["second"]?.status == .created)
        }
    }
}
