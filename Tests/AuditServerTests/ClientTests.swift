import AuditCore
import AuditLedgerClient
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization
import Testing

/// The producer's client against a real server on a loopback port: batches, exactly-once,
/// refusals set aside, retries, a spool that outlives the client, credentials.
@Suite struct ClientTests {
    static func spoolDirectory() -> String { NSTemporaryDirectory() + "auditledger-client-" + UUID().uuidString }

    /// A client of `configuration`, running (in a service group) during `body`, then shut down gracefully.
    static func withClient(
        _ configuration: AuditLedgerClientConfiguration, _ body: (AuditLedgerClient) async throws -> Void
    ) async throws {
        let client = try await AuditLedgerClient(configuration: configuration, logger: Logger(label: "test.client"))
        let group = ServiceGroup(configuration: .init(services: [client], logger: Logger(label: "test.client-group")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body(client)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    static func event(_ correlation: String, _ index: Int) -> JSONValue {
        .object(EventFactory.request(correlationID: correlation, at: AuditTimestamp.now().adding(microseconds: Int64(index))))
    }

    /// Collects what the client sets aside.
    final class SetAside: Sendable {
        let events = Mutex<[SetAsideEvent]>([])
        var all: [SetAsideEvent] { events.withLock { $0 } }
        func add(_ event: SetAsideEvent) { events.withLock { $0.append(event) } }
    }

    @Test("Recorded events reach the server in batches, each stored once; flush waits until nothing is pending", arguments: StoreKind.available)
    func delivers(_ kind: StoreKind) async throws {
        try await withLiveApp(kind) { http, port, harness in
            let directory = Self.spoolDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try await Self.withClient(.init(baseURL: "http://127.0.0.1:\(port)", spoolDirectory: directory, batchSize: 50)) { client in
                var ids: [UUID] = []
                for index in 0..<230 {
                    ids.append(try #require(client.record(Self.event("rr-client", index)).eventID))
                }
                #expect(await client.flush(timeout: .seconds(60)))
                #expect(client.pending == 0)
                for id in ids { #expect(try await harness.rowCount(eventID: id) == 1) }
                let page = try await http.get("/api/v1/audit/events?correlation_id=rr-client&limit=1").object
                #expect(page.object("pagination")?["total"] == .number("230"))
            }
            // Secrets are redacted at the source: the client checks events with the server's rules.
            try await Self.withClient(.init(baseURL: "http://127.0.0.1:\(port)")) { client in
                guard case .object(var event) = Self.event("rr-client-secret", 0) else { return }
                event["event_data"] = .object(JSONObject([.init(key: "api_token", value: .string("s3cr3t")), .init(key: "n", value: .number("1"))]))
                let id = try #require(client.record(.object(event)).eventID)
                #expect(await client.flush(timeout: .seconds(30)))
                let stored = try await http.get("/api/v1/audit/events/\(id.uuidString.lowercased())").object
                #expect(stored.object("event_data")?.string("api_token") == Redaction.marker)
            }
            // A bad event is refused when recorded, naming the field, and never kept.
            try await Self.withClient(.init(baseURL: "http://127.0.0.1:\(port)")) { client in
                guard case .object(var bad) = Self.event("rr-client-bad", 0) else { return }
                bad["event_outcome"] = .string("maybe")
                guard case .invalid(let error) = client.record(.object(bad)) else {
                    Issue.record("an event with a bad outcome must be refused when recorded")
                    return
                }
                #expect(error.fieldErrors.map(\.field) == ["event_outcome"])
                #expect(client.pending == 0)
            }
        }
    }

    @Test("An event the server refuses is set aside — reported, in set-aside.ndjson — and the rest of its batch is stored")
    func setsAsideRefused() async throws {
        let configuration = try EventSchemaAPITests.configuration(enforcing: ["workflow.catalog.search_completed"])
        try await withLiveApp(.sqlite, configuration: configuration) { http, port, harness in
            let directory = Self.spoolDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let aside = SetAside()
            let settings = AuditLedgerClientConfiguration(
                baseURL: "http://127.0.0.1:\(port)", spoolDirectory: directory, batchSize: 10, flushInterval: .seconds(30),
                onSetAside: { aside.add($0) })
            var good: [UUID] = []
            var badID: UUID?
            try await Self.withClient(settings) { client in
                for index in 0..<9 {
                    if index == 4 {
                        let bad = EventSchemaAPITests.changingData(EventSchemaAPITests.search(correlation: "rr-aside").request()) {
                            $0["query"] = nil
                        }
                        badID = client.record(bad).eventID
                    } else {
                        good.append(try #require(client.record(Self.event("rr-aside", index)).eventID))
                    }
                }
                #expect(await client.flush(timeout: .seconds(60)), "the flush sends the batch of 9 without waiting 30 s for a 10th")
            }
            for id in good { #expect(try await harness.rowCount(eventID: id) == 1) }
            let refused = try #require(badID)
            #expect(try await harness.rowCount(eventID: refused) == 0)
            #expect(aside.all.count == 1)
            let record = try #require(aside.all.first)
            #expect(record.reason == .refused && record.status == 400 && record.fields == ["event_data.query"])
            if case .object(let event) = record.event { #expect(event.string("event_id") == refused.uuidString.lowercased()) }
            let lines = try String(contentsOfFile: directory + "/set-aside.ndjson", encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains(refused.uuidString.lowercased()))
            #expect(try await http.get("/api/v1/audit/events?correlation_id=rr-aside").object.array("data").count == 8)
        }
    }

    @Test("A batch too large for the server (413) is sent in halves until it fits; an event too large alone is set aside with 413")
    func splitsTooLarge() async throws {
        // Sized to the requests the client sends: three events fit in one, six do not.
        let sent = try EventValidator(policy: EventFactory.importPolicy).event(from: Self.event("rr-large", 0), now: .now())
        var writer = JSONWriter()
        writer.write(sent.requestJSON)
        let eventBytes = writer.bytes.count + 20
        var configuration = AuditServerConfiguration(validation: EventFactory.importPolicy)
        configuration.maximumBodyBytes = 3 * eventBytes
        try await withLiveApp(.sqlite, configuration: configuration) { _, port, harness in
            let aside = SetAside()
            var ids: [UUID] = []
            var hugeID: UUID?
            try await Self.withClient(
                .init(baseURL: "http://127.0.0.1:\(port)", batchSize: 12, maximumBatchSize: 12, onSetAside: { aside.add($0) })
            ) { client in
                for index in 0..<11 { ids.append(try #require(client.record(Self.event("rr-large", index)).eventID)) }
                var huge = EventFactory.request(correlationID: "rr-large", at: AuditTimestamp.now())
                huge["event_data"] = .object(JSONObject([.init(key: "blob", value: .string(String(repeating: "x", count: 4 * eventBytes)))]))
                hugeID = client.record(.object(huge)).eventID
                #expect(await client.flush(timeout: .seconds(60)))
            }
            for id in ids { #expect(try await harness.rowCount(eventID: id) == 1) }
            let huge = try #require(hugeID)
            #expect(try await harness.rowCount(eventID: huge) == 0)
            #expect(aside.all.map(\.status) == [413])
            if case .object(let event)? = aside.all.first?.event { #expect(event.string("event_id") == huge.uuidString.lowercased()) }
        }
    }

    @Test("Events recorded while the server is away stay in the spool across a new client, and are stored once when it is back")
    func spoolOutlivesTheClient() async throws {
        try await withLiveApp(.sqlite) { _, port, harness in
            let directory = Self.spoolDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            // Nothing listens on port 1: every attempt fails, the events wait.
            var ids: [UUID] = []
            try await Self.withClient(
                .init(
                    baseURL: "http://127.0.0.1:1", spoolDirectory: directory, batchSize: 5, flushInterval: .milliseconds(10),
                    initialBackoff: .milliseconds(10), maximumBackoff: .milliseconds(50), shutdownTimeout: .milliseconds(200))
            ) { client in
                for index in 0..<12 { ids.append(try #require(client.record(Self.event("rr-away", index)).eventID)) }
                try await Task.sleep(for: .milliseconds(300))
                #expect(client.pending == 12)
                #expect(await client.flush(timeout: .milliseconds(100)) == false)
            }
            for id in ids { #expect(try await harness.rowCount(eventID: id) == 0) }
            // The next client on the same spool, with the server at its address.
            try await Self.withClient(.init(baseURL: "http://127.0.0.1:\(port)", spoolDirectory: directory)) { client in
                #expect(client.pending == 12)
                #expect(await client.flush(timeout: .seconds(60)))
            }
            for id in ids { #expect(try await harness.rowCount(eventID: id) == 1) }
        }
    }

    @Test("429 with Retry-After is waited out and retried; every event is stored once")
    func honoursRetryAfter() async throws {
        var configuration = AuditServerConfiguration(validation: EventFactory.importPolicy)
        // One request each 10 s (burst one): the second batch comes well within 10 s of the first
        // even on a loaded machine, so it is answered 429 with a Retry-After. (At two a second, a
        // loaded CI run's requests were each slower than the limit and none was refused; at one
        // each 4 s, once more, with the machine also building.)
        configuration.writeRateLimit = .init(requestsPerSecond: 0.1, burst: 1)
        try await withLiveApp(.sqlite, configuration: configuration) { http, port, harness in
            try await Self.withClient(
                .init(baseURL: "http://127.0.0.1:\(port)", batchSize: 10, maximumBatchSize: 10, initialBackoff: .milliseconds(10))
            ) { client in
                var ids: [UUID] = []
                for index in 0..<20 { ids.append(try #require(client.record(Self.event("rr-limited", index)).eventID)) }
                let started = ContinuousClock.now
                #expect(await client.flush(timeout: .seconds(60)))
                // Two requests at one each 10 s: at least about 3 s, whatever the client's own backoff says.
                #expect(ContinuousClock.now - started > .seconds(3))
                for id in ids { #expect(try await harness.rowCount(eventID: id) == 1) }
            }
            let metrics = String(buffer: try await http.get("/metrics").body)
            #expect(metrics.contains(#"status="429""#), "the server answered 429 at least once")
        }
    }

    @Test("Without a spool: a bounded memory buffer; past it, events are dropped, reported and counted, never blocking")
    func memoryBound() async throws {
        let aside = SetAside()
        let client = try await AuditLedgerClient(
            configuration: .init(baseURL: "http://127.0.0.1:1", memoryLimit: 5, onSetAside: { aside.add($0) }), logger: Logger(label: "test.client"))
        let outcomes = (0..<8).map { client.record(Self.event("rr-memory", $0)) }
        #expect(outcomes.prefix(5).allSatisfy { $0.eventID != nil })
        #expect(outcomes.suffix(3).allSatisfy { if case .dropped = $0 { true } else { false } })
        #expect(aside.all.map(\.reason) == [.dropped, .dropped, .dropped])
        #expect(client.pending == 5)
        try await client.close()
    }

    @Test("Mutual TLS: the client's certificate names it to the server, which stores the event as written by it")
    func mutualTLS() async throws {
        try await withTLSApp(clientCertificates: true, scopes: [.eventsWrite, .eventsRead]) { port, tls in
            let certificate = try tls.authority.issue(commonName: "gateway-sa")
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(try tls.authority.pem.utf8), format: .pem)])
            configuration.certificateVerification = .noHostnameVerification
            configuration.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(try certificate.certificatePEM.utf8), format: .pem))]
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(certificate.keyPEM.utf8), format: .pem))
            try await Self.withClient(.init(baseURL: "https://127.0.0.1:\(port)", tls: configuration)) { client in
                let id = try #require(client.record(Self.event("rr-mtls", 0)).eventID)
                #expect(await client.flush(timeout: .seconds(30)))
                let stored = try await tls.request(port: port, "/api/v1/audit/events/\(id.uuidString.lowercased())", as: certificate)
                #expect(stored.status == 200)
                #expect(stored.body.contains(#""written_by":"gateway-sa""#), "\(stored.body)")
            }
        }
    }

    @Test("A bearer token authenticates the client; a wrong one is retried, never dropped")
    func bearerToken() async throws {
        let fixture = try AccessFixture()
        defer { fixture.remove() }
        try await withLiveApp(.sqlite, configuration: try fixture.configuration()) { _, port, harness in
            let token = Mutex(String("wrong"))
            try await Self.withClient(
                .init(
                    baseURL: "http://127.0.0.1:\(port)", flushInterval: .milliseconds(10), initialBackoff: .milliseconds(20),
                    maximumBackoff: .milliseconds(100), authentication: .bearer({ token.withLock { $0 } }))
            ) { client in
                let id = try #require(client.record(Self.event("rr-token", 0)).eventID)
                try await Task.sleep(for: .milliseconds(300))
                #expect(client.pending == 1, "refused credentials: kept and retried")
                token.withLock { $0 = fixture.tokens[.writer]! }
                #expect(await client.flush(timeout: .seconds(30)))
                #expect(try await harness.rowCount(eventID: id) == 1)
            }
        }
    }
}
