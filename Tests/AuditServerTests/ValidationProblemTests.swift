import AuditCore
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Every write rule, through the API: status, problem `type`, and the field named — for the
/// single-event endpoint and, with the `event at index <i>:` prefix, for the batch endpoint.
@Suite struct ValidationProblemTests {
    struct Rule: Sendable, CustomTestStringConvertible {
        let name: String
        let field: String
        let change: @Sendable (inout JSONObject) -> Void
        var testDescription: String { name }
    }

    static let rules: [Rule] = {
        var rules: [Rule] = []
        for field in ["version", "event_type", "event_timestamp", "event_category", "event_action", "event_outcome", "correlation_id", "event_data"] {
            rules.append(Rule(name: "\(field) missing", field: field) { $0[field] = nil })
            rules.append(Rule(name: "\(field) null", field: field) { $0[field] = .null })
        }
        for (field, limit) in [("version", 20), ("event_type", 100), ("event_category", 50), ("event_action", 50), ("correlation_id", 255)] {
            rules.append(Rule(name: "\(field) empty", field: field) { $0[field] = .string("") })
            rules.append(Rule(name: "\(field) longer than \(limit)", field: field) { $0[field] = .string(String(repeating: "x", count: limit + 1)) })
            rules.append(Rule(name: "\(field) not a string", field: field) { $0[field] = .number("1") })
        }
        for (field, limit) in [
            ("actor_type", 50), ("actor_id", 255), ("resource_type", 100), ("resource_id", 255), ("namespace", 253),
            ("cluster_id", 255), ("cluster_name", 255), ("severity", 20), ("error_code", 50),
        ] {
            rules.append(Rule(name: "\(field) longer than \(limit)", field: field) { $0[field] = .string(String(repeating: "x", count: limit + 1)) })
        }
        rules += [
            Rule(name: "event_timestamp without offset", field: "event_timestamp") { $0["event_timestamp"] = .string("2025-12-13T02:00:00") },
            Rule(name: "event_timestamp not a date", field: "event_timestamp") { $0["event_timestamp"] = .string("yesterday") },
            Rule(name: "event_timestamp over 60 minutes ahead", field: "event_timestamp") {
                $0["event_timestamp"] = .string(AuditTimestamp.now().adding(seconds: 3700).description)
            },
            Rule(name: "event_timestamp over 7 days old", field: "event_timestamp") {
                $0["event_timestamp"] = .string(AuditTimestamp.now().adding(seconds: -8 * 86_400).description)
            },
            Rule(name: "event_outcome not success/failure/pending", field: "event_outcome") { $0["event_outcome"] = .string("ok") },
            Rule(name: "event_data an array", field: "event_data") { $0["event_data"] = .array([]) },
            Rule(name: "event_data a string", field: "event_data") { $0["event_data"] = .string("{}") },
            Rule(name: "event_data over 256 KiB", field: "event_data") {
                $0["event_data"] = .object(JSONObject([.init(key: "blob", value: .string(String(repeating: "a", count: 256 * 1024)))]))
            },
            Rule(name: "event_data nested 11 deep", field: "event_data") {
                var value = JSONValue.object(JSONObject())
                for _ in 0..<10 { value = .object(JSONObject([.init(key: "n", value: value)])) }
                $0["event_data"] = value
            },
            Rule(name: "event_data holding U+0000", field: "event_data") {
                $0["event_data"] = .object(JSONObject([.init(key: "s", value: .string("a\u{0}b"))]))
            },
            Rule(name: "event_data.event_type differing from event_type", field: "event_data.event_type") {
                $0["event_data"] = .object(JSONObject([.init(key: "event_type", value: .string("something.else"))]))
            },
            Rule(name: "event_id not a UUID", field: "event_id") { $0["event_id"] = .string("evt-1") },
            Rule(name: "parent_event_id not a UUID", field: "parent_event_id") { $0["parent_event_id"] = .string("p-1") },
            Rule(name: "actor_ip not an IP address", field: "actor_ip") { $0["actor_ip"] = .string("10.0.0.256") },
            Rule(name: "retention_days 0", field: "retention_days") { $0["retention_days"] = .number("0") },
            Rule(name: "retention_days over 2555", field: "retention_days") { $0["retention_days"] = .number("2556") },
            Rule(name: "duration_ms negative", field: "duration_ms") { $0["duration_ms"] = .number("-5") },
            Rule(name: "duration_ms fractional", field: "duration_ms") { $0["duration_ms"] = .number("1.5") },
            Rule(name: "is_sensitive not a boolean", field: "is_sensitive") { $0["is_sensitive"] = .string("yes") },
            Rule(name: "cluster_name differing from cluster_id", field: "cluster_name") {
                $0["cluster_id"] = .string("a")
                $0["cluster_name"] = .string("b")
            },
        ]
        return rules
    }()

