import AuditCore
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// What a principal sees and records: proxy identity only from trusted addresses, read limits
/// inside the query, sensitive content withheld, tokens re-read without a restart.
@Suite struct AccessBehaviourTests {
    static let proxyUser = HTTPField.Name("X-Auth-Request-User")!
    static let impersonate = HTTPField.Name("Impersonate-User")!

    static func holdBody(_ correlation: String) -> JSONValue {
        .object(JSONObject([.init(key: "correlation_id", value: .string(correlation)), .init(key: "reason", value: .string("inquiry"))]))
    }

    @Test("X-Auth-Request-User and Impersonate-* from an untrusted address are ignored; a token's principal is recorded, never a header")
    func spoofedHeadersIgnored() async throws {
        let fixture = try AccessFixture()
        defer { fixture.remove() }
        // The test client connects from 127.0.0.1, which this server does not trust.
        let configuration = try fixture.configuration(proxies: [AddressBlock("10.0.0.0/8")!], proxyScopes: Set(AccessScope.allCases))
        try await withLiveApp(.sqlite, configuration: configuration) { client, _, _ in
            let event = EventFactory.request(correlationID: "rr-spoof", at: .now())
            #expect(try await client.post("/api/v1/audit/events", json: .object(event), headers: fixture.headers(.writer)).status == .created)
            let spoofed: HTTPFields = [Self.proxyUser: "admin", Self.impersonate: "system:admin"]
            try expectProblem(
                try await client.post("/api/v1/audit/legal-hold", json: Self.holdBody("rr-spoof"), headers: spoofed), status: .unauthorized,
                type: "unauthorized")
            try expectProblem(try await client.get("/api/v1/audit/events", headers: spoofed), status: .unauthorized, type: "unauthorized")

            var withToken = fixture.headers(.holder)
            withToken[Self.proxyUser] = "attacker"
            withToken[Self.impersonate] = "counsel@example.com"
            let placed = try await client.post("/api/v1/audit/legal-hold", json: Self.holdBody("rr-spoof"), headers: withToken)
            #expect(placed.status == .ok)
            #expect(try placed.object.string("placed_by") == "holder@example.com")
            var releaseHeaders = withToken
            releaseHeaders[.contentType] = "application/json"
            let released = try await client.execute(
                uri: "/api/v1/audit/legal-hold/rr-spoof", method: .delete, headers: releaseHeaders,
                body: ByteBuffer(string: #"{"release_reason":"closed"}"#)
            ) { $0 }
            #expect(released.status == .ok)
            #expect(try released.object.string("released_by") == "holder@example.com")
        }
    }

    @Test("A trusted proxy's X-Auth-Request-User names the caller with the proxy scopes; unusable names are refused")
    func trustedProxy() async throws {
        let fixture = try AccessFixture()
        defer { fixture.remove() }
        let configuration = try fixture.configuration(
            proxies: [AddressBlock("127.0.0.1")!, AddressBlock("::1")!], proxyScopes: [.eventsRead, .holdsWrite])
        try await withLiveApp(.sqlite, configuration: configuration) { client, _, _ in
            let event = EventFactory.request(correlationID: "rr-proxy", at: .now())
            #expect(try await client.post("/api/v1/audit/events", json: .object(event), headers: fixture.headers(.writer)).status == .created)
            let placed = try await client.post(
                "/api/v1/audit/legal-hold", json: Self.holdBody("rr-proxy"),
                headers: [Self.proxyUser: "counsel@example.com", Self.impersonate: "root"])
            #expect(placed.status == .ok)
            #expect(try placed.object.string("placed_by") == "counsel@example.com")
            // The proxy scopes do not include writing events.
            try expectProblem(
                try await client.post(
                    "/api/v1/audit/events", json: .object(EventFactory.request(at: .now())), headers: [Self.proxyUser: "counsel@example.com"]),
                status: .forbidden, type: "forbidden")
            // An 8,000-character name, or one with a right-to-left override, names no one.
            // (A control character cannot be sent: the HTTP client replaces it; see PrincipalNameTests.)
            for name in [String(repeating: "a", count: 8000), "admin\u{202E}nimda", "counsel\u{2066}x"] {
                let refused = try await client.post("/api/v1/audit/legal-hold", json: Self.holdBody("rr-proxy"), headers: [Self.proxyUser: name])
                try expectProblem(refused, status: .unauthorized, type: "unauthorized")
            }
            let holds = try await client.get("/api/v1/audit/legal-hold", headers: [Self.proxyUser: "counsel@example.com"])
            #expect(try holds.object.array("holds").compactMap { $0.object?.string("placed_by") } == ["counsel@example.com"])
        }
    }

    @Test("A person's writes are recorded under the person (actor_type user, actor_id the principal); a service keeps its actor")
    func humanWritesAttributed() async throws {
        let fixture = try AccessFixture()
        defer { fixture.remove() }
        let proxies = [AddressBlock("127.0.0.1")!, AddressBlock("::1")!]
        let configuration = try fixture.configuration(proxies: proxies, proxyScopes: [.eventsWrite, .eventsRead])
        try await withLiveApp(.sqlite, configuration: configuration) { client, _, _ in
            let claimed = EventFactory.request(
                correlationID: "rr-actor", at: .now(), fields: ["actor_type": .string("service"), "actor_id": .string("gateway")])
            let human = try await client.post("/api/v1/audit/events", json: .object(claimed), headers: [Self.proxyUser: "oncall@example.com"])
            #expect(human.status == .created)
            let service = try await client.post("/api/v1/audit/events/batch", json: .array([.object(claimed)]), headers: fixture.headers(.writer))
            #expect(service.status == .created)
            let items = try await client.get("/api/v1/audit/events?correlation_id=rr-actor&order=asc", headers: fixture.headers(.reader)).object
                .array("data").compactMap(\.object)
            #expect(items.map { $0.string("actor_type") } == ["user", "service"])
            #expect(items.map { $0.string("actor_id") } == ["oncall@example.com", "gateway"])
        }
        var kept = try fixture.configuration(proxies: proxies, proxyScopes: [.eventsWrite, .eventsRead])
        kept.access.attributesHumanWrites = false
        try await withLiveApp(.sqlite, configuration: kept) { client, _, _ in
            let claimed = EventFactory.request(correlationID: "rr-actor", at: .now(), fields: ["actor_id": .string("gateway")])
            #expect(
                try await client.post("/api/v1/audit/events", json: .object(claimed), headers: [Self.proxyUser: "oncall@example.com"]).status
                    == .created)
            let item = try await client.get("/api/v1/audit/events?correlation_id=rr-actor", headers: [Self.proxyUser: "oncall@example.com"]).object
                .array("data").first?.object
            #expect(item?.string("actor_id") == "gateway")
        }
    }

