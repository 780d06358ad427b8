extension PostgresMigration {
    /// Legal holds, per-category retention, and the lifecycle log.
    ///
    /// A hold links to each event it covers through `auditledger_legal_hold_events`, whose
    /// foreign key into `audit_events` makes PostgreSQL itself refuse to detach (and so to drop)
    /// a month holding a held event. The log and the holds' history are append-only, enforced
    /// by triggers like the audit rows.
    static let lifecycle = PostgresMigration(
        version: 4,
        name: "lifecycle",
        statements: [
            """
            CREATE TABLE auditledger_legal_holds (
                hold_id        bigint       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                correlation_id varchar(255) NOT NULL,
                reason         text         NOT NULL,
                placed_by      text         NOT NULL,
                placed_at      timestamptz  NOT NULL,
                released_by    text,
                released_at    timestamptz,
                release_reason text,
                CONSTRAINT auditledger_legal_holds_release_check
                    CHECK ((released_at IS NULL) = (released_by IS NULL) AND (released_at IS NULL) = (release_reason IS NULL))
            )
            """,
            """
            CREATE INDEX auditledger_legal_holds_active_idx ON auditledger_legal_holds (correlation_id) WHERE released_at IS NULL
            """,
            """
            CREATE TABLE auditledger_legal_hold_events (
                hold_id    bigint NOT NULL REFERENCES auditledger_legal_holds (hold_id),
                event_id   uuid   NOT NULL,
                event_date date   NOT NULL,
                PRIMARY KEY (hold_id, event_id, event_date),
                CONSTRAINT auditledger_legal_hold_events_event_fkey FOREIGN KEY (event_id, event_date)
                    REFERENCES audit_events (event_id, event_date) ON DELETE RESTRICT
            )
            """,
            """
            CREATE INDEX auditledger_legal_hold_events_date_idx ON auditledger_legal_hold_events (event_date)
            """,
            // Children whose parent lies in another month: retention must keep a parent's month
            // while such children stay. Few rows qualify, so the index is small.
            """
            CREATE INDEX audit_events_cross_month_parent_idx ON audit_events (parent_event_date, event_date)
            WHERE parent_event_date IS NOT NULL
              AND date_trunc('month', parent_event_date::timestamp) <> date_trunc('month', event_date::timestamp)
            """,
            """
            CREATE TABLE auditledger_retention_policies (
                event_category varchar(50) PRIMARY KEY,
                retention_days integer     NOT NULL CHECK (retention_days BETWEEN 1 AND 2555),
                updated_at     timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE auditledger_lifecycle_log (
                entry_id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                kind            text        NOT NULL CHECK (kind IN ('maintenance', 'retention', 'restore')),
                started_at      timestamptz NOT NULL,
                duration_ms     bigint      NOT NULL,
                month           date,
                row_count       bigint,
                archive_path    text,
                archive_sha256  text,
                triggered_by    text        NOT NULL,
                outcome         text        NOT NULL,
                detail          text        NOT NULL
            )
            """,
            """
            CREATE FUNCTION auditledger_refuse_history_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                -- Nested so that each table's branch only names its own columns.
                IF TG_TABLE_NAME = 'auditledger_legal_holds' THEN
                    IF TG_OP = 'UPDATE' AND OLD.released_at IS NULL AND NEW.released_at IS NOT NULL
                       AND (NEW.hold_id, NEW.correlation_id, NEW.reason, NEW.placed_by, NEW.placed_at)
                           IS NOT DISTINCT FROM (OLD.hold_id, OLD.correlation_id, OLD.reason, OLD.placed_by, OLD.placed_at) THEN
                        RETURN NEW;  -- releasing a hold: the only change allowed
                    END IF;
                ELSIF TG_TABLE_NAME = 'auditledger_legal_hold_events' THEN
                    IF TG_OP = 'DELETE' AND EXISTS (
                        SELECT 1 FROM auditledger_legal_holds h WHERE h.hold_id = OLD.hold_id AND h.released_at IS NOT NULL
                    ) THEN
                        RETURN OLD;  -- a released hold lets go of its events
                    END IF;
                END IF;
                RAISE EXCEPTION 'legal hold history and the lifecycle log are append-only: % on % is refused', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """,
            """
            CREATE TRIGGER auditledger_refuse_change BEFORE UPDATE OR DELETE ON auditledger_legal_holds
            FOR EACH ROW EXECUTE FUNCTION auditledger_refuse_history_change()
            """,
            """
            CREATE TRIGGER auditledger_refuse_change BEFORE UPDATE OR DELETE ON auditledger_legal_hold_events
            FOR EACH ROW EXECUTE FUNCTION auditledger_refuse_history_change()
            """,
            """
            CREATE TRIGGER auditledger_refuse_change BEFORE UPDATE OR DELETE ON auditledger_lifecycle_log
            FOR EACH ROW EXECUTE FUNCTION auditledger_refuse_history_change()
            """,
            """
            CREATE TRIGGER auditledger_refuse_truncate BEFORE TRUNCATE ON auditledger_legal_holds
            FOR EACH STATEMENT EXECUTE FUNCTION auditledger_refuse_change()
            """,
            """
            CREATE TRIGGER auditledger_refuse_truncate BEFORE TRUNCATE ON auditledger_legal_hold_events
            FOR EACH STATEMENT EXECUTE FUNCTION auditledger_refuse_change()
            """,
            """
            CREATE TRIGGER auditledger_refuse_truncate BEFORE TRUNCATE ON auditledger_lifecycle_log
            FOR EACH STATEMENT EXECUTE FUNCTION auditledger_refuse_change()
            """,
            // The serving role places and releases holds, reads policies and the log, and
            // records maintenance runs; it still cannot remove data.
            """
            CREATE OR REPLACE FUNCTION auditledger_grant_app_role(app_role name) RETURNS void
            LANGUAGE plpgsql AS $$
            BEGIN
                EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), app_role);
                EXECUTE format('GRANT SELECT, INSERT ON audit_events TO %I', app_role);
                EXECUTE format('GRANT USAGE ON SEQUENCE auditledger_insert_seq TO %I', app_role);
                EXECUTE format('GRANT SELECT ON auditledger_migrations TO %I', app_role);
                EXECUTE format('GRANT EXECUTE ON FUNCTION auditledger_ensure_partitions(date[]) TO %I', app_role);
                EXECUTE format('GRANT SELECT, INSERT ON auditledger_legal_holds TO %I', app_role);
                EXECUTE format('GRANT UPDATE (released_by, released_at, release_reason) ON auditledger_legal_holds TO %I', app_role);
                EXECUTE format('GRANT SELECT, INSERT, DELETE ON auditledger_legal_hold_events TO %I', app_role);
                EXECUTE format('GRANT SELECT ON auditledger_retention_policies TO %I', app_role);
                EXECUTE format('GRANT SELECT, INSERT ON auditledger_lifecycle_log TO %I', app_role);
            END
            $$
            """,
        ]
    )
}
