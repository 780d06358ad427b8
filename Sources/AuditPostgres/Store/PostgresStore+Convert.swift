public import AuditCore
import Logging
import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension PostgresStore {
    /// What ``convert(table:batchSize:dropSource:progress:)`` did.
    public struct Conversion: Sendable {
        /// Rows in the source table.
        public var sourceRows: Int64
        /// Events newly stored.
        public var inserted: Int64
        /// Events that were already stored (an earlier, interrupted conversion).
        public var alreadyStored: Int64
        /// Whether the source table was dropped.
        public var droppedSource: Bool
    }

    /// Copies an existing, non-partitioned audit table (Kubernaut's columns; `version` and
    /// `cluster_name` are taken where `event_version` and `cluster_id` are absent) into the
    /// partitioned `audit_events`, in batches in `(event_timestamp, event_id)` order, through
    /// the same validation and write path as the API, keeping every `event_id`. Re-running it
    /// resumes: stored events are not stored twice. At the end every source `event_id` must be
    /// in `audit_events`, or it fails; only then, with `dropSource`, is the source dropped.
    public func convert(
        table: String,
        batchSize: Int = 5000,
        dropSource: Bool = false,
        progress: (Int64, Int64) -> Void = { _, _ in }
    ) async throws(AuditError) -> Conversion {
        let parts = table.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), parts.allSatisfy(Self.isPlainIdentifier), parts.last != "audit_events",
            Self.month(fromPartition: parts.last!) == nil
        else {
            throw AuditError.validation(
                field: "table", "must be a plain table name (letters, digits, underscores; optionally schema.table), not audit_events or a month")
        }
        let quoted = parts.map { "\"\($0)\"" }.joined(separator: ".")
        do {
            return try await withLifecycleConnection { connection in
                guard
                    let kind = try await self.scalar(
                        String.self, "SELECT relkind::text FROM pg_class WHERE oid = to_regclass(\(quoted))", on: connection)
                else {
                    throw AuditError(.notFound, detail: "no table \(table)")
                }
                guard kind == "r" else {
                    throw AuditError.validation(field: "table", "\(table) is not an ordinary table (it may already be partitioned)")
                }
                var columns = Set<String>()
                for row in try await connection.statement(
                    "SELECT attname::text FROM pg_attribute WHERE attrelid = to_regclass(\(quoted)) AND attnum > 0 AND NOT attisdropped",
                    logger: self.logger
                ) {
                    columns.insert(try row.decode(String.self))
                }
                let select = try Self.conversionSelect(columns: columns)
                let total = try await self.scalar(Int64.self, "SELECT count(*)::int8 FROM \(unescaped: quoted)", on: connection) ?? 0
                var conversion = Conversion(sourceRows: total, inserted: 0, alreadyStored: 0, droppedSource: false)
                var after: (PostgresTimestamp, UUID)?
                var read: Int64 = 0
                var waiting: [AuditEvent] = []
                while true {
                    let page: PostgresQuery
                    if let after {
                        page = """
                            SELECT \(unescaped: select) FROM \(unescaped: quoted)
                            WHERE (event_timestamp, event_id) > (\(after.0), \(after.1))
                            ORDER BY event_timestamp, event_id LIMIT \(Int64(batchSize))
                            """
                    } else {
                        page = "SELECT \(unescaped: select) FROM \(unescaped: quoted) ORDER BY event_timestamp, event_id LIMIT \(Int64(batchSize))"
                    }
                    var events: [AuditEvent] = []
                    for row in try await connection.statement(page, logger: self.logger) {
                        events.append(try Self.revalidated(try PostgresEventColumns.decode(row).event, table: table))
                    }
                    guard let last = events.last else { break }
                    waiting += try await self.storeConverted(events, into: &conversion, on: connection)
                    read += Int64(events.count)
                    progress(read, total)
                    after = (PostgresTimestamp(last.timestamp), last.id)
                }
                // Children read before their parents (clock skew between services) go in once the parents are stored.
                while !waiting.isEmpty {
                    let before = waiting.count
                    var still: [AuditEvent] = []
                    for start in stride(from: 0, to: waiting.count, by: batchSize) {
                        let chunk = Array(waiting[start..<min(start + batchSize, waiting.count)])
                        still += try await self.storeConverted(chunk, into: &conversion, on: connection)
                    }
                    waiting = still
                    if waiting.count == before, let orphan = waiting.first {
                        throw AuditError(
                            .conflict,
                            detail: """
                                \(waiting.count) event(s) of \(table) name a parent_event_id that is in neither \(table) nor audit_events, \
                                e.g. event \(orphan.id.uuidString.lowercased()) → \(orphan.parentEventID?.uuidString.lowercased() ?? "")
                                """
                        )
                    }
                }
                let missing =
                    try await self.scalar(
                        Int64.self,
                        "SELECT count(*)::int8 FROM \(unescaped: quoted) s WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.event_id = s.event_id)",
                        on: connection
                    ) ?? -1
                guard missing == 0, read == total else {
                    throw AuditError(
                        .conflict, detail: "count check failed: \(total) rows in \(table), \(read) read, \(missing) not found in audit_events")
                }
                if dropSource {
                    try await connection.statement("DROP TABLE \(unescaped: quoted)", logger: self.logger)
                    conversion.droppedSource = true
                }
                return conversion
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "convert \(table)")
        }
    }

    /// Stores the events whose parents are stored or among `events`; returns the others.
    private func storeConverted(
        _ events: [AuditEvent],
        into conversion: inout Conversion,
        on connection: PostgresConnection
    ) async throws -> [AuditEvent] {
        let outside = Set(events.compactMap(\.parentEventID)).subtracting(events.map(\.id))
        var stored = Set<UUID>()
        if !outside.isEmpty {
            for row in try await connection.statement(
                "SELECT event_id FROM audit_events WHERE event_id = ANY(\(ColumnArray(Array(outside))))",
                logger: logger
            ) {
                stored.insert(try row.decode(UUID.self))
            }
        }
        var ready = events
        var waiting: [AuditEvent] = []
        while true {
            let readyIDs = Set(ready.map(\.id))
            func resolvable(_ event: AuditEvent) -> Bool {
                event.parentEventID.map { stored.contains($0) || readyIDs.contains($0) } ?? true
            }
            let unresolved = ready.filter { !resolvable($0) }
            guard !unresolved.isEmpty else { break }
            waiting += unresolved
            ready = ready.filter(resolvable)
        }
        guard !ready.isEmpty else { return waiting }
        let results = try await write([EventBatch(events: ready)])
        switch results.first {
        case .success(let receipt):
            conversion.inserted += Int64(receipt.insertedCount)
            conversion.alreadyStored += Int64(ready.count - receipt.insertedCount)
        case .failure(let error):
            throw AuditError(error.code, detail: "could not be converted: \(error.detail)", fieldErrors: error.fieldErrors)
        case nil:
            throw AuditError(.internalError, detail: "the write returned no result")
        }
        return waiting
    }

    /// A source row put through the API's validation, so that nothing is stored that the API
    /// would have refused. Timestamps up to ten years ahead or a hundred years back pass: they
    /// were accepted once.
    private static func revalidated(_ source: AuditEvent, table: String) throws(AuditError) -> AuditEvent {
        var writer = JSONWriter()
        StoredAuditEvent(event: source, insertSequence: 0).writeArchiveJSON(into: &writer)
        guard let value = try? JSONParser.parse(writer.bytes) else {
            throw AuditError(.internalError, detail: "row \(source.id.uuidString.lowercased()) of \(table) did not encode as JSON")
        }
        do throws(AuditError) {
            return try conversionValidator.event(from: value, now: .now())
        } catch {
            throw AuditError(
                error.code, detail: "row \(source.id.uuidString.lowercased()) of \(table): \(error.detail)", fieldErrors: error.fieldErrors)
        }
    }

    private static let conversionValidator = EventValidator(
        policy: ValidationPolicy(maximumFutureSkewSeconds: 3_650 * 86_400, maximumAgeSeconds: 36_500 * 86_400)
    )

    /// The select list reading a legacy table as ``PostgresEventColumns/decode(_:)`` reads a
    /// stored event: ``legacyExpressions(columns:)`` in the order of ``PostgresEventColumns/selected``.
    static func conversionSelect(columns: Set<String>) throws(AuditError) -> String {
        for required in [
            "event_id", "event_timestamp", "event_type", "event_category", "event_action", "event_outcome", "correlation_id", "event_data",
        ]
        where !columns.contains(required) {
            throw AuditError.validation(field: "table", "has no \(required) column")
        }
        let expressions = legacyExpressions(columns: columns)
        var select: [String] = []
        for column in PostgresEventColumns.selected {
            guard let expression = expressions[column.name] else {
                throw AuditError(.internalError, detail: "the conversion has no source for the column \(column.name)")
            }
            select.append(expression)
        }
        return (select + ["0::int8"]).joined(separator: ", ")
    }

    /// Per stored column, the expression that reads it from a legacy table with `columns`:
    /// Kubernaut's older names and its defaults where a column is missing.
    static func legacyExpressions(columns: Set<String>) -> [String: String] {
        func either(_ names: [String], _ fallback: String) -> String {
            names.first(where: columns.contains) ?? fallback
        }
        return [
            "event_id": "event_id",
            "event_version": "coalesce(\(either(["event_version", "version"], "NULL"))::text, '1.0')",
            "event_timestamp": "event_timestamp::timestamptz",
            "event_type": "event_type::text",
            "event_category": "event_category::text",
            "event_action": "event_action::text",
            "event_outcome": "event_outcome::text",
            "actor_type": "coalesce(\(either(["actor_type"], "NULL"))::text, 'service')",
            "actor_id": "coalesce(\(either(["actor_id"], "NULL"))::text, event_category || '-service')",
            "actor_ip": columns.contains("actor_ip") ? "host(actor_ip::inet)" : "NULL::text",
            "resource_type": "coalesce(\(either(["resource_type"], "NULL"))::text, event_category)",
            "resource_id": "coalesce(\(either(["resource_id"], "NULL"))::text, correlation_id)",
            "correlation_id": "correlation_id::text",
            "parent_event_id": "\(either(["parent_event_id"], "NULL"))::uuid",
            "parent_event_date": "NULL::date",
            "namespace": "\(either(["namespace"], "NULL"))::text",
            "cluster_id": "\(either(["cluster_id", "cluster_name"], "NULL"))::text",
            "severity": "\(either(["severity"], "NULL"))::text",
            "duration_ms": "\(either(["duration_ms"], "NULL"))::int4",
            "error_code": "\(either(["error_code"], "NULL"))::text",
            "error_message": "\(either(["error_message"], "NULL"))::text",
            "retention_days": "coalesce(\(either(["retention_days"], "NULL"))::int4, 2555)",
            "is_sensitive": "coalesce(\(either(["is_sensitive"], "NULL"))::bool, false)",
            "event_data": "event_data::text",
            // A legacy table does not know who wrote its rows; the conversion does not make it up.
            "written_by": "NULL::text",
            // Hashed afresh as the rows are written (a Kubernaut table's event_hash is a chain hash of another encoding).
            "event_hash": "NULL::text",
            "hash_algorithm": "NULL::text",
        ]
    }

    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 63 else { return false }
        return (first == "_" || (first.isASCII && first.properties.isAlphabetic))
            && name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
