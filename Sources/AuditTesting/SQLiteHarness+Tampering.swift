import AuditCore
import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension SQLiteHarness {
    /// As the file's owner: the month's triggers dropped, the change made, the triggers put back,
    /// in one transaction of another connection.
    public func tamper(_ change: Tampering) async throws {
        let tables = try await storageMonths().map(\.partitionName)
        try await outside.write { db in
            func table(of id: UUID) throws -> String {
                for table in tables
                where try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table) WHERE event_id = ?", arguments: [id.uuidString.lowercased()]) ?? 0 > 0
                {
                    return table
                }
                throw DatabaseError(message: "no stored event \(id)")
            }
            func withoutTriggers(on table: String, _ body: () throws -> Void) throws {
                let triggers = try Row.fetchAll(
                    db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", arguments: [table])
                for trigger in triggers { try db.execute(sql: "DROP TRIGGER \(trigger["name"] as String)") }
                try body()
                for trigger in triggers { try db.execute(sql: trigger["sql"] as String) }
            }
            switch change {
            case .update(let id, let column, let expression):
                let month = try table(of: id)
                // Names and expressions come from the tests themselves, never from input.
                try withoutTriggers(on: month) {
                    try db.execute(sql: "UPDATE \(month) SET \(column) = \(expression) WHERE event_id = ?", arguments: [id.uuidString.lowercased()])
                }
            case .delete(let id):
                let month = try table(of: id)
                try withoutTriggers(on: month) {
                    try db.execute(sql: "DELETE FROM \(month) WHERE event_id = ?", arguments: [id.uuidString.lowercased()])
                }
            case .insertCopy(let original, let copy):
                let month = try table(of: original)
                try db.execute(
                    sql: "CREATE TEMP TABLE forged AS SELECT * FROM \(month) WHERE event_id = ?", arguments: [original.uuidString.lowercased()])
                try db.execute(
                    sql: "UPDATE forged SET event_id = ?, insert_seq = (SELECT value + 1 FROM auditledger_counters WHERE name = 'insert_seq')",
                    arguments: [copy.uuidString.lowercased()])
                try db.execute(sql: "INSERT INTO \(month) SELECT * FROM forged")
                try db.execute(sql: "DROP TABLE forged")
                try db.execute(sql: "UPDATE auditledger_counters SET value = value + 1 WHERE name = 'insert_seq'")
            case .swapLogPositions(let first, let second):
                try withoutTriggers(on: "auditledger_log") {
                    try db.execute(sql: "UPDATE auditledger_log SET position = 9000000000000 WHERE position = ?", arguments: [first])
                    try db.execute(sql: "UPDATE auditledger_log SET position = ? WHERE position = ?", arguments: [first, second])
                    try db.execute(sql: "UPDATE auditledger_log SET position = ? WHERE position = 9000000000000", arguments: [second])
                }
            case .deleteLogEntries(let position):
                try withoutTriggers(on: "auditledger_log") {
                    try db.execute(sql: "DELETE FROM auditledger_log WHERE position >= ?", arguments: [position])
                }
            case .dropMonth(let month):
                try db.execute(sql: "DROP TABLE \(month.partitionName)")
            case .replaceCheckpoint(let size, let note, let root):
                try withoutTriggers(on: "auditledger_checkpoints") {
                    try db.execute(
                        sql: "UPDATE auditledger_checkpoints SET note = ?, root_hash = ? WHERE tree_size = ?", arguments: [note, root, size])
                }
            case .deleteCheckpoints(let sizes):
                try withoutTriggers(on: "auditledger_checkpoints") {
                    for size in sizes { try db.execute(sql: "DELETE FROM auditledger_checkpoints WHERE tree_size = ?", arguments: [size]) }
                }
            }
        }
    }
}
