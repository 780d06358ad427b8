import AuditCore
import AuditMaintenance
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The server's own audit events (``ServerAuditTrail``), read back through the API like any
/// other, on both stores.
@Suite struct SelfAuditTests {
    @Test("Holds placed and released are recorded under the principal, outside the held correlation", arguments: StoreKind.available)
    func holds(_ kind: StoreKind) async throws {
        try await withTrailApp(kind) { client, fixture in
            let event = JSONValue.object(EventFactory.request(correlationID: "rr-self", at: .now()))
            #expect(try await client.post("/api/v1/audit/events", json: event, headers: fixture.headers(.writer)).status == .created)
            let hold = JSONValue.object(
                JSONObject([.init(key: "correlation_id", value: .string("rr-self")), .init(key: "reason", value: .string("inquiry 7"))]))
            #expect(try await client.post("/api/v1/audit/legal-hold", json: hold, headers: fixture.headers(.holder)).status == .ok)
            let release = JSONValue.object(JSONObject([.init(key: "release_reason", value: .string("closed"))]))
            let released = try await client.execute(
                uri: "/api/v1/audit/legal-hold/rr-self", method: .delete,
                headers: fixture.headers(.holder).merging([.contentType: "application/json"]),
                body: release.bodyBuffer)
            #expect(released.status == .ok)
            #expect(try released.object["events_released"] == .number("1"), "the hold covered what the service sent, nothing more")

            let placed = try await events(client, fixture, type: "auditledger.legal_hold.placed")
            let item = try #require(placed.first)
            #expect(placed.count == 1)
            #expect(item.string("actor_type") == "user" && item.string("actor_id") == "holder@example.com")
            #expect(item.string("written_by") == "auditledger")
            #expect(item.string("event_category") == "security" && item.string("resource_id") == "rr-self")
            #expect(item.string("correlation_id")?.hasPrefix("auditledger-security-") == true)
            #expect(item.object("event_data")?.string("reason") == "inquiry 7")
            let releases = try await events(client, fixture, type: "auditledger.legal_hold.released")
            #expect(releases.count == 1 && releases.first?.object("event_data")?.string("release_reason") == "closed")
            let timeline = try await client.get("/api/v1/audit/events?correlation_id=rr-self", headers: fixture.headers(.reader)).object
            #expect(timeline.array("data").count == 1, "the held correlation's timeline is only what was sent")
        }
    }

    @Test("Off by default: a hold placed leaves no event of the server's own")
    func offByDefault() async throws {
        try await withAccessApp(.sqlite) { client, fixture in
            let event = JSONValue.object(EventFactory.request(correlationID: "rr-self-off", at: .now()))
            #expect(try await client.post("/api/v1/audit/events", json: event, headers: fixture.headers(.writer)).status == .created)
            let hold = JSONValue.object(
                JSONObject([.init(key: "correlation_id", value: .string("rr-self-off")), .init(key: "reason", value: .string("x"))]))
            #expect(try await client.post("/api/v1/audit/legal-hold", json: hold, headers: fixture.headers(.holder)).status == .ok)
            let answer = try await client.get("/api/v1/audit/events?event_category=security", headers: fixture.headers(.reader)).object
            #expect(answer.array("data").isEmpty)
        }
    }

    @Test("Refused credentials are counted per reason and recorded once an interval, without the credentials", arguments: StoreKind.available)
    func refusals(_ kind: StoreKind) async throws {
        try await withTrailApp(kind) { client, fixture in
            let unknown = AccessToken.generate().text
            for _ in 0..<5 { _ = try await client.get("/api/v1/audit/events?limit=1", headers: [.authorization: "Bearer " + unknown]) }
            for _ in 0..<3 { _ = try await client.get("/api/v1/audit/events?limit=1", headers: fixture.headers(.expired)) }
            var counts: [String: Int] = [:]
            // Recorded once an interval: under a loaded machine's parallel suites the second
            // interval has come after more than 10 s (fresh CI of 12bd5a9).
            let deadline = ContinuousClock.now + .seconds(60)
            while counts["unknown"] != 5 || counts["expired"] != 3, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                counts = [:]
                for item in try await events(client, fixture, type: "auditledger.auth.refused") {
                    guard let data = item.object("event_data"), let reason = data.string("reason"), case .number(let count)? = data["count"] else {
                        continue
                    }
                    counts[reason, default: 0] += Int(count) ?? 0
                    #expect(item.string("event_outcome") == "failure" && item.string("actor_type") == "network")
                }
            }
            #expect(counts == ["unknown": 5, "expired": 3])
            let all = try await client.get("/api/v1/audit/events?event_category=security&limit=1000", headers: fixture.headers(.reader))
            #expect(!String(buffer: all.body).contains(String(unknown.suffix(43))), "no secret of a refused token is stored")
        }
    }

    @Test("A token revoked in the file is recorded as a change of the tokens", arguments: StoreKind.available)
    func tokenChanges(_ kind: StoreKind) async throws {
        try await withTrailApp(kind) { client, fixture in
            var file = try TokenFile.decode(Array(try Data(contentsOf: URL(fileURLWithPath: fixture.path))))
            let index = try #require(file.tokens.firstIndex { $0.principal == "otherWriter@example.com" })
            file.tokens[index].revoked = AuditTimestamp.now().description
            try Data(file.encoded()).write(to: URL(fileURLWithPath: fixture.path))
            let id = file.tokens[index].id
            var changed: [JSONObject] = []
            // The file is read again each trail interval; a loaded CI machine has taken over 10 s.
            let deadline = ContinuousClock.now + .seconds(60)
            while changed.isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                changed = try await events(client, fixture, type: "auditledger.tokens.changed")
            }
            let data = try #require(changed.first?.object("event_data"))
            #expect(data["revoked"] == .array([.string(id)]))
            #expect(data["added"] == .array([]) && data["removed"] == .array([]))
        }
    }
}

