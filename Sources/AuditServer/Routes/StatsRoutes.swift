import AuditCore
import Hummingbird

/// `GET /api/v1/audit/stats`: counts, failures and p50/p95/p99 of a measure (`duration_ms` by
/// default) of the events the query API's filters select in a bounded time window, grouped by
/// a column or an `event_data` member (``AuditCore/StatsQuery``). Within the caller's read
/// limits; a question that reads `event_data` counts no sensitive event unless the caller has
/// `events:read-sensitive`.
struct StatsRoutes {
    /// Where the stats are read (a standby, when configured).
    let reads: ReadRouter
    let configuration: AuditServerConfiguration

    func register(on audit: RouteRegistry.Group) {
        audit.get("stats", scope: .eventsRead, metric: .query("stats")) { request, context in try await stats(request, context: context) }
    }

    func stats(_ request: Request, context: AuditRequestContext) async throws -> Response {
        var query = try StatsQuery(parameters: try FormQuery.decode(request.uri.query), now: configuration.clock())
        query.events.limit(to: context.principal, readsEventData: query.readsEventData)
        let (stats, source) = try await reads.read(try ReadConsistency.of(request)) { store throws(AuditError) in try await store.stats(query) }
        var writer = JSONWriter(capacity: 512 + stats.groups.count * 192)
        writer.write(Self.json(stats, query: query))
        return Response.json(status: .ok, writer.bytes).readFrom(source)
    }

    static func json(_ stats: EventStats, query: StatsQuery) -> JSONValue {
        var members: [JSONObject.Member] = [
            .init(key: "group_by", value: .string(query.groupBy.description)),
            .init(key: "measure", value: .string(query.measure.description)),
        ]
        if let since = query.events.since { members.append(.init(key: "since", value: .string(since.description))) }
        if let until = query.events.untilExclusive { members.append(.init(key: "until", value: .string(until.description))) }
        members += [
            .init(key: "total_events", value: .number(String(stats.totalEvents))),
            .init(key: "total_failures", value: .number(String(stats.totalFailures))),
            .init(key: "total_groups", value: .number(String(stats.totalGroups))),
            .init(key: "has_more", value: .bool(stats.hasMore)),
            .init(key: "groups", value: .array(stats.groups.map { group($0, dimension: query.groupBy) })),
        ]
        return .object(JSONObject(members))
    }

    static func group(_ group: EventStats.Group, dimension: StatsQuery.Dimension) -> JSONValue {
        let key: JSONValue
        switch (group.key, dimension) {
        case (nil, _): key = .null
        case (let text?, .column): key = .string(text)
        case (let text?, .eventData): key = (try? JSONParser.parse(text)) ?? .string(text)
        }
        var members: [JSONObject.Member] = [
            .init(key: "key", value: key),
            .init(key: "count", value: .number(String(group.count))),
            .init(key: "failures", value: .number(String(group.failures))),
            .init(key: "failure_rate", value: .number(number(group.failureRate))),
            .init(key: "measured", value: .number(String(group.measured))),
        ]
        for (p, value) in zip(["p50", "p95", "p99"], group.percentiles) {
            members.append(.init(key: p, value: .number(number(value))))
        }
        if let minimum = group.minimum { members.append(.init(key: "min", value: .number(number(minimum)))) }
        if let maximum = group.maximum { members.append(.init(key: "max", value: .number(number(maximum)))) }
        return .object(JSONObject(members))
    }

    /// A finite double as a JSON number: whole numbers without a fraction (`1200`, not `1200.0`),
    /// others in Swift's shortest round-tripping form.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
