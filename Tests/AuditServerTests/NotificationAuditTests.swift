import AuditCore
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Kubernaut's `POST /api/v1/audit/notifications`, on both stores: the notification
/// controller's `NotificationAudit` record stored as one event, answered as Kubernaut answers.
@Suite struct NotificationAuditTests {
    /// A record as the notification controller sends it (every member; Kubernaut's example).
    static func record(
        notification: String, remediation: String = "remediation-123", channel: String = "email", status: String = "sent",
        error: String? = nil
    ) -> JSONValue {
        var members: [JSONObject.Member] = [
            .init(key: "remediation_id", value: .string(remediation)), .init(key: "notification_id", value: .string(notification)),
            .init(key: "recipient", value: .string("ops-team@example.com")), .init(key: "channel", value: .string(channel)),
            .init(key: "message_summary", value: .string("Incident alert: High CPU usage on pod xyz")),
            .init(key: "status", value: .string(status)), .init(key: "sent_at", value: .string("2026-12-03T12:00:00Z")),
            .init(key: "delivery_status", value: status == "sent" ? .string("200 OK") : .null),
            .init(key: "escalation_level", value: .number(status == "sent" ? "0" : "1")),
        ]
        if let error { members.append(.init(key: "error_message", value: .string(error))) }
        return .object(JSONObject(members))
    }

    static func with(_ key: String, _ value: JSONValue?, in record: JSONValue = record(notification: "n-bad")) -> JSONValue {
        guard case .object(let object) = record else { return .null }
        var members = object.members.filter { $0.key != key }
        if let value { members.append(.init(key: key, value: value)) }
        return .object(JSONObject(members))
    }

    @Test("A record is stored as one event and answered as Kubernaut's NotificationAuditResponse", arguments: StoreKind.available)
    func roundTrip(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, harness in
            let sent = Self.record(notification: "notification-456")
            let created = try await client.post("/api/v1/audit/notifications", json: sent)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let answer = try created.object
            let eventID = NotificationAuditRecord.eventID(notificationID: "notification-456")
            #expect(answer["id"] == .number(String(NotificationAuditRecord.recordID(of: eventID))))
            if case .number(let id)? = answer["id"] { #expect((Int64(id) ?? -1) > 0, "a positive int64") }
            for key in ["remediation_id", "notification_id", "recipient", "channel", "message_summary", "status", "sent_at", "escalation_level"] {
                guard case .object(let object) = sent else { return }
                #expect(answer[key] == object.members.first { $0.key == key }?.value, "\(key) as sent")
            }
            #expect(answer.string("delivery_status") == "200 OK")
            let createdAt = try #require(answer.string("created_at"))
            #expect(AuditTimestamp(rfc3339: createdAt) != nil && answer.string("updated_at") == createdAt)
            #expect(answer.members.allSatisfy { if case .null = $0.value { false } else { true } }, "no null in the answer")

            // One event, its envelope derived from the record, event_data the record as sent.
            #expect(try await harness.rowCount(eventID: eventID) == 1)
            let event = try await client.get("/api/v1/audit/events/\(eventID.uuidString.lowercased())").object
            #expect(event.string("event_type") == NotificationAuditRecord.eventType && event.string("event_category") == "notification")
            #expect(event.string("event_action") == "sent" && event.string("event_outcome") == "success")
            #expect(event.string("correlation_id") == "notification-456" && event.string("resource_id") == "notification-456")
            #expect(event.string("resource_type") == "NotificationRequest" && event.string("actor_id") == "notification")
            #expect(event.string("event_timestamp").flatMap(AuditTimestamp.init(rfc3339:)) == AuditTimestamp(rfc3339: "2026-12-03T12:00:00Z"))
            #expect(event["event_data"].map { $0.canonicalBytes } == sent.canonicalBytes)

            // A failed delivery: outcome failure, the error in the envelope; null members left out of the answer.
            let failed = Self.record(
                notification: "notification-abc", channel: "slack", status: "failed", error: "Slack API timeout after 30 seconds")
            let second = try await client.post("/api/v1/audit/notifications", json: failed)
            #expect(second.status == .created)
            #expect(try second.object["delivery_status"] == nil, "sent as null, left out")
            let failures = try await client.get("/api/v1/audit/events?event_category=notification&event_outcome=failure").object
            let items = failures.array("data").compactMap(\.object)
            #expect(items.count == 1 && items.first?.string("error_message") == "Slack API timeout after 30 seconds")
            // A remediation's records, by their event_data; none in the remediation's own correlation.
            let ofRemediation = try await client.get(
                "/api/v1/audit/events?event_type=notification.delivery.recorded&event_data=%7B%22remediation_id%22%3A%22remediation-123%22%7D"
            ).object
            #expect(ofRemediation.array("data").count == 2)
            #expect(try await client.get("/api/v1/audit/events?correlation_id=remediation-123").object.array("data").isEmpty)
        }
    }

