import AuditCore
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The OpenAPI document is served as written (YAML) and as JSON; every operation it documents
/// reaches a route of the server; and every request is logged once and counted by route.
@Suite struct OpenAPIDocumentTests {
    static let documentPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/openapi.yaml")

    @Test("GET /api/v1/openapi.yaml is docs/openapi.yaml; /api/v1/openapi.json the same document as JSON; both open", arguments: StoreKind.available)
    func served(_ kind: StoreKind) async throws {
        let written = try Data(contentsOf: Self.documentPath)
        // With authentication on: the document needs no credentials.
        try await withApp(kind, configuration: proxyConfiguration()) { client, _ in
            let yaml = try await client.get("/api/v1/openapi.yaml")
            #expect(yaml.status == .ok)
            #expect(yaml.headers[.contentType] == "application/yaml")
            #expect(Array(yaml.body.readableBytesView) == Array(written))
            let json = try await client.get("/api/v1/openapi.json")
            #expect(json.status == .ok)
            let document = try json.object
            #expect(document.string("openapi") == "3.1.0")
            let paths = try #require(document.object("paths"))
            let writtenPaths = String(decoding: written, as: UTF8.self).split(whereSeparator: \.isNewline).filter { $0.hasPrefix("  /") }
            #expect(paths.members.map(\.key) == writtenPaths.map { String($0.dropFirst(2).dropLast()) })
            #expect(try await client.get("/api/v1/audit/events").status == .unauthorized)
        }
    }

