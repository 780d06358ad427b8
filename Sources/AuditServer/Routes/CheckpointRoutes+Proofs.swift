import AuditCore
import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension CheckpointRoutes {
    /// `GET /api/v1/audit/events/{event_id}/proof?tree_size=N`: the event's leaf index, its
    /// canonical encoding and leaf hash, and its audit path in the tree of `tree_size` leaves
    /// (default: the newest checkpoint's), with that checkpoint when one of the size is stored.
    func proof(_ request: Request, context: AuditRequestContext) async throws -> Response {
        guard let id = UUID(uuidString: context.parameters.get("event_id") ?? "") else {
            throw AuditError.validation(field: "event_id", "must be a UUID")
        }
        let requested = try Parameters(request).integer("tree_size", minimum: 1)
        guard let stored = try await store.event(id: id), context.principal.readLimits.allows(stored.event) else {
            throw AuditError(.notFound, detail: "no audit event has the id \(id.uuidString.lowercased())")
        }
        guard let entry = try await store.logEntries(eventIDs: [id]).first else {
            throw AuditError(
                .notFound, detail: "event \(id.uuidString.lowercased()) is stored but not in the log yet; it is given a position within seconds")
        }
        let checkpoint = try await store.checkpoints(upTo: requested, limit: 1).first
        guard let treeSize = requested ?? checkpoint?.treeSize else {
            throw AuditError(.notFound, detail: "no checkpoint is signed yet; give tree_size, or retry once one is")
        }
        let logSize = try await store.logStatus().size
        guard treeSize <= logSize else { throw AuditError.validation(field: "tree_size", "must be at most the log's size, \(logSize)") }
        guard treeSize > entry.position else {
            throw AuditError.validation(field: "tree_size", "must be greater than the event's leaf index, \(entry.position)")
        }
        let path = try await store.inclusionPath(index: entry.position, treeSize: treeSize)
        let root = try await store.logRangeRoots([0..<treeSize])[0]
        var object = JSONObjectWriter(writer: JSONWriter(capacity: 1024 + path.count * 70))
        object.string("event_id", id.uuidString.lowercased())
        object.integer("leaf_index", entry.position)
        object.integer("tree_size", treeSize)
        object.string("event_hash", entry.eventHash)
        object.string("leaf_hash", entry.leafHash)
        if stored.event.isSensitive && !context.principal.has(.eventsReadSensitive) {
            object.bool("canonical_encoding_withheld", true)
        } else if let encoding = try? stored.event.canonicalEncoding() {
            object.string("canonical_encoding", String(decoding: encoding, as: UTF8.self))
        }
        object.value("audit_path", .array(path.map { .string(Hex.lowercase($0)) }))
        object.string("root_hash", Hex.lowercase(root))
        if let checkpoint, checkpoint.treeSize == treeSize { object.string("checkpoint", checkpoint.note) }
        return .json(status: .ok, object.finish().bytes)
    }

    /// `GET /api/v1/audit/log/consistency?first=M&second=N`: RFC 9162's proof that the tree of
    /// `first` leaves is a prefix of the tree of `second` (default: the newest checkpoint's size).
    func consistency(_ request: Request, context: AuditRequestContext) async throws -> Response {
        try Self.requireUnlimited(context)
        let parameters = try Parameters(request)
        guard let first = try parameters.integer("first", minimum: 0) else { throw AuditError.validation(field: "first", "is required") }
        let logSize = try await store.logStatus().size
        let second: Int64
        if let given = try parameters.integer("second", minimum: 0) {
            second = given
        } else {
            guard let latest = try await store.checkpoints(upTo: nil, limit: 1).first else {
                throw AuditError(.notFound, detail: "no checkpoint is signed yet; give second")
            }
            second = latest.treeSize
        }
        guard second <= logSize else { throw AuditError.validation(field: "second", "must be at most the log's size, \(logSize)") }
        guard first <= second else { throw AuditError.validation(field: "first", "must be at most second (\(second))") }
        let path = try await store.consistencyPath(from: first, to: second)
        var object = JSONObjectWriter(writer: JSONWriter(capacity: 128 + path.count * 70))
        object.integer("first", first)
        object.integer("second", second)
        object.value("proof", .array(path.map { .string(Hex.lowercase($0)) }))
        return .json(status: .ok, object.finish().bytes)
    }

    /// The query parameters of a request, each named at most once.
    struct Parameters {
        let pairs: [(name: String, value: String)]

        init(_ request: Request) throws(AuditError) {
            pairs = try FormQuery.decode(request.uri.query)
        }

        /// An integer parameter within bounds; `nil` when absent.
        func integer(_ name: String, minimum: Int64, maximum: Int64 = Int64.max) throws(AuditError) -> Int64? {
            let values = pairs.filter { $0.name == name }.map(\.value)
            guard let text = values.first else { return nil }
            guard values.count == 1 else { throw AuditError.validation(field: name, "must be given at most once") }
            guard let value = Int64(text), value >= minimum, value <= maximum else {
                throw AuditError.validation(
                    field: name,
                    maximum == Int64.max ? "must be an integer of at least \(minimum)" : "must be an integer from \(minimum) to \(maximum)")
            }
            return value
        }
    }
}
