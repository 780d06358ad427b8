import AuditCore
import GRDB

/// The embedded schema: a catalog of months and one table per month, `audit_events_YYYY_MM`,
/// with the same columns as PostgreSQL's `audit_events`, plus a view `audit_events` over all months.
///
/// All months live in one database file so that a batch spanning months commits atomically
/// (SQLite's WAL mode does not commit several attached files atomically).
enum SQLiteSchema {
    /// Versioned migrations of the catalog tables; append only (GRDB records them by name).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 catalog") { db in
            try db.execute(
                sql: """
                    CREATE TABLE auditledger_months (
                        month      TEXT    NOT NULL PRIMARY KEY,   -- YYYY-MM
                        table_name TEXT    NOT NULL UNIQUE,
                        created_at INTEGER NOT NULL                -- microseconds since 1970-01-01T00:00:00Z
                    );
                    CREATE TABLE auditledger_counters (
                        name  TEXT    NOT NULL PRIMARY KEY,
                        value INTEGER NOT NULL
                    );
                    INSERT INTO auditledger_counters (name, value) VALUES ('insert_seq', 0);
                    CREATE VIEW audit_events AS SELECT NULL AS event_id WHERE 0;
                    """
            )
        }
        migrator.registerMigration("v2 lifecycle") { db in
            try db.execute(
                sql: """
                    CREATE TABLE auditledger_legal_holds (
                        hold_id        INTEGER PRIMARY KEY AUTOINCREMENT,
                        correlation_id TEXT    NOT NULL,
                        reason         TEXT    NOT NULL,
                        placed_by      TEXT    NOT NULL,
                        placed_at      INTEGER NOT NULL,
                        released_by    TEXT,
                        released_at    INTEGER,
                        release_reason TEXT
                    );
                    CREATE INDEX auditledger_legal_holds_active_idx ON auditledger_legal_holds (correlation_id) WHERE released_at IS NULL;
                    CREATE TABLE auditledger_legal_hold_events (
                        hold_id    INTEGER NOT NULL REFERENCES auditledger_legal_holds (hold_id),
                        event_id   TEXT    NOT NULL,
                        event_date TEXT    NOT NULL,
                        PRIMARY KEY (hold_id, event_id)
                    );
                    CREATE INDEX auditledger_legal_hold_events_date_idx ON auditledger_legal_hold_events (event_date);
                    CREATE TABLE auditledger_retention_policies (
                        event_category TEXT    NOT NULL PRIMARY KEY,
                        retention_days INTEGER NOT NULL CHECK (retention_days BETWEEN 1 AND 2555),
                        updated_at     INTEGER NOT NULL
                    );
                    CREATE TABLE auditledger_lifecycle_log (
                        entry_id       INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind           TEXT    NOT NULL CHECK (kind IN ('maintenance', 'retention', 'restore')),
                        started_at     INTEGER NOT NULL,
                        duration_ms    INTEGER NOT NULL,
                        month          TEXT,
                        row_count      INTEGER,
                        archive_path   TEXT,
                        archive_sha256 TEXT,
                        triggered_by   TEXT    NOT NULL,
                        outcome        TEXT    NOT NULL,
                        detail         TEXT    NOT NULL
                    );
                    CREATE TABLE auditledger_locks (
                        name       TEXT    NOT NULL PRIMARY KEY,
                        holder     TEXT    NOT NULL,
                        expires_at INTEGER NOT NULL
                    );
                    CREATE TRIGGER auditledger_lifecycle_log_refuse_update BEFORE UPDATE ON auditledger_lifecycle_log
                    BEGIN SELECT RAISE(ABORT, 'the lifecycle log is append-only'); END;
                    CREATE TRIGGER auditledger_lifecycle_log_refuse_delete BEFORE DELETE ON auditledger_lifecycle_log
                    BEGIN SELECT RAISE(ABORT, 'the lifecycle log is append-only'); END;
                    CREATE TRIGGER auditledger_legal_holds_refuse_delete BEFORE DELETE ON auditledger_legal_holds
                    BEGIN SELECT RAISE(ABORT, 'legal hold history is append-only'); END;
                    CREATE TRIGGER auditledger_legal_holds_release_only BEFORE UPDATE ON auditledger_legal_holds
                    WHEN OLD.released_at IS NOT NULL OR NEW.released_at IS NULL OR NEW.released_by IS NULL OR NEW.release_reason IS NULL
                      OR NEW.hold_id IS NOT OLD.hold_id OR NEW.correlation_id IS NOT OLD.correlation_id OR NEW.reason IS NOT OLD.reason
                      OR NEW.placed_by IS NOT OLD.placed_by OR NEW.placed_at IS NOT OLD.placed_at
                    BEGIN SELECT RAISE(ABORT, 'legal hold history is append-only: a hold can only be released, once'); END;
                    CREATE TRIGGER auditledger_legal_hold_events_refuse_update BEFORE UPDATE ON auditledger_legal_hold_events
                    BEGIN SELECT RAISE(ABORT, 'legal hold history is append-only'); END;
                    CREATE TRIGGER auditledger_legal_hold_events_release_only BEFORE DELETE ON auditledger_legal_hold_events
                    WHEN NOT EXISTS (SELECT 1 FROM auditledger_legal_holds h WHERE h.hold_id = OLD.hold_id AND h.released_at IS NOT NULL)
                    BEGIN SELECT RAISE(ABORT, 'an active legal hold keeps its events'); END;
                    """
            )
        }
        migrator.registerMigration("v3 quarantine") { db in
            try db.execute(
                sql: """
                    CREATE TABLE auditledger_quarantine (
                        quarantine_id  INTEGER PRIMARY KEY AUTOINCREMENT,
                        record_key     TEXT    NOT NULL UNIQUE,
                        quarantined_at INTEGER NOT NULL,
                        received_at    INTEGER,
                        request_id     TEXT,
                        origin         TEXT    NOT NULL,
                        reason         TEXT    NOT NULL,
                        detail         TEXT    NOT NULL,
                        event_count    INTEGER NOT NULL CHECK (event_count > 0),
                        event_ids      TEXT    NOT NULL,   -- JSON array of the events' ids
                        events         TEXT    NOT NULL,
                        resolved_at    INTEGER,
                        resolution     TEXT,
                        CHECK ((resolved_at IS NULL) = (resolution IS NULL))
                    );
                    CREATE TRIGGER auditledger_quarantine_refuse_delete BEFORE DELETE ON auditledger_quarantine
                    BEGIN SELECT RAISE(ABORT, 'the quarantine is append-only'); END;
                    CREATE TRIGGER auditledger_quarantine_resolve_only BEFORE UPDATE ON auditledger_quarantine
                    WHEN OLD.resolved_at IS NOT NULL OR NEW.resolved_at IS NULL OR NEW.resolution IS NULL
                      OR NEW.quarantine_id IS NOT OLD.quarantine_id OR NEW.record_key IS NOT OLD.record_key
                      OR NEW.quarantined_at IS NOT OLD.quarantined_at OR NEW.received_at IS NOT OLD.received_at
                      OR NEW.request_id IS NOT OLD.request_id OR NEW.origin IS NOT OLD.origin OR NEW.reason IS NOT OLD.reason
                      OR NEW.detail IS NOT OLD.detail OR NEW.event_count IS NOT OLD.event_count OR NEW.event_ids IS NOT OLD.event_ids
                      OR NEW.events IS NOT OLD.events
                    BEGIN SELECT RAISE(ABORT, 'the quarantine is append-only: a record can only be resolved, once'); END;
                    CREATE INDEX auditledger_legal_hold_events_event_idx ON auditledger_legal_hold_events (event_id);
                    """
            )
        }
        migrator.registerMigration("v4 written_by") { db in
            // The principal that wrote each event; rows stored before stay NULL (not known).
            let months = try SQLiteStore.months(in: db)
            for month in months {
                try db.execute(sql: "ALTER TABLE \(month.partitionName) ADD COLUMN written_by TEXT")
            }
            try db.execute(sql: recreateView(months: months))
        }
        migrator.registerMigration("v5 event hash") { db in
            // SHA-256 of each event's canonical encoding; rows stored before stay NULL.
            let months = try SQLiteStore.months(in: db)
            for month in months {
                try db.execute(sql: "ALTER TABLE \(month.partitionName) ADD COLUMN event_hash TEXT")
                try db.execute(sql: "ALTER TABLE \(month.partitionName) ADD COLUMN hash_algorithm TEXT")
            }
            try db.execute(sql: recreateView(months: months))
        }
        migrator.registerMigration("v6 log") { db in
            // The log (docs/integrity.md): every event in commit order; the queue of events not
            // logged yet, written in each event's own transaction. The log is append-only.
            try db.execute(
                sql: """
                    CREATE TABLE auditledger_log_pending (
                        insert_seq     INTEGER NOT NULL PRIMARY KEY,
                        event_id       TEXT    NOT NULL UNIQUE,
                        event_date     TEXT    NOT NULL,
                        correlation_id TEXT    NOT NULL,
                        event_hash     TEXT,   -- NULL (with leaf_hash) for events stored before the log:
                        leaf_hash      TEXT,   -- the sequencer hashes those from their rows
                        CHECK ((event_hash IS NULL) = (leaf_hash IS NULL))
                    );

                    CREATE TABLE auditledger_log (
                        position            INTEGER NOT NULL PRIMARY KEY CHECK (position >= 0),
                        event_id            TEXT    NOT NULL UNIQUE,
                        event_date          TEXT    NOT NULL,
                        correlation_id      TEXT    NOT NULL,
                        event_hash          TEXT    NOT NULL,
                        previous_event_hash TEXT,
                        leaf_hash           TEXT    NOT NULL,
                        logged_at           INTEGER NOT NULL
                    );
                    CREATE INDEX auditledger_log_correlation_idx ON auditledger_log (correlation_id, position);
                    CREATE TRIGGER auditledger_log_refuse_update BEFORE UPDATE ON auditledger_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    CREATE TRIGGER auditledger_log_refuse_delete BEFORE DELETE ON auditledger_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    """
            )
            // Every event stored before is queued too, without hashes: the sequencer hashes those from their rows.
            for month in try SQLiteStore.months(in: db) {
                try db.execute(
                    sql: """
                        INSERT INTO auditledger_log_pending (insert_seq, event_id, event_date, correlation_id)
                        SELECT insert_seq, event_id, event_date, correlation_id FROM \(month.partitionName)
                        """)
            }
        }
        migrator.registerMigration("v7 checkpoints") { db in
            // Signed checkpoints, the log's perfect subtrees of 256 leaves and more, and the keys
            // that signed (docs/integrity.md); append-only like the log.
            var statements = """
                CREATE TABLE auditledger_checkpoints (
                    tree_size  INTEGER NOT NULL PRIMARY KEY CHECK (tree_size >= 0),
                    root_hash  TEXT    NOT NULL,
                    note       TEXT    NOT NULL,
                    key_label  TEXT    NOT NULL,
                    frontier   TEXT    NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE auditledger_log_nodes (
                    level      INTEGER NOT NULL CHECK (level BETWEEN 0 AND 63),
                    node_index INTEGER NOT NULL CHECK (node_index >= 0),
                    hash       BLOB    NOT NULL CHECK (length(hash) = 32),
                    PRIMARY KEY (level, node_index)
                );
                CREATE TABLE auditledger_signing_keys (
                    key_label     TEXT    NOT NULL PRIMARY KEY,
                    verifier_key  TEXT    NOT NULL,
                    first_used_at INTEGER NOT NULL
                );
                """
            for table in ["auditledger_checkpoints", "auditledger_log_nodes", "auditledger_signing_keys"] {
                statements += """
                    CREATE TRIGGER \(table)_refuse_update BEFORE UPDATE ON \(table)
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    CREATE TRIGGER \(table)_refuse_delete BEFORE DELETE ON \(table)
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

                    """
            }
            try db.execute(sql: statements)
        }
        return migrator
    }

    /// Statements creating the table of `month` with its indexes and immutability triggers.
    /// The name is built from the month's digits only, never from input.
    static func createMonth(_ month: PartitionMonth) -> String {
        let table = month.partitionName
        let start = month.firstDay.startOfDay.microsecondsSinceEpoch
        let end = month.endDay.startOfDay.microsecondsSinceEpoch
        return """
            CREATE TABLE \(table) (
                event_id          TEXT    NOT NULL PRIMARY KEY,
                event_version     TEXT    NOT NULL,
                event_timestamp   INTEGER NOT NULL CHECK (event_timestamp >= \(start) AND event_timestamp < \(end)),
                event_date        TEXT    NOT NULL,
                event_type        TEXT    NOT NULL,
                event_category    TEXT    NOT NULL,
                event_action      TEXT    NOT NULL,
                event_outcome     TEXT    NOT NULL CHECK (event_outcome IN ('success', 'failure', 'pending')),
                actor_type        TEXT    NOT NULL,
                actor_id          TEXT    NOT NULL,
                actor_ip          TEXT,
                resource_type     TEXT    NOT NULL,
                resource_id       TEXT    NOT NULL,
                correlation_id    TEXT    NOT NULL,
                parent_event_id   TEXT,
                parent_event_date TEXT,
                namespace         TEXT,
                cluster_id        TEXT,
                severity          TEXT,
                duration_ms       INTEGER CHECK (duration_ms >= 0),
                error_code        TEXT,
                error_message     TEXT,
                retention_days    INTEGER NOT NULL CHECK (retention_days BETWEEN 1 AND 2555),
                is_sensitive      INTEGER NOT NULL CHECK (is_sensitive IN (0, 1)),
                event_data        TEXT    NOT NULL CHECK (json_type(event_data) = 'object'),
                insert_seq        INTEGER NOT NULL,
                written_by        TEXT,   -- after insert_seq, where "v4 written_by" added it to older months
                event_hash        TEXT,   -- with hash_algorithm: added by "v5 event hash" to older months
                hash_algorithm    TEXT,
                CHECK ((parent_event_id IS NULL) = (parent_event_date IS NULL))
            );
            CREATE INDEX \(table)_correlation_idx ON \(table) (correlation_id, event_timestamp);
            CREATE INDEX \(table)_type_idx ON \(table) (event_type, event_timestamp);
            CREATE INDEX \(table)_resource_idx ON \(table) (resource_type, resource_id, event_timestamp);
            CREATE INDEX \(table)_actor_idx ON \(table) (actor_type, actor_id, event_timestamp);
            CREATE INDEX \(table)_outcome_idx ON \(table) (event_outcome, event_timestamp);
            CREATE INDEX \(table)_time_idx ON \(table) (event_timestamp, event_id);
            CREATE TRIGGER \(table)_refuse_update BEFORE UPDATE ON \(table)
            BEGIN SELECT RAISE(ABORT, 'audit events are immutable: UPDATE is refused'); END;
            CREATE TRIGGER \(table)_refuse_delete BEFORE DELETE ON \(table)
            BEGIN SELECT RAISE(ABORT, 'audit events are immutable: DELETE is refused'); END;
            CREATE TRIGGER \(table)_refuse_replace BEFORE INSERT ON \(table)
            WHEN EXISTS (SELECT 1 FROM \(table) WHERE event_id = NEW.event_id)
            BEGIN SELECT RAISE(ABORT, 'audit events are immutable: a stored event_id is never replaced'); END;
            """
    }

    /// Statements creating the `event_data` indexes of `month` that do not exist yet: one per
    /// path, on the text at the path, for the rows that have a value there.
    static func createEventDataIndexes(_ month: PartitionMonth, paths: [EventDataPath]) -> String {
        paths.map { path in
            let expression = path.sqliteIndexExpression
            return
                "CREATE INDEX IF NOT EXISTS \"\(eventDataIndexName(month, path))\" ON \(month.partitionName) (\(expression)) WHERE \(expression) IS NOT NULL;"
        }.joined(separator: "\n")
    }

    /// The name of `month`'s index on `path` (quoted where written: the path holds dots).
    static func eventDataIndexName(_ month: PartitionMonth, _ path: EventDataPath) -> String {
        "\(month.partitionName)_data_\(path)_idx"
    }

    /// The `audit_events` view over every month, for reading the file with other tools.
    static func recreateView(months: [PartitionMonth]) -> String {
        let body =
            months.isEmpty
            ? "SELECT NULL AS event_id WHERE 0"
            : months.map { "SELECT * FROM \($0.partitionName)" }.joined(separator: " UNION ALL ")
        return "DROP VIEW IF EXISTS audit_events; CREATE VIEW audit_events AS \(body);"
    }
}