    @Test("Every operation the document names reaches a route of the server, by its template", arguments: StoreKind.available)
    func everyOperationIsRouted(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let document = try await client.get("/api/v1/openapi.json").object
            let paths = try #require(document.object("paths"))
            var operations: [(method: HTTPRequest.Method, template: String)] = []
            for member in paths.members {
                for method in member.value.object?.members.map(\.key) ?? [] where ["get", "post", "delete"].contains(method) {
                    operations.append((HTTPRequest.Method(rawValue: method.uppercased())!, member.key))
                }
            }
            #expect(operations.count >= 20)
            for (method, template) in operations {
                let path = template.replacingOccurrences(of: "{event_id}", with: UUID().uuidString.lowercased())
                    .replacingOccurrences(of: "{correlation_id}", with: "rr-document")
                let body: ByteBuffer? = method == .post ? ByteBuffer(string: "{}") : nil
                _ = try await client.execute(uri: path, method: method, headers: [.contentType: "application/json"], body: body) { $0 }
            }
            let metrics = String(buffer: try await client.get("/metrics").body)
            for (method, template) in operations {
                #expect(
                    metrics.contains(#"auditledger_http_requests_total{route="\#(template)",method="\#(method.rawValue)""#),
                    "\(method) \(template) reached no route of that template")
            }
            #expect(!metrics.contains(#"route="unmatched""#) && !metrics.contains("NotFound"), "a documented path matched no route")
        }
    }

    @Test("One access-log line per request: method, route, path, status, duration, principal, one request id", arguments: StoreKind.available)
    func accessLog(_ kind: StoreKind) async throws {
        let records = LogRecords()
        let logger = Logger(label: "test.http") { _ in RecordingLogHandler(records: records) }
        try await withApp(kind, logger: logger) { client, _ in
            #expect(try await client.post("/api/v1/audit/events", json: .object(EventFactory.request(at: .now()))).status == .created)
            _ = try await client.get(
                "/api/v1/audit/events/\(UUID().uuidString.lowercased())", headers: [HTTPField.Name("X-Request-ID")!: "req-access-1"])
            _ = try await client.get("/no/such/path")
        }
        let lines = records.all.filter { $0.message == "request" }
        #expect(lines.count == 3)
        let write = try #require(lines.first)
        #expect(write.metadata["http.method"] == "POST")
        #expect(write.metadata["http.route"] == "/api/v1/audit/events")
        #expect(write.metadata["http.status"] == "201")
        #expect(write.metadata["auth.principal"] == "anonymous")
        #expect(write.metadata["http.duration_ms"].map { "\($0)".contains(".") } == true)
        let lookup = lines[1]
        #expect(lookup.metadata["http.route"] == "/api/v1/audit/events/{event_id}")
        #expect(lookup.metadata["http.status"] == "404")
        #expect(lookup.metadata["request.id"] == "req-access-1")
        #expect(lines[2].metadata["http.route"] == "unmatched")
        #expect(records.all.allSatisfy { $0.metadata["hb.request.id"] == nil }, "one request id per line")
    }

    @Test(
        "With authentication, the access log names the token's principal, and a refused or missing credential as such", arguments: StoreKind.available
    )
    func accessLogPrincipals(_ kind: StoreKind) async throws {
        let records = LogRecords()
        let logger = Logger(label: "test.http") { _ in RecordingLogHandler(records: records) }
        let fixture = try AccessFixture()
        defer { fixture.remove() }
        let configuration = try fixture.configuration()
        let bogus: HTTPFields = [.authorization: "Bearer alt_0000000000000000_" + String(repeating: "A", count: 43)]
        try await withApp(kind, configuration: configuration, logger: logger) { client, _ in
            let statuses = [
                try await client.get("/api/v1/audit/events", headers: fixture.headers(.reader)).status,
                try await client.get("/api/v1/audit/events", headers: bogus).status,
                try await client.get("/api/v1/audit/events", headers: fixture.headers(.revoked)).status,
                try await client.get("/api/v1/audit/events").status,
                try await client.post("/api/v1/audit/events", json: .object(EventFactory.request(at: .now())), headers: fixture.headers(.reader))
                    .status,
            ]
            #expect(statuses == [.ok, .unauthorized, .unauthorized, .unauthorized, .forbidden])
        }
        let lines = records.all.filter { $0.message == "request" }
        #expect(
            lines.map { $0.metadata["auth.principal"].map { "\($0)" } } == [
                "reader@example.com", "refused", "refused", "anonymous", "reader@example.com",
            ])
        #expect(lines.map { $0.metadata["http.status"].map { "\($0)" } } == ["200", "401", "401", "401", "403"])
        for line in lines { #expect(!"\(line.metadata)".contains(fixture.tokens[.reader]!), "no token in the log") }
        #expect(!records.all.contains { "\($0.message) \($0.metadata)".contains(fixture.tokens[.revoked]!) }, "no refused token in any line")
    }

    @Test("The seeds' metrics count what was written and read, with bounded labels", arguments: StoreKind.available)
    func seedMetrics(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let batch = JSONValue.array([
                .object(EventFactory.request(type: "gateway.signal.received", category: "gateway", outcome: "failure", at: .now())),
                .object(EventFactory.request(type: "custom.thing", category: "somethingelse", at: .now())),
                .object(EventFactory.request(at: .now())),
            ])
            #expect(try await client.post("/api/v1/audit/events/batch", json: batch).status == .created)
            #expect(try await client.post("/api/v1/audit/events", json: .object(JSONObject())).status == .badRequest)
            #expect(try await client.get("/api/v1/audit/events?event_category=workflowexecution").status == .ok)
            let lines = Set(String(buffer: try await client.get("/metrics").body).split(whereSeparator: \.isNewline).map(String.init))
            #expect(lines.contains(#"audit_events_total{service="gateway",operation="batch",outcome="failure"} 1"#))
            #expect(lines.contains(#"audit_events_total{service="other",operation="batch",outcome="success"} 1"#))
            #expect(lines.contains(#"audit_events_total{service="workflowexecution",operation="batch",outcome="success"} 1"#))
            #expect(lines.contains(#"audit_event_types_total{event_type="custom.thing"} 1"#))
            #expect(lines.contains(#"workflow_audit_writes_total{outcome="success"} 1"#))
            #expect(lines.contains(#"audit_write_failures_total{operation="single",kind="client"} 1"#))
            #expect(lines.contains(#"audit_write_failures_total{operation="batch",kind="server"} 0"#))
            #expect(lines.contains(#"audit_write_duration_seconds_count{operation="batch"} 1"#))
            #expect(lines.contains(#"audit_query_duration_seconds_count{operation="query"} 1"#))
            #expect(lines.contains("workflow_audit_query_duration_seconds_count 1"))
            #expect(lines.contains("workflow_audit_write_duration_seconds_count 1"))
            #expect(lines.contains(#"auditledger_build_info{version="\#(AuditLedgerVersion.current)"} 1.0"#))
        }
    }
}