    @Test("A notification_id stored already is 409, sent again or different; the first record stays", arguments: StoreKind.available)
    func duplicates(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, harness in
            let sent = Self.record(notification: "notification-dup")
            #expect(try await client.post("/api/v1/audit/notifications", json: sent).status == .created)
            let again = try await client.post("/api/v1/audit/notifications", json: sent)
            try expectProblem(again, status: .conflict, type: "event-id-conflict", fields: ["notification_id"])
            #expect(String(buffer: again.body).contains("notification_audit already exists with notification_id 'notification-dup'"))
            let other = try await client.post(
                "/api/v1/audit/notifications", json: Self.with("recipient", .string("someone-else@example.com"), in: sent))
            try expectProblem(other, status: .conflict, type: "event-id-conflict", fields: ["notification_id"])
            let eventID = NotificationAuditRecord.eventID(notificationID: "notification-dup")
            #expect(try await harness.rowCount(eventID: eventID) == 1)
            let stored = try await client.get("/api/v1/audit/events/\(eventID.uuidString.lowercased())").object
            #expect(stored["event_data"].map { $0.canonicalBytes } == sent.canonicalBytes, "the first record, unchanged")
        }
    }

    @Test("Bad records are a 400 naming the member; nothing is stored")
    func refusals() async throws {
        try await withApp(.sqlite) { client, _ in
            var cases: [(JSONValue, [String])] = []
            for key in ["remediation_id", "notification_id", "recipient", "channel", "message_summary", "status", "sent_at"] {
                cases.append((Self.with(key, nil), [key]))
            }
            cases += [
                (Self.with("channel", .string("sms")), ["channel"]), (Self.with("status", .string("delivered")), ["status"]),
                (Self.with("sent_at", .string("yesterday")), ["sent_at"]), (Self.with("sent_at", .string("2999-01-01T00:00:00Z")), ["sent_at"]),
                (Self.with("escalation_level", .number("6")), ["escalation_level"]),
                (Self.with("escalation_level", .string("1")), ["escalation_level"]),
                (Self.with("message_summary", .string(String(repeating: "x", count: 1001))), ["message_summary"]),
                (Self.with("remediation_id", .string(String(repeating: "r", count: 256))), ["remediation_id"]),
                (Self.with("recipient", .number("5")), ["recipient"]),
                (Self.with("channel", .string("fax"), in: Self.with("status", .string("lost"))), ["channel", "status"]),
            ]
            for (body, fields) in cases {
                let answer = try await client.post("/api/v1/audit/notifications", json: body)
                try expectProblem(answer, status: .badRequest, type: "validation-error", fields: fields)
            }
            #expect(try await client.post("/api/v1/audit/notifications", json: .array([])).status == .badRequest)
            let stored = try await client.get("/api/v1/audit/events?event_category=notification").object
            #expect(stored.array("data").isEmpty)
        }
    }

    @Test("The store unavailable: 202 accepted as Kubernaut answers, stored once it is back", arguments: StoreKind.available)
    func spooled(_ kind: StoreKind) async throws {
        let (spool, directory) = try await SpoolAPITests.spool()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withApp(kind, storeTimeout: .seconds(2), spool: spool) { client, harness in
            try await harness.withWritesBlocked {
                let answer = try await client.post("/api/v1/audit/notifications", json: Self.record(notification: "notification-spooled"))
                #expect(answer.status == .accepted)
                let body = try answer.object
                #expect(body.string("status") == "accepted" && body.string("message") == "audit record queued for processing")
            }
            try await SpoolAPITests.drained(spool)
            #expect(try await harness.rowCount(eventID: NotificationAuditRecord.eventID(notificationID: "notification-spooled")) == 1)
        }
    }
}
