import AuditCore
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The HTTP edge: methods, media types, the HTTP layer's own errors, timeouts, hang-ups and
/// the connection limit, each against the real application.
@Suite struct EdgeTests {
    static func settings(idle: Duration = .seconds(75), read: Duration = .seconds(30), connections: Int = 4096) -> AuditServerConfiguration {
        var settings = AuditServerConfiguration(validation: EventFactory.importPolicy)
        settings.connections = ConnectionLimits(idleTimeout: idle, readTimeout: read, maximumConnections: connections)
        return settings
    }

    static func request(_ body: String, path: String = "/api/v1/audit/events", contentType: String? = "application/json") -> String {
        var text = "POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(body.utf8.count)\r\n"
        if let contentType { text += "Content-Type: \(contentType)\r\n" }
        return text + "\r\n" + body
    }

    static func metricLines(_ client: any TestClientProtocol) async throws -> Set<String> {
        Set(String(buffer: try await client.get("/metrics").body).split(separator: "\n").map(String.init))
    }

    @Test("A known path answers other methods 405 with Allow, as RFC 7807", arguments: StoreKind.available)
    func methodNotAllowed(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            for (path, allowed) in [
                ("/api/v1/audit/events", "GET, POST"), ("/api/v1/audit/events/batch", "POST"), ("/api/v1/audit/legal-hold", "GET, POST"),
                ("/api/v1/audit/legal-hold/rr-1", "DELETE"), ("/health/ready", "GET"), ("/api/v1/audit/quarantine", "GET"),
            ] {
                for method in [HTTPRequest.Method.put, .patch, .delete, .options, .trace] where !allowed.contains(method.rawValue) {
                    let response = try await client.execute(uri: path, method: method) { $0 }
                    try expectProblem(response, status: .methodNotAllowed, type: "method-not-allowed")
                    let allow = Set((response.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                    #expect(allow == Set(allowed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }), "\(method) \(path)")
                }
            }
            try expectProblem(try await client.get("/api/v1/audit/nothing-here"), status: .notFound, type: "not-found")
        }
    }

    @Test("A write body must be JSON by its Content-Type: 415 otherwise, and nothing is stored", arguments: StoreKind.available)
    func unsupportedMediaType(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            var event = EventFactory.request(correlationID: "rr-media", at: .now())
            event["event_id"] = .string(UUID().uuidString)
            var writer = JSONWriter()
            writer.write(.object(event))
            for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", nil] {
                var headers: HTTPFields = [:]
                if let type { headers[.contentType] = type }
                for path in ["/api/v1/audit/events", "/api/v1/audit/events/batch"] {
                    let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: writer.bytes)) { $0 }
                    try expectProblem(response, status: .unsupportedMediaType, type: "unsupported-media-type")
                }
            }
            for type in ["application/json; charset=utf-8", "Application/JSON", "application/merge-patch+json"] {
                var event = event
                event["event_id"] = .string(UUID().uuidString)
                var writer = JSONWriter()
                writer.write(.object(event))
                let response = try await client.execute(
                    uri: "/api/v1/audit/events", method: .post, headers: [.contentType: type], body: ByteBuffer(bytes: writer.bytes)
                ) { $0 }
                #expect(response.status == .created, "\(type)")
            }
            let stored = try await client.get("/api/v1/audit/events?correlation_id=rr-media").object
            #expect(stored.object("pagination")?["total"] == .number("3"))
        }
    }

    @Test("Requests the HTTP layer cannot parse get an RFC 7807 400, not an empty body", arguments: StoreKind.available)
    func unparsableRequests(_ kind: StoreKind) async throws {
        try await withLiveApp(kind) { _, port, _ in
            for garbage in [
                "GARBAGE\r\n\r\n", "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n",
                "GET /health HTTP/1.1\r\nBad Header Line\r\n\r\n",
            ] {
                let connection = try RawConnection(port: port)
                try connection.send(garbage)
                let answer = await connection.receive(timeout: .seconds(5))
                let response = try #require(parseResponse(answer.text), "\(answer.text.prefix(200))")
                #expect(response.status == 400)
                #expect(response.headers.lowercased().contains("content-type: application/problem+json"))
                let problem = try JSONParser.parse(response.body).object
                #expect(problem?.string("type") == "https://kubernaut.ai/problems/invalid-request")
                #expect(problem?["status"] == .number("400"))
                #expect(answer.closed, "the connection is closed after a request that does not parse")
            }
        }
    }

    @Test("A connection that sends nothing is closed after the idle timeout; a body that stalls gets 408", arguments: StoreKind.available)
    func timeouts(_ kind: StoreKind) async throws {
        try await withLiveApp(kind, configuration: Self.settings(idle: .milliseconds(600), read: .milliseconds(600))) { client, port, _ in
            let idle = try RawConnection(port: port)
            let started = ContinuousClock.now
            // The 600 ms idle timeout against the server's default of minutes; the margin is for
            // a machine loaded with the parallel suites (3.8 s was measured in a fresh CI).
            let nothing = await idle.receive(timeout: .seconds(10))
            #expect(nothing.closed && nothing.text.isEmpty)
            #expect(ContinuousClock.now - started < .seconds(10))

            // A head arrives, then a body that never completes.
            let slow = try RawConnection(port: port)
            try slow.send("POST /api/v1/audit/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"ver")
            let stalled = await slow.receive(timeout: .seconds(5))
            let response = try #require(parseResponse(stalled.text), "\(stalled.text)")
            #expect(response.status == 408)
            #expect(try JSONParser.parse(response.body).object?.string("type") == "https://kubernaut.ai/problems/request-timeout")
            #expect(stalled.closed)

            // Between requests the same rule applies: keep-alive connections do not stay open for ever.
            let kept = try RawConnection(port: port)
            try kept.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
            let answered = await kept.receive(timeout: .seconds(5))
            #expect(answered.text.hasPrefix("HTTP/1.1 200"))
            #expect(answered.closed, "closed once idle after its answer")
        }
    }

    @Test("A client that hangs up in the middle of its body is not an internal error", arguments: StoreKind.available)
    func clientHangUp(_ kind: StoreKind) async throws {
        let records = LogRecords()
        let logger = Logger(label: "test.http") { _ in RecordingLogHandler(records: records) }
        try await withLiveApp(kind, logger: logger) { client, port, _ in
            for _ in 0..<3 {
                let connection = try RawConnection(port: port)
                try connection.send(
                    "POST /api/v1/audit/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n{\"version\":")
                try await Task.sleep(for: .milliseconds(100))
            }
            // Each hang-up is noticed when the server next reads that connection: on a loaded machine that
            // can take a while, so wait for the count (up to 10 s) rather than for a fixed time.
            var lines = try await Self.metricLines(client)
            for _ in 0..<100 where !lines.contains("auditledger_client_disconnects_total 3") {
                try await Task.sleep(for: .milliseconds(100))
                lines = try await Self.metricLines(client)
            }
            #expect(lines.contains("auditledger_client_disconnects_total 3"), "\(lines.filter { $0.contains("disconnect") })")
            #expect(!lines.contains { $0.contains(#"reason="internal-error""#) })
        }
        #expect(records.all.filter { $0.level >= .error }.isEmpty, "\(records.all.filter { $0.level >= .error }.map(\.message))")
    }
}
