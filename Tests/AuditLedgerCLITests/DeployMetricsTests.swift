import AuditCore
import AuditTesting
import Foundation
import Testing

/// Every metric deploy/'s dashboard and alert rules name is exported by a running
/// `auditledger serve` on PostgreSQL (with retention, signing and the verifier on, as deployed),
/// once it has written, queried and run maintenance; and the names it exports carry bounded
/// label values.
@Suite struct DeployMetricsTests {
    /// The repository's root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Metric names in `text` (PromQL in a rules file or a dashboard), histogram series folded to their family.
    static func metricNames(in text: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: #"\b((?:auditledger|audit|workflow_audit)_[a-z0-9_]+)"#)
        let range = NSRange(text.startIndex..., in: text)
        var names: Set<String> = []
        for match in pattern.matches(in: text, range: range) {
            guard let found = Range(match.range(at: 1), in: text) else { continue }
            var name = String(text[found])
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) { name = String(name.dropLast(suffix.count)) }
            names.insert(name)
        }
        return names
    }

    /// Families a Prometheus text exposition defines (`# TYPE name kind`). Lines are split on any
    /// line break: in a Swift string the head's `\r\n` is one character, never equal to `\n`.
    static func exported(in exposition: String) -> Set<String> {
        Set(
            exposition.split(whereSeparator: \.isNewline).compactMap { line -> String? in
                guard line.hasPrefix("# TYPE ") else { return nil }
                return line.split(separator: " ").dropFirst(2).first.map(String.init)
            })
    }

    static func get(_ port: Int, _ target: String) async throws -> String {
        let connection = try RawConnection(port: port, host: "127.0.0.1")
        try connection.send("GET \(target) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return await connection.receive(timeout: .seconds(20)).text
    }

    @Test("The dashboard's and the alerts' metrics are all exported by a running server")
    func namedMetricsExist() throws {
        let rules = try String(contentsOf: Self.root.appendingPathComponent("deploy/prometheus/auditledger-rules.yaml"), encoding: .utf8)
        let dashboard = try String(contentsOf: Self.root.appendingPathComponent("deploy/grafana/auditledger-dashboard.json"), encoding: .utf8)
        // The check below is only as good as this list: it must find the families both files use.
        #expect(
            Self.metricNames(in: rules).isSuperset(of: ["audit_write_failures_total", "audit_query_duration_seconds", "auditledger_spool_events"]))
        #expect(Self.metricNames(in: dashboard).contains("audit_event_types_total"))
    }

    @Test(
        "A running server on PostgreSQL exports every metric deploy/ names, with bounded labels",
        .enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment), .timeLimit(.minutes(2)))
    func runningServerExportsThem() async throws {
        let rules = try String(contentsOf: Self.root.appendingPathComponent("deploy/prometheus/auditledger-rules.yaml"), encoding: .utf8)
        let dashboard = try String(contentsOf: Self.root.appendingPathComponent("deploy/grafana/auditledger-dashboard.json"), encoding: .utf8)
        let named = Self.metricNames(in: rules).union(Self.metricNames(in: dashboard))
        try await PostgresHarness.run { harness in
            let archive = NSTemporaryDirectory() + "auditledger-metrics-archive-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: archive) }
            let server = try await ServeProcessTests.Server([
                "--database-url", harness.database.url, "--archive-dir", archive, "--checkpoint-interval", "1", "--verify-interval", "1",
            ])
            // A write of each kind, workflow events among them, and reads of each kind.
            #expect(try await TwoServerLogTests.post(server.port, TwoServerLogTests.batch("rr-metrics", 3)).hasPrefix("HTTP/1.1 201"))
            let event = EventFactory.request(type: "workflow.selection.completed", category: "workflow", correlationID: "rr-metrics-wf", at: .now())
            var writer = JSONWriter(capacity: 1024)
            writer.write(.object(event))
            let single = try RawConnection(port: server.port, host: "127.0.0.1")
            try single.send(
                "POST /api/v1/audit/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(writer.bytes.count)\r\nConnection: close\r\n\r\n"
                    + String(decoding: writer.bytes, as: UTF8.self))
            #expect(await single.receive(timeout: .seconds(20)).text.hasPrefix("HTTP/1.1 201"))
            #expect(try await Self.get(server.port, "/api/v1/audit/events?event_category=workflow").hasPrefix("HTTP/1.1 200"))
            #expect(try await Self.get(server.port, "/api/v1/audit/events?correlation_id=rr-metrics").hasPrefix("HTTP/1.1 200"))

            var missing = named
            var exposition = ""
            for _ in 0..<60 where !missing.isEmpty {
                exposition = try await Self.get(server.port, "/metrics")
                missing.subtract(Self.exported(in: exposition))
                if !missing.isEmpty { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(
                missing.isEmpty,
                "named in deploy/ but not exported: \(missing.sorted())")
            // What the writes and reads above must have counted.
            #expect(exposition.contains(#"audit_events_total{service="workflow",operation="single",outcome="success"} 1"#))
            #expect(exposition.contains(#"auditledger_http_requests_total{route="/api/v1/audit/events/batch",method="POST",status="201"} 1"#))
            #expect(exposition.contains("workflow_audit_query_duration_seconds_count 1"))
            #expect(exposition.contains(#"audit_query_duration_seconds_count{operation="query"} 2"#))
            #expect(exposition.contains(#"auditledger_months_ready_ahead 3"#))
            // No label value repeats what a producer sent without bound (correlation ids, ids).
            #expect(!exposition.contains("rr-metrics"))
        }
    }
}
