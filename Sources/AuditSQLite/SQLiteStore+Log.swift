public import AuditCore
import GRDB

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

extension SQLiteStore {
    private static let logColumns = "position, event_id, event_date, correlation_id, event_hash, previous_event_hash, leaf_hash, logged_at"

    /// SQLite has one writer at a time (and one server per file, under its lock), so the
    /// write transaction is the sequencer's lock.
    public func appendPendingToLog(limit: Int, now: AuditTimestamp) async throws(AuditError) -> LogAppend {
        do {
            return try await pool.write { db in
                let queued = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT insert_seq, event_id, event_date, correlation_id, event_hash, leaf_hash FROM auditledger_log_pending
                        ORDER BY insert_seq LIMIT ?
                        """,
                    arguments: [limit]
                ).map { row in
                    guard let id = UUID(uuidString: row[1]), let day = EventDate(row[2] as String) else {
                        throw SQLiteFailure.unreadableRow(row[1] as String? ?? "?")
                    }
                    let hash: String? = row[4]
                    let leaf: String? = row[5]
                    return PendingLogEntry(
                        insertSequence: row[0], eventID: id, eventDate: day, correlationID: row[3],
                        digest: hash.flatMap { hash in leaf.map { EventDigest(eventHash: hash, leafHash: $0) } })
                }
                // Events stored before the log: hashed from their rows.
                let unhashed = queued.filter { $0.digest == nil }.map(\.eventID)
                var pending = queued
                if !unhashed.isEmpty {
                    var stored: [UUID: StoredAuditEvent] = [:]
                    for event in try Self.events(withIDs: unhashed, months: try Self.months(in: db), in: db) { stored[event.event.id] = event }
                    pending = LogSequencing.digesting(queued, stored: stored)
                }
                let size = try Int64.fetchOne(db, sql: "SELECT coalesce(max(position) + 1, 0) FROM auditledger_log") ?? 0
                guard !pending.isEmpty else { return LogAppend(appended: 0, size: size, sequenced: true) }
                var last: [String: String] = [:]
                for correlation in Set(pending.map(\.correlationID)) {
                    last[correlation] = try String.fetchOne(
                        db, sql: "SELECT event_hash FROM auditledger_log WHERE correlation_id = ? ORDER BY position DESC LIMIT 1",
                        arguments: [correlation])
                }
                let entries = LogSequencing.entries(for: pending, startingAt: size, lastHashes: &last, now: now)
                let insert = try db.makeStatement(sql: "INSERT INTO auditledger_log (\(Self.logColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                let dequeue = try db.makeStatement(sql: "DELETE FROM auditledger_log_pending WHERE insert_seq = ?")
                let logged = pending.filter { $0.digest != nil }.sorted { $0.insertSequence < $1.insertSequence }
                for (entry, queued) in zip(entries, logged) {
                    try insert.execute(arguments: [
                        entry.position, entry.eventID.uuidString.lowercased(), entry.eventDate.description, entry.correlationID, entry.eventHash,
                        entry.previousEventHash, entry.leafHash, entry.loggedAt.microsecondsSinceEpoch,
                    ])
                    try dequeue.execute(arguments: [queued.insertSequence])
                }
                return LogAppend(appended: entries.count, size: size + Int64(entries.count), sequenced: true)
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "append to the log")
        }
    }

    public func logEntries(correlationID: String) async throws(AuditError) -> [LogEntry] {
        try await readLog("WHERE correlation_id = ? ORDER BY position", [correlationID])
    }

    public func logEntries(eventIDs: [UUID]) async throws(AuditError) -> [LogEntry] {
        guard !eventIDs.isEmpty else { return [] }
        var entries: [LogEntry] = []
        for start in stride(from: 0, to: eventIDs.count, by: 10_000) {
            let chunk = eventIDs[start..<min(start + 10_000, eventIDs.count)]
            entries += try await readLog(
                "WHERE event_id IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ", "))) ORDER BY position",
                StatementArguments(chunk.map { $0.uuidString.lowercased() }))
        }
        return entries.sorted { $0.position < $1.position }
    }

    public func pendingLogEventIDs(correlationID: String) async throws(AuditError) -> Set<UUID> {
        do {
            return try await pool.read { db in
                Set(
                    try String.fetchAll(db, sql: "SELECT event_id FROM auditledger_log_pending WHERE correlation_id = ?", arguments: [correlationID])
                        .compactMap(UUID.init(uuidString:)))
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "read the log queue")
        }
    }

    public func logStatus() async throws(AuditError) -> (size: Int64, pending: Int) {
        do {
            return try await pool.read { db in
                let size = try Int64.fetchOne(db, sql: "SELECT coalesce(max(position) + 1, 0) FROM auditledger_log") ?? 0
                let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM auditledger_log_pending") ?? 0
                return (size, pending)
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "read the log")
        }
    }

    func readLog(_ condition: String, _ arguments: StatementArguments) async throws(AuditError) -> [LogEntry] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT \(Self.logColumns) FROM auditledger_log \(condition)", arguments: arguments).map { row in
                    guard let id = UUID(uuidString: row[1]), let day = EventDate(row[2] as String) else {
                        throw SQLiteFailure.unreadableRow(row[1] as String? ?? "?")
                    }
                    return LogEntry(
                        position: row[0], eventID: id, eventDate: day, correlationID: row[3], eventHash: row[4], previousEventHash: row[5],
                        leafHash: row[6], loggedAt: AuditTimestamp(microsecondsSinceEpoch: row[7]))
                }
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "read the log")
        }
    }
}
