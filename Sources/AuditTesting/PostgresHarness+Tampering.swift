import AuditCore
import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension PostgresHarness {
    /// As the tables' owner (what a superuser can do too), with the immutability triggers
    /// disabled for the change and enabled again after it.
    public func tamper(_ change: Tampering) async throws {
        try await client.withConnection { connection in
            try await connection.query("ALTER TABLE audit_events DISABLE TRIGGER USER", logger: logger)
            switch change {
            case .update(let id, let column, let expression):
                // Names and expressions come from the tests themselves, never from input.
                try await connection.query(
                    PostgresQuery(unsafeSQL: "UPDATE audit_events SET \(column) = \(expression) WHERE event_id = $1", binds: Self.binds(id)),
                    logger: logger)
            case .delete(let id):
                try await connection.query("DELETE FROM audit_events WHERE event_id = \(id)", logger: logger)
            case .insertCopy(let original, let copy):
                try await connection.query("CREATE TEMP TABLE forged AS SELECT * FROM audit_events WHERE event_id = \(original)", logger: logger)
                try await connection.query(
                    "UPDATE forged SET event_id = \(copy), insert_seq = nextval('auditledger_insert_seq')", logger: logger)
                try await connection.query("INSERT INTO audit_events SELECT * FROM forged", logger: logger)
                try await connection.query("DROP TABLE forged", logger: logger)
            case .swapLogPositions(let first, let second):
                try await connection.query("ALTER TABLE auditledger_log DISABLE TRIGGER USER", logger: logger)
                try await connection.query("UPDATE auditledger_log SET position = 9000000000000 WHERE position = \(first)", logger: logger)
                try await connection.query("UPDATE auditledger_log SET position = \(first) WHERE position = \(second)", logger: logger)
                try await connection.query("UPDATE auditledger_log SET position = \(second) WHERE position = 9000000000000", logger: logger)
                try await connection.query("ALTER TABLE auditledger_log ENABLE TRIGGER USER", logger: logger)
            case .deleteLogEntries(let position):
                try await connection.query("ALTER TABLE auditledger_log DISABLE TRIGGER USER", logger: logger)
                try await connection.query("DELETE FROM auditledger_log WHERE position >= \(position)", logger: logger)
                try await connection.query("ALTER TABLE auditledger_log ENABLE TRIGGER USER", logger: logger)
            case .dropMonth(let month):
                try await connection.query(
                    PostgresQuery(unsafeSQL: "ALTER TABLE audit_events DETACH PARTITION \(month.partitionName)"), logger: logger)
                try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE \(month.partitionName)"), logger: logger)
            case .replaceCheckpoint(let size, let note, let root):
                try await connection.query("ALTER TABLE auditledger_checkpoints DISABLE TRIGGER USER", logger: logger)
                try await connection.query(
                    "UPDATE auditledger_checkpoints SET note = \(note), root_hash = \(root) WHERE tree_size = \(size)", logger: logger)
                try await connection.query("ALTER TABLE auditledger_checkpoints ENABLE TRIGGER USER", logger: logger)
            case .deleteCheckpoints(let sizes):
                try await connection.query("ALTER TABLE auditledger_checkpoints DISABLE TRIGGER USER", logger: logger)
                try await connection.query("DELETE FROM auditledger_checkpoints WHERE tree_size = ANY(\(sizes))", logger: logger)
                try await connection.query("ALTER TABLE auditledger_checkpoints ENABLE TRIGGER USER", logger: logger)
            }
            try await connection.query("ALTER TABLE audit_events ENABLE TRIGGER USER", logger: logger)
        }
    }

    private static func binds(_ id: UUID) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(id)
        return binds
    }

    private var logger: Logger { Logger(label: "test.tamper") }
}
