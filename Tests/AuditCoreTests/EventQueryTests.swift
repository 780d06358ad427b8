import Foundation
import Testing

@testable import AuditCore

@Suite struct EventQueryTests {
    let now = AuditTimestamp(rfc3339: "2025-12-13T12:00:00Z")!

    func query(_ parameters: [(String, String)]) throws -> EventQuery {
        try EventQuery(parameters: parameters.map { (name: $0.0, value: $0.1) }, now: now)
    }

    func failure(_ parameters: [(String, String)]) -> AuditError? {
        do {
            _ = try query(parameters)
            return nil
        } catch {
            return error as? AuditError
        }
    }

    @Test func defaults() throws {
        let query = try query([])
        #expect(query.limit == 50)
        #expect(query.offset == 0)
        #expect(query.order == .descending)
        #expect(query.filters.columns.isEmpty)
        #expect(query.since == nil && query.untilExclusive == nil)
    }

    @Test func mapsEveryFilter() throws {
        let parent = UUID()
        let query = try query([
            ("event_type", "t"), ("event_category", "c"), ("event_outcome", "failure"), ("severity", "s"), ("correlation_id", "rr"),
            ("actor_type", "at"), ("actor_id", "ai"), ("resource_type", "rt"), ("resource_id", "ri"), ("namespace", "ns"),
            ("cluster_id", "k"), ("parent_event_id", parent.uuidString),
        ])
        #expect(
            query.filters.columns.map(\.column) == [
                "event_type", "event_category", "event_outcome", "severity", "correlation_id", "actor_type", "actor_id",
                "resource_type", "resource_id", "namespace", "cluster_id", "parent_event_id",
            ])
        #expect(query.filters.outcome == .failure)
        #expect(query.filters.parentEventID == parent)
        #expect(try self.query([("cluster_name", "old")]).filters.clusterID == "old")
    }

    @Test(arguments: [
        ("30m", "2025-12-13T11:30:00Z"), ("24h", "2025-12-12T12:00:00Z"), ("7d", "2025-12-06T12:00:00Z"), ("1h30m", "2025-12-13T10:30:00Z"),
        ("45s", "2025-12-13T11:59:15Z"), ("2025-12-01T00:00:00+01:00", "2025-11-30T23:00:00Z"), ("2025-12-01", "2025-12-01T00:00:00Z"),
    ])
    func parsesSince(_ value: String, _ expected: String) throws {
        #expect(try query([("since", value)]).since == AuditTimestamp(rfc3339: expected))
    }

    @Test func untilIsInclusive() throws {
        #expect(try query([("until", "2025-12-01")]).untilExclusive == AuditTimestamp(rfc3339: "2025-12-02T00:00:00Z"))
        #expect(try query([("until", "2025-12-01T10:00:00Z")]).untilExclusive == AuditTimestamp(rfc3339: "2025-12-01T10:00:00.000001Z"))
        #expect(try query([("until", "1h")]).untilExclusive == AuditTimestamp(rfc3339: "2025-12-13T11:00:00.000001Z"))
    }

    @Test(arguments: [
        ("since", "yesterday"), ("since", "10x"), ("since", "h"), ("until", "2025-13-01"), ("limit", "0"), ("limit", "1001"), ("limit", "ten"),
        ("offset", "-1"), ("order", "sideways"), ("event_outcome", "ok"), ("parent_event_id", "x"), ("cursor", "garbage"),
    ])
    func namesTheBadParameter(_ name: String, _ value: String) throws {
        let error = try #require(failure([(name, value)]))
        #expect(error.code == .validation)
        #expect(error.fieldErrors.map(\.field) == [name])
    }

    /// A query must say what it did: a misspelt name, an empty value, a value a store cannot
    /// hold, or a name given twice with different values is refused, naming the parameter.
    @Test func refusesWhatItWouldOtherwiseIgnore() throws {
        let misspelt = try #require(failure([("corelation_id", "rr-1"), ("event_type", "t")]))
        #expect(misspelt.fieldErrors.map(\.field) == ["corelation_id"])
        #expect(misspelt.fieldErrors.first?.message.contains("is not a parameter") == true)
        #expect(failure([("correlation_id", "")])?.fieldErrors.map(\.field) == ["correlation_id"])
        #expect(failure([("namespace", "a\u{0}b")])?.fieldErrors.map(\.field) == ["namespace"])
        #expect(failure([("limit", "5"), ("limit", "6")])?.fieldErrors.map(\.field) == ["limit"])
        #expect(try query([("limit", "5"), ("limit", "5")]).limit == 5, "the same value twice says one thing")
        #expect(failure([("cluster_id", "a"), ("cluster_name", "b")])?.fieldErrors.map(\.field) == ["cluster_name"])
        #expect(failure([("event_data", #"{"a":"\u0000"}"#)])?.fieldErrors.map(\.field) == ["event_data"])
        #expect(failure([("event_data", #"{"a":1,"a":2}"#)])?.fieldErrors.first?.message.contains("at a") == true)
        let several = try #require(failure([("x", "1"), ("y", "2"), ("limit", "0")]))
        #expect(several.fieldErrors.map(\.field) == ["x", "y", "limit"])
    }

    /// Kubernaut's detail_key/detail_value: a top-level event_data member equal to the value.
    @Test func readsDetailKeyAndValue() throws {
        let member = try #require(try query([("detail_key", "task_id"), ("detail_value", "3")]).filters.eventDataMember)
        #expect(member.key == "task_id")
        #expect(member.alternatives.map { JSONValue.object($0).compactText } == [#"{"task_id":"3"}"#, #"{"task_id":3}"#])
        #expect(EventDataMember(key: "ok", value: "true")?.alternatives.count == 2)
        #expect(EventDataMember(key: "s", value: "x y")?.alternatives.count == 1)
        #expect(failure([("detail_key", "task-id"), ("detail_value", "x")])?.fieldErrors.map(\.field) == ["detail_key"])
        #expect(failure([("detail_key", "task_id")])?.fieldErrors.map(\.field) == ["detail_value"])
        #expect(failure([("detail_value", "x")])?.fieldErrors.map(\.field) == ["detail_key"])
        // Kubernaut's spec sets no length on either: never stricter than it.
        let long = try query([("detail_key", String(repeating: "k", count: 300)), ("detail_value", String(repeating: "v", count: 5000))])
        #expect(long.filters.eventDataMember?.key.utf8.count == 300)
        let plain = try query([("detail_key", "a"), ("detail_value", "1")])
        let other = try query([("detail_key", "a"), ("detail_value", "2")])
        #expect(PageCursor.digest(of: plain.filters) != PageCursor.digest(of: other.filters))
    }

    @Test func refusesAnEmptyWindow() throws {
        let error = try #require(failure([("since", "2025-12-02"), ("until", "2025-12-01")]))
        #expect(error.fieldErrors.map(\.field) == ["until"])
    }

    @Test func cursorsKeepTheirWindowAndFilters() throws {
        var first = try query([("correlation_id", "rr"), ("since", "24h"), ("order", "asc")])
        let event = AuditEvent(
            id: UUID(), version: "1.0", timestamp: now, eventType: "t", category: "c", action: "a", outcome: .success, actorType: "s",
            actorID: "s", resourceType: "r", resourceID: "r", correlationID: "rr", eventData: EventData(JSONObject())
        )
        let cursor = PageCursor(query: first, after: event)
        #expect(PageCursor(token: cursor.token) == cursor)
        #expect(!cursor.token.contains("=") && !cursor.token.contains("+") && !cursor.token.contains("/"))

        // An hour later the relative window would have moved; the cursor keeps the first page's.
        let later = try EventQuery(
            parameters: [("correlation_id", "rr"), ("since", "24h"), ("order", "asc"), ("cursor", cursor.token)].map { (name: $0.0, value: $0.1) },
            now: now.adding(seconds: 3600)
        )
        #expect(later.since == first.since)
        #expect(later.cursor == cursor)

        #expect(failure([("correlation_id", "other"), ("order", "asc"), ("cursor", cursor.token)])?.fieldErrors.map(\.field) == ["cursor"])
        #expect(failure([("correlation_id", "rr"), ("cursor", cursor.token)])?.fieldErrors.map(\.field) == ["cursor"])
        #expect(
            failure([("correlation_id", "rr"), ("order", "asc"), ("offset", "5"), ("cursor", cursor.token)])?.fieldErrors.map(\.field) == ["offset"])
        first.filters.correlationID = nil
        #expect(PageCursor(query: first, after: event).filterDigest != cursor.filterDigest)
    }

    @Test func dateRangeCoversTheWindow() throws {
        let query = try query([("since", "2025-11-30T23:00:00Z"), ("until", "2025-12-01")])
        #expect(query.dateRange.first?.description == "2025-11-30")
        #expect(query.dateRange.last?.description == "2025-12-01")
    }
}