/// The app with the access fixture's tokens and the trail's interval at 0.2 s.
private func withTrailApp(_ kind: StoreKind, _ body: @Sendable @escaping (any TestClientProtocol, AccessFixture) async throws -> Void) async throws {
    let fixture = try AccessFixture()
    defer { fixture.remove() }
    var configuration = try fixture.configuration()
    configuration.selfAudit = .init(enabled: true, interval: .milliseconds(200))
    try await withApp(kind, configuration: configuration) { client, _ in try await body(client, fixture) }
}

/// The items of `GET /api/v1/audit/events?event_type=type`, read as the reader.
extension SelfAuditTests {
    @Test("The maintenance service's retention removals are recorded in the server's trail", arguments: StoreKind.available)
    func retentionRecorded(_ kind: StoreKind) async throws {
        let archives = NSTemporaryDirectory() + "auditledger-trail-archives-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: archives) }
        try await withHarness(kind) { harness in
            let old = AuditTimestamp.now().utcDate.month.adding(months: -3)
            let expired = try EventFactory.event(
                correlationID: "rr-expired", at: old.firstDay.startOfDay.adding(seconds: 60), fields: ["retention_days": .number("1")])
            try await harness.writeSucceeding([expired])
            var configuration = AuditServerConfiguration(validation: EventFactory.importPolicy)
            configuration.selfAudit.enabled = true
            let store = harness.store
            let app = buildAuditApplication(
                store: store,
                recordingServices: { trail in
                    [
                        MaintenanceService(
                            store: store, configuration: MaintenanceService.Configuration(archiveDirectory: archives, signer: TestSigning.key),
                            recorder: trail,
                            logger: Logger(label: "test.maintenance"))
                    ]
                }, configuration: configuration, logger: Logger(label: "test.http"))
            try await app.test(.router) { client in
                var removed: [JSONObject] = []
                for _ in 0..<100 where removed.isEmpty {
                    let answer = try await client.get("/api/v1/audit/events?event_type=auditledger.retention.removed")
                    removed = try answer.object.array("data").compactMap(\.object)
                    if removed.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
                }
                let item = try #require(removed.first)
                #expect(removed.count == 1)
                #expect(item.string("resource_id") == old.description && item.string("actor_id") == "auditledger-maintenance")
                #expect(item.string("written_by") == "auditledger" && item.string("event_category") == "security")
                #expect(item.object("event_data")?["rows"] == .number("1"))
            }
            #expect(try await harness.rowCount(eventID: expired.id) == 0)
        }
    }
}

private func events(_ client: any TestClientProtocol, _ fixture: AccessFixture, type: String) async throws -> [JSONObject] {
    let answer = try await client.get("/api/v1/audit/events?event_type=\(type)&limit=1000", headers: fixture.headers(.reader))
    #expect(answer.status == .ok)
    return try answer.object.array("data").compactMap(\.object)
}

extension JSONValue {
    /// The value as a request body.
    fileprivate var bodyBuffer: ByteBuffer {
        var writer = JSONWriter()
        writer.write(self)
        return ByteBuffer(bytes: writer.bytes)
    }
}

extension HTTPFields {
    fileprivate func merging(_ other: HTTPFields) -> HTTPFields {
        var fields = self
        for field in other { fields.append(field) }
        return fields
    }
}
