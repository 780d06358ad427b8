import Foundation
import Testing

@testable import AuditCore

@Suite struct EventValidatorTests {
    let now = AuditTimestamp(rfc3339: "2025-12-13T12:00:00Z")!
    let validator = EventValidator()

    func request(_ changes: [String: JSONValue?] = [:]) -> JSONValue {
        var object = JSONObject()
        object["version"] = .string("1.0")
        object["event_type"] = .string("gateway.signal.received")
        object["event_timestamp"] = .string("2025-12-13T11:59:00Z")
        object["event_category"] = .string("gateway")
        object["event_action"] = .string("received")
        object["event_outcome"] = .string("success")
        object["correlation_id"] = .string("rr-2025-001")
        object["event_data"] = .object(JSONObject([.init(key: "event_type", value: .string("gateway.signal.received"))]))
        for (name, value) in changes { object[name] = value }
        return .object(object)
    }

    func failure(_ changes: [String: JSONValue?]) -> AuditError? {
        do {
            _ = try validator.event(from: request(changes), now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test("An event written back as a request reads back as the same event, every member set or not")
    func requestJSONRoundTrips() throws {
        let full = request([
            "event_id": .string("0f6c1b7e-5d1a-4c52-9a0e-2f4b8f0c9d11"), "actor_ip": .string("2001:db8::1"), "namespace": .string("payments"),
            "cluster_id": .string("eu-1"), "severity": .string("high"), "duration_ms": .number("1500"), "error_code": .string("E1"),
            "error_message": .string("é"), "retention_days": .number("30"),
            "is_sensitive": .bool(true), "parent_event_id": .string("1f6c1b7e-5d1a-4c52-9a0e-2f4b8f0c9d11"),
            "event_data": .object(
                JSONObject([.init(key: "n", value: .number("12345678901234567890")), .init(key: "e", value: .string("e\u{301}"))])),
        ])
        for body in [request(), full] {
            let event = try validator.event(from: body, now: now)
            let again = try validator.event(from: event.requestJSON, now: now)
            #expect(again.id == event.id)
            #expect(again.hasSameContent(as: event))
            #expect(again.eventData.json == event.eventData.json)
        }
    }

    @Test func appliesKubernautDefaults() throws {
        let event = try validator.event(from: request(), now: now)
        #expect(event.actorType == "service")
        #expect(event.actorID == "gateway-service")
        #expect(event.resourceType == "gateway")
        #expect(event.resourceID == "rr-2025-001")
        #expect(event.retentionDays == 2555)
        #expect(event.isSensitive == false)
        #expect(event.date.description == "2025-12-13")
    }

    @Test(arguments: ["version", "event_type", "event_timestamp", "event_category", "event_action", "event_outcome", "correlation_id", "event_data"])
    func requiresEachRequiredField(_ field: String) throws {
        for missing in [nil, JSONValue.null] as [JSONValue?] {
            let error = try #require(failure([field: missing]))
            #expect(error.code == .validation)
            #expect(error.fieldErrors.map(\.field) == [field])
            #expect(error.detail.hasPrefix("\(field): "))
        }
    }

    @Test(arguments: [
        ("version", 20), ("event_type", 100), ("event_category", 50), ("event_action", 50), ("correlation_id", 255),
        ("actor_type", 50), ("actor_id", 255), ("resource_type", 100), ("resource_id", 255), ("namespace", 253),
        ("cluster_id", 255), ("severity", 20), ("error_code", 50),
    ])
    func limitsLengthsInCharacters(_ field: String, _ limit: Int) throws {
        let atLimit = String(repeating: "é", count: limit)
        var changes: [String: JSONValue?] = [field: .string(atLimit)]
        if field == "event_type" { changes["event_data"] = .object(JSONObject()) }
        #expect(failure(changes) == nil)
        changes[field] = .string(atLimit + "x")
        let error = try #require(failure(changes))
        #expect(error.fieldErrors.map(\.field) == [field])
        #expect(error.fieldErrors.first?.message == "must be at most \(limit) characters")
    }

    @Test func refusesWrongTypes() throws {
        #expect(failure(["event_type": .number("5")])?.fieldErrors.first?.message == "must be a string, not number")
        #expect(failure(["event_data": .array([])])?.fieldErrors.map(\.field) == ["event_data"])
        #expect(failure(["event_data": .string("{}")])?.fieldErrors.map(\.field) == ["event_data"])
        #expect(failure(["duration_ms": .string("5")])?.fieldErrors.map(\.field) == ["duration_ms"])
        #expect(failure(["duration_ms": .number("1.5")])?.fieldErrors.map(\.field) == ["duration_ms"])
        #expect(failure(["duration_ms": .number("-1")])?.fieldErrors.map(\.field) == ["duration_ms"])
        #expect(failure(["is_sensitive": .string("true")])?.fieldErrors.map(\.field) == ["is_sensitive"])
        #expect(failure(["retention_days": .number("0")])?.fieldErrors.map(\.field) == ["retention_days"])
        #expect(failure(["retention_days": .number("2556")])?.fieldErrors.map(\.field) == ["retention_days"])
        #expect(failure(["event_id": .string("not-a-uuid")])?.fieldErrors.map(\.field) == ["event_id"])
        #expect(failure(["parent_event_id": .string("42")])?.fieldErrors.map(\.field) == ["parent_event_id"])
        #expect(failure(["actor_ip": .string("10.0.0.0/24")])?.fieldErrors.map(\.field) == ["actor_ip"])
        #expect(failure(["actor_ip": .string("999.1.1.1")])?.fieldErrors.map(\.field) == ["actor_ip"])
        #expect(failure(["event_outcome": .string("ok")])?.fieldErrors.map(\.field) == ["event_outcome"])
        #expect(failure(["event_type": .string("a\u{0}b")])?.fieldErrors.map(\.field) == ["event_type"])
    }

    @Test func reportsEveryBrokenRule() throws {
        let error = try #require(failure(["event_type": nil, "event_outcome": .string("maybe"), "retention_days": .number("0")]))
        #expect(Set(error.fieldErrors.map(\.field)) == ["event_type", "event_outcome", "retention_days"])
    }

    @Test func boundsTheTimestamp() throws {
        #expect(failure(["event_timestamp": .string("2025-12-13T13:00:00Z")]) == nil)
        #expect(
            failure(["event_timestamp": .string("2025-12-13T13:00:00.000001Z")])?.fieldErrors.first?.message
                == "is more than 60 minutes in the future")
        #expect(failure(["event_timestamp": .string("2025-12-06T12:00:00Z")]) == nil)
        #expect(failure(["event_timestamp": .string("2025-12-06T11:59:59Z")])?.fieldErrors.first?.message == "is more than 7 days in the past")
        #expect(failure(["event_timestamp": .string("2025-12-13T12:00:00")])?.fieldErrors.map(\.field) == ["event_timestamp"])
        let wide = EventValidator(policy: ValidationPolicy(maximumAgeSeconds: 400 * 86_400))
        #expect(throws: Never.self) { try wide.event(from: request(["event_timestamp": .string("2025-01-01T00:00:00Z")]), now: now) }
    }

    @Test func checksEventData() throws {
        #expect(failure(["event_data": .object(JSONObject())]) == nil)
        let mismatch = try #require(failure(["event_data": .object(JSONObject([.init(key: "event_type", value: .string("other"))]))]))
        #expect(mismatch.fieldErrors.map(\.field) == ["event_data.event_type"])
        #expect(
            failure(["event_data": .object(JSONObject([.init(key: "event_type", value: .number("1"))]))])?.fieldErrors.map(\.field) == [
                "event_data.event_type"
            ])

        var deep = JSONValue.object(JSONObject())
        for _ in 0..<9 { deep = .object(JSONObject([.init(key: "d", value: deep)])) }
        #expect(deep.containerDepth == 10)
        #expect(failure(["event_data": deep]) == nil)
        let tooDeep = JSONValue.object(JSONObject([.init(key: "d", value: deep)]))
        #expect(failure(["event_data": tooDeep])?.fieldErrors.first?.message == "nests 11 levels deep; the limit is 10")

        let big = String(repeating: "x", count: 256 * 1024 - 8)
        #expect(failure(["event_data": .object(JSONObject([.init(key: "b", value: .string(big))]))]) == nil)
        let tooBig = try #require(failure(["event_data": .object(JSONObject([.init(key: "b", value: .string(big + "x"))]))]))
        #expect(tooBig.fieldErrors.first?.message == "is 262145 bytes as compact JSON; the limit is 262144")

        #expect(failure(["event_data": .object(JSONObject([.init(key: "s", value: .string("a\u{0}"))]))])?.fieldErrors.map(\.field) == ["event_data"])
    }

    /// A number is refused when PostgreSQL would store it written out longer than 1000
    /// characters (`1e131071` came back as 131 072 digits), naming where it is.
    @Test func refusesNumbersThatWouldExpand() throws {
        func data(_ literal: String) -> [String: JSONValue?] {
            ["event_data": .object(JSONObject([.init(key: "a", value: .array([.object(JSONObject([.init(key: "n", value: .number(literal))]))]))]))]
        }
        #expect(failure(data("1e999")) == nil, "1 and 999 zeros: 1000 characters")
        #expect(failure(data("-1e998")) == nil)
        let long = try #require(failure(data("1e1000")))
        #expect(long.fieldErrors.map(\.field) == ["event_data.a[0].n"])
        #expect(long.fieldErrors.first?.message.contains("1001 characters long") == true)
        #expect(failure(data("1e-999"))?.fieldErrors.map(\.field) == ["event_data.a[0].n"], "0.000…1 is 1001 characters")
        #expect(failure(data("1e131072"))?.fieldErrors.first?.message.contains("too large or too precise") == true)
        #expect(failure(data("1e99999999999")) != nil)
        #expect(failure(data("12345678901234567890")) == nil)
        #expect(failure(data("0.1000000000000000055511151231257827")) == nil)

        // Many short literals that expand: the event_data limit counts them written out.
        let many = JSONValue.array(Array(repeating: .number("1e999"), count: 300))
        let expanded = try #require(failure(["event_data": .object(JSONObject([.init(key: "n", value: many)]))]))
        #expect(expanded.fieldErrors.map(\.field) == ["event_data"])
        #expect(expanded.fieldErrors.first?.message.contains("with its numbers written out in full") == true)
    }

    /// The length of PostgreSQL's text for a stored number (numeric_out), checked against
    /// PostgreSQL itself by the store tests.
    @Test(
        arguments: [
            ("0", 1), ("-0", 1), ("0.000", 5), ("1e5", 6), ("1E+5", 6), ("1.50", 4), ("15e-3", 5), ("-12.5", 5), ("1e-5", 7),
            ("12345678901234567890", 20), ("0.1000000000000000055511151231257827", 36), ("1.5e1", 2), ("100e-2", 4), ("0.5e-16383", nil),
            ("1e131071", 131_072), ("1e131072", nil), ("1e-16383", 16_385), ("1e-16384", nil), ("1e99999999999", nil),
        ] as [(String, Int?)])
    func storedNumberLength(_ literal: String, _ length: Int?) {
        #expect(JSONNumber.storedLength(literal) == length, "\(literal)")
    }

    @Test func acceptsClusterNameAsClusterID() throws {
        #expect(try validator.event(from: request(["cluster_name": .string("eu-1")]), now: now).clusterID == "eu-1")
        #expect(try validator.event(from: request(["cluster_id": .string("eu-1"), "cluster_name": .string("eu-1")]), now: now).clusterID == "eu-1")
        #expect(failure(["cluster_id": .string("eu-1"), "cluster_name": .string("us-2")])?.fieldErrors.map(\.field) == ["cluster_name"])
    }

    @Test func ignoresUnknownMembersAndEmptyOptionals() throws {
        let event = try validator.event(
            from: request(["whatever": .string("x"), "namespace": .string(""), "event_date": .string("1999-01-01")]), now: now)
        #expect(event.namespace == nil)
        #expect(event.date.description == "2025-12-13")
    }

    @Test func assignsEachEventANewTimeOrderedID() throws {
        let first = try validator.event(from: request(), now: now)
        let second = try validator.event(from: request(), now: now)
        #expect(first.id != second.id, "two identical events are two events, as in Kubernaut")
        #expect(first.id.uuidString.lowercased().dropFirst(14).first == "7")  // UUID version 7
        let later = try validator.event(from: request(), now: now.adding(seconds: 1))
        #expect(later.id.uuidString.lowercased() > first.id.uuidString.lowercased(), "later ids sort later")
        let batch = try validator.batch(from: .array([request(), request()]), now: now)
        #expect(Set(batch.map(\.id)).count == 2)
    }

    @Test func derivesTheSameIDForTheSameContentWhenAsked() throws {
        let validator = EventValidator(policy: ValidationPolicy(maximumAgeSeconds: 100 * 365 * 86_400, eventIDs: .contentDerived))
        let first = try validator.event(from: request(), now: now)
        guard case .object(let object) = request() else { return }
        let reordered = try validator.event(from: .object(JSONObject(object.members.reversed())), now: now)
        #expect(first.id == reordered.id)
        let different = try validator.event(from: request(["event_outcome": .string("failure")]), now: now)
        #expect(different.id != first.id)
        #expect(first.id.uuidString.lowercased().dropFirst(14).first == "8")  // UUID version 8
        let clientID = UUID()
        #expect(try validator.event(from: request(["event_id": .string(clientID.uuidString)]), now: now).id == clientID)
    }

    @Test func canonicalizesActorIP() throws {
        #expect(try validator.event(from: request(["actor_ip": .string("2001:DB8:0:0:0:0:0:1")]), now: now).actorIP == "2001:db8::1")
        #expect(try validator.event(from: request(["actor_ip": .string("10.1.2.3")]), now: now).actorIP == "10.1.2.3")
        #expect(try validator.event(from: request(["actor_ip": .string("::ffff:10.1.2.3")]), now: now).actorIP == "::ffff:10.1.2.3")
    }

    @Test func validatesBatches() throws {
        #expect(throws: Never.self) { try validator.batch(from: .array([request(), request()]), now: now) }
        let notArray = try #require(catching { try validator.batch(from: request(), now: now) })
        #expect(notArray.code == .malformedRequest)
        let empty = try #require(catching { try validator.batch(from: .array([]), now: now) })
        #expect(empty.code == .validation)
        #expect(empty.fieldErrors.map(\.field) == ["events"])
        let small = EventValidator(policy: ValidationPolicy(maximumBatchSize: 2))
        let tooMany = try #require(catching { try small.batch(from: .array([request(), request(), request()]), now: now) })
        #expect(tooMany.code == .batchSizeExceeded)
        let bad = try #require(catching { try validator.batch(from: .array([request(), request(["event_type": nil])]), now: now) })
        #expect(bad.detail.hasPrefix("event at index 1: event_type:"))
        #expect(bad.fieldErrors.map(\.field) == ["event_type"])
        let notObject = try #require(catching { try validator.batch(from: .array([request(), .string("x")]), now: now) })
        #expect(notObject.detail.hasPrefix("event at index 1:"))
        let id = JSONValue.string(UUID().uuidString)
        let clash = try #require(
            catching {
                try validator.batch(
                    from: .array([request(["event_id": id]), request(["event_id": id, "event_action": .string("other")])]), now: now)
            }
        )
        #expect(clash.detail.hasPrefix("event at index 1:"))
        #expect(clash.fieldErrors.map(\.field) == ["event_id"])
    }

    func catching(_ body: () throws -> Any) -> AuditError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? AuditError
        }
    }
}
