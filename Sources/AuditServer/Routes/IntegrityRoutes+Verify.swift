import AuditCore
import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension IntegrityRoutes {
    /// `POST /api/v1/audit/verify`: ``AuditCore/AuditLifecycleStore/verifyLog(_:trustedKeys:witnessed:)``
    /// over the API, recomputing the events of one correlation (`{"correlation_id": …}`), of a
    /// range of log positions (`{"from_position": N, "to_position": M}`), or all (`{}`); the tree
    /// and every checkpoint are checked whole, against the server's trusted keys. `200` once the
    /// check ran (`is_valid` says how it went). Needs `admin`: it reads the whole log.
    func verify(_ request: Request, context: AuditRequestContext) async throws -> Response {
        let body = try await RequestJSON.read(request, limit: 64 * 1024).value
        guard case .object(let object) = body else { throw AuditError(.malformedRequest, detail: "the body must be a JSON object") }
        var selection = LogSelection.all
        if object["correlation_id"] != nil {
            var errors: [AuditError.FieldError] = []
            guard let correlation = LegalHoldRoutes.text(object, "correlation_id", maxLength: 255, errors: &errors), errors.isEmpty else {
                throw AuditError.validation(errors)
            }
            selection = .set(Set(try await store.logEntries(correlationID: correlation).map(\.position)))
        } else if object["from_position"] != nil || object["to_position"] != nil {
            let from = try Self.position(object, "from_position") ?? 0
            let to = try Self.position(object, "to_position") ?? Int64.max
            guard to > from else { throw AuditError.validation(field: "to_position", "must be greater than from_position") }
            selection = .positions(from..<to)
        }
        let trusted = configuration.checkpoints.trustedKeys
        let report = try await store.verifyLog(selection, trustedKeys: trusted)
        return .json(status: .ok, Self.json(report, trusted: !trusted.isEmpty, at: configuration.clock()))
    }

    static func position(_ object: JSONObject, _ field: String) throws(AuditError) -> Int64? {
        guard let value = object[field] else { return nil }
        guard case .number(let text) = value, let position = Int64(text), position >= 0 else {
            throw AuditError.validation(field: field, "must be a log position: an integer of at least 0")
        }
        return position
    }

    static func json(_ report: LogVerificationReport, trusted: Bool, at now: AuditTimestamp) -> [UInt8] {
        var writer = JSONWriter(capacity: 512 + report.problems.count * 300)
        var object = JSONObjectWriter(taking: &writer)
        object.bool("is_valid", report.isValid)
        object.integer("tree_size", report.treeSize)
        object.integer("events_checked", Int64(report.eventsChecked))
        object.integer("removed_by_retention", Int64(report.removedByRetention))
        object.integer("checkpoints_checked", Int64(report.checkpointsChecked))
        object.integer("problem_count", Int64(report.problemCount))
        object.value("problems", .array(report.problems.map(problem)))
        object.bool("keys_from_store", !trusted)
        object.string("verification_time", now.description)
        return object.finish().bytes
    }

    static func problem(_ problem: LogProblem) -> JSONValue {
        var members: [JSONObject.Member] = []
        func add(_ key: String, _ value: JSONValue) { members.append(.init(key: key, value: value)) }
        switch problem.subject {
        case .event(let id, let position):
            add("subject", .string("event"))
            add("event_id", .string(id.uuidString.lowercased()))
            if let position { add("position", .number(String(position))) }
        case .checkpoint(let size):
            add("subject", .string("checkpoint"))
            add("tree_size", .number(String(size)))
        case .log(let range):
            add("subject", .string("log"))
            add("from_position", .number(String(range.lowerBound)))
            add("to_position", .number(String(range.upperBound)))
        case .subtree(let node):
            add("subject", .string("subtree"))
            add("level", .number(String(node.level)))
            add("index", .number(String(node.index)))
        case .month(let month):
            add("subject", .string("month"))
            add("month", .string(month.description))
        }
        add("message", .string(problem.message))
        add("description", .string(problem.description))
        return .object(JSONObject(members))
    }
}