    @Test(
        "Every stored event records its writer in written_by: the authenticated principal, never what the body said",
        arguments: StoreKind.available)
    func writerRecorded(_ kind: StoreKind) async throws {
        try await withAccessApp(kind) { client, fixture in
            let forged: [String: JSONValue] = ["written_by": .string("forged@example.com")]
            let single = EventFactory.request(correlationID: "rr-written-by", at: .now(), eventID: UUID(), fields: forged)
            #expect(try await client.post("/api/v1/audit/events", json: .object(single), headers: fixture.headers(.writer)).status == .created)
            let batch = JSONValue.array(
                (1...2).map { .object(EventFactory.request(correlationID: "rr-written-by", at: .now().adding(seconds: Int64($0)), fields: forged)) })
            #expect(try await client.post("/api/v1/audit/events/batch", json: batch, headers: fixture.headers(.otherWriter)).status == .created)
            // The same event again from another writer: already stored, its writer unchanged.
            #expect(try await client.post("/api/v1/audit/events", json: .object(single), headers: fixture.headers(.otherWriter)).status == .created)
            let items = try await client.get("/api/v1/audit/events?correlation_id=rr-written-by&order=asc", headers: fixture.headers(.reader))
                .object.array("data").compactMap(\.object)
            #expect(items.map { $0.string("written_by") } == ["writer@example.com", "otherWriter@example.com", "otherWriter@example.com"])
            let id = try #require(items.first?.string("event_id"))
            let one = try await client.get("/api/v1/audit/events/\(id)", headers: fixture.headers(.reader)).object
            #expect(one.string("written_by") == "writer@example.com")
        }
    }