    static var cases: [(StoreKind, Rule)] {
        StoreKind.available.flatMap { kind in rules.map { (kind, $0) } }
    }

    @Test("Each write rule: 400 validation-error naming the field", arguments: cases)
    func rule(_ kind: StoreKind, _ rule: Rule) async throws {
        try await withApp(kind, configuration: AuditServerConfiguration()) { client, _ in
            var event = EventFactory.gatewaySignal(at: .now())
            rule.change(&event)
            try expectProblem(
                try await client.post("/api/v1/audit/events", json: .object(event)),
                status: .badRequest, type: "validation-error", fields: [rule.field], detailPrefix: "\(rule.field): "
            )
            let batch = JSONValue.array([.object(EventFactory.gatewaySignal(at: .now(), fingerprint: "fp-ok")), .object(event)])
            try expectProblem(
                try await client.post("/api/v1/audit/events/batch", json: batch),
                status: .badRequest, type: "validation-error", fields: [rule.field], detailPrefix: "event at index 1: \(rule.field): "
            )
            // Nothing of the refused batch was stored.
            let page = try await client.get("/api/v1/audit/events")
            #expect(try page.object.object("pagination")?["total"] == .number("0"))
        }
    }

    @Test("Malformed bodies, batch shapes and sizes", arguments: StoreKind.available)
    func shapes(_ kind: StoreKind) async throws {
        var configuration = AuditServerConfiguration()
        configuration.maximumBodyBytes = 64 * 1024
        configuration.validation.maximumBatchSize = 3
        try await withApp(kind, configuration: configuration) { client, _ in
            try expectProblem(
                try await client.post("/api/v1/audit/events", body: Array("{not json".utf8)), status: .badRequest, type: "invalid-request")
            try expectProblem(try await client.post("/api/v1/audit/events", body: []), status: .badRequest, type: "invalid-request")
            try expectProblem(try await client.post("/api/v1/audit/events", json: .array([])), status: .badRequest, type: "invalid-request")
            try expectProblem(
                try await client.post("/api/v1/audit/events/batch", json: .object(EventFactory.gatewaySignal(at: .now()))),
                status: .badRequest, type: "invalid-request"
            )
            try expectProblem(
                try await client.post("/api/v1/audit/events/batch", json: .array([])), status: .badRequest, type: "validation-error",
                fields: ["events"])
            let four = JSONValue.array((0..<4).map { .object(EventFactory.gatewaySignal(at: .now(), fingerprint: "fp-\($0)")) })
            try expectProblem(try await client.post("/api/v1/audit/events/batch", json: four), status: .badRequest, type: "batch-size-exceeded")
            try expectProblem(
                try await client.post("/api/v1/audit/events/batch", json: .array([.object(EventFactory.gatewaySignal(at: .now())), .number("5")])),
                status: .badRequest, type: "invalid-request", detailPrefix: "event at index 1:"
            )
            let huge = Array(repeating: UInt8(ascii: " "), count: 64 * 1024 + 1)
            try expectProblem(try await client.post("/api/v1/audit/events", body: huge), status: .contentTooLarge, type: "payload-too-large")
            try expectProblem(try await client.post("/api/v1/audit/events/batch", body: huge), status: .contentTooLarge, type: "payload-too-large")
        }
    }
}