    @Test(
        "A principal limited to category workflow pages through a mixed store and sees exactly its events, totals and cursors right",
        arguments: StoreKind.available)
    func readLimitsInsideTheQuery(_ kind: StoreKind) async throws {
        try await withAccessApp(kind) { client, fixture in
            let base = AuditTimestamp.now().adding(seconds: -600)
            var batch: [JSONValue] = []
            var workflowIDs: [String] = []
            var otherIDs: [String] = []
            for index in 0..<30 {
                let isWorkflow = index % 5 < 2  // 12 of 30
                var event = EventFactory.request(
                    type: isWorkflow ? "workflow.selection.completed" : "gateway.signal.received", category: isWorkflow ? "workflow" : "gateway",
                    correlationID: "rr-mixed", at: base.adding(seconds: Int64(index)))
                let id = UUID().uuidString.lowercased()
                event["event_id"] = .string(id)
                batch.append(.object(event))
                if isWorkflow { workflowIDs.append(id) } else { otherIDs.append(id) }
            }
            #expect(try await client.post("/api/v1/audit/events/batch", json: .array(batch), headers: fixture.headers(.writer)).status == .created)

            // Keyset pages of 5, oldest first.
            var seen: [String] = []
            var path = "/api/v1/audit/events?correlation_id=rr-mixed&limit=5&order=asc"
            var pages = 0
            while true {
                let page = try await client.get(path, headers: fixture.headers(.workflowReader)).object
                let pagination = try #require(page.object("pagination"))
                #expect(pagination["total"] == .number("12"))
                seen += page.array("data").compactMap { $0.object?.string("event_id") }
                for item in page.array("data") { #expect(item.object?.string("event_category") == "workflow") }
                pages += 1
                guard let cursor = pagination.string("next_cursor") else {
                    #expect(pagination["has_more"] == .bool(false))
                    break
                }
                #expect(pagination["has_more"] == .bool(true))
                path = "/api/v1/audit/events?correlation_id=rr-mixed&limit=5&order=asc&cursor=\(cursor)"
                #expect(pages < 10)
            }
            #expect(seen == workflowIDs)
            #expect(pages == 3)

            // Offset pages say the same.
            let offsetPage = try await client.get(
                "/api/v1/audit/events?correlation_id=rr-mixed&limit=5&offset=10&order=asc", headers: fixture.headers(.workflowReader)
            ).object
            #expect(offsetPage.array("data").compactMap { $0.object?.string("event_id") } == Array(workflowIDs[10...]))
            #expect(offsetPage.object("pagination")?["has_more"] == .bool(false))

            // A filter for the other category finds nothing; an event outside the limit is not found.
            let other = try await client.get("/api/v1/audit/events?event_category=gateway", headers: fixture.headers(.workflowReader)).object
            #expect(other.array("data").isEmpty)
            #expect(other.object("pagination")?["total"] == .number("0"))
            try expectProblem(
                try await client.get("/api/v1/audit/events/\(otherIDs[0])", headers: fixture.headers(.workflowReader)), status: .notFound,
                type: "not-found")
            #expect(try await client.get("/api/v1/audit/events/\(workflowIDs[0])", headers: fixture.headers(.workflowReader)).status == .ok)

            // An unlimited reader sees all 30.
            let all = try await client.get("/api/v1/audit/events?correlation_id=rr-mixed&limit=1", headers: fixture.headers(.reader)).object
            #expect(all.object("pagination")?["total"] == .number("30"))
        }
    }

    @Test(
        "is_sensitive events: event_data and error_message only with events:read-sensitive; others get the envelope, marked",
        arguments: StoreKind.available)
    func sensitiveContentWithheld(_ kind: StoreKind) async throws {
        try await withAccessApp(kind) { client, fixture in
            let id = UUID().uuidString.lowercased()
            var event = EventFactory.request(
                correlationID: "rr-sensitive", at: .now(),
                fields: ["is_sensitive": .bool(true), "error_message": .string("user jdoe@example.com locked out")],
                data: JSONObject([.init(key: "user_email", value: .string("jdoe@example.com"))]))
            event["event_id"] = .string(id)
            #expect(try await client.post("/api/v1/audit/events", json: .object(event), headers: fixture.headers(.writer)).status == .created)

            for path in ["/api/v1/audit/events?correlation_id=rr-sensitive", "/api/v1/audit/events/\(id)"] {
                let plain = try await client.get(path, headers: fixture.headers(.reader))
                let plainFound: JSONObject? = path.contains("?") ? try plain.object.array("data").first?.object : try plain.object
                let plainItem = try #require(plainFound)
                #expect(plainItem["sensitive_withheld"] == .bool(true))
                #expect(plainItem["event_data"] == .object(JSONObject()))
                #expect(plainItem["error_message"] == nil)
                #expect(plainItem.string("event_id") == id)
                #expect(!String(buffer: plain.body).contains("jdoe"))

                let full = try await client.get(path, headers: fixture.headers(.sensitiveReader))
                let fullFound: JSONObject? = path.contains("?") ? try full.object.array("data").first?.object : try full.object
                let fullItem = try #require(fullFound)
                #expect(fullItem["sensitive_withheld"] == nil)
                #expect(fullItem.string("error_message") == "user jdoe@example.com locked out")
                #expect(fullItem.object("event_data")?.string("user_email") == "jdoe@example.com")
            }
        }
    }

    @Test("The token file is re-read when it changes: a revoked token stops working and a new one works, without a restart")
    func tokenFileReloaded() async throws {
        try await withAccessApp(.sqlite) { client, fixture in
            #expect(try await client.get("/api/v1/audit/events", headers: fixture.headers(.reader)).status == .ok)
            var file = try TokenFile.decode(Array(try Data(contentsOf: URL(fileURLWithPath: fixture.path))))
            let readerID = try #require(AccessToken(text: fixture.tokens[.reader]!)).id
            for index in file.tokens.indices where file.tokens[index].id == readerID { file.tokens[index].revoked = AuditTimestamp.now().description }
            let fresh = AccessToken.generate()
            file.tokens.append(
                TokenRecord(
                    id: fresh.id, secretSHA256: fresh.secretHash, principal: "new@example.com", kind: .service, scopes: [.eventsRead],
                    readLimits: nil,
                    created: .now(), expires: nil))
            let temporary = fixture.path + ".new"
            try Data(file.encoded()).write(to: URL(fileURLWithPath: temporary))
            #expect(rename(temporary, fixture.path) == 0)
            try await Task.sleep(for: .milliseconds(1200))
            try expectProblem(
                try await client.get("/api/v1/audit/events", headers: fixture.headers(.reader)), status: .unauthorized, type: "unauthorized")
            #expect(try await client.get("/api/v1/audit/events", headers: [.authorization: "Bearer " + fresh.text]).status == .ok)

            // A broken edit, and then a removed file, keep the tokens read before.
            try Data("{ not json".utf8).write(to: URL(fileURLWithPath: fixture.path))
            try await Task.sleep(for: .milliseconds(1200))
            #expect(try await client.get("/api/v1/audit/events", headers: [.authorization: "Bearer " + fresh.text]).status == .ok)
            try FileManager.default.removeItem(atPath: fixture.path)
            try await Task.sleep(for: .milliseconds(1200))
            #expect(try await client.get("/api/v1/audit/events", headers: [.authorization: "Bearer " + fresh.text]).status == .ok)
            try expectProblem(
                try await client.get("/api/v1/audit/events", headers: fixture.headers(.reader)), status: .unauthorized, type: "unauthorized")
        }
    }
}
