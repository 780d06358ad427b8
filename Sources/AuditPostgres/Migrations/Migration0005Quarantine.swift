extension PostgresMigration {
    /// The quarantine: acknowledged events the store refused, kept in the store (never only in
    /// a local folder), append-only except for being resolved once. Also an index for finding
    /// an event's legal holds, which query answers now show.
    static let quarantine = PostgresMigration(
        version: 5,
        name: "quarantine",
        statements: [
            // events: the request's events as JSON text (not jsonb, so every byte is kept).
            """
            CREATE TABLE auditledger_quarantine (
                quarantine_id  bigint       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                record_key     text         NOT NULL UNIQUE,
                quarantined_at timestamptz  NOT NULL,
                received_at    timestamptz,
                request_id     text,
                origin         text         NOT NULL,
                reason         text         NOT NULL,
                detail         text         NOT NULL,
                event_count    integer      NOT NULL CHECK (event_count > 0),
                event_ids      uuid[]       NOT NULL,
                events         text         NOT NULL,
                resolved_at    timestamptz,
                resolution     text,
                CONSTRAINT auditledger_quarantine_resolution_check CHECK ((resolved_at IS NULL) = (resolution IS NULL))
            )
            """,
            """
            CREATE INDEX auditledger_quarantine_open_idx ON auditledger_quarantine (quarantine_id) WHERE resolved_at IS NULL
            """,
            """
            CREATE FUNCTION auditledger_refuse_quarantine_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND OLD.resolved_at IS NULL AND NEW.resolved_at IS NOT NULL
                   AND (NEW.quarantine_id, NEW.record_key, NEW.quarantined_at, NEW.received_at, NEW.request_id, NEW.origin,
                        NEW.reason, NEW.detail, NEW.event_count, NEW.event_ids, NEW.events)
                       IS NOT DISTINCT FROM
                       (OLD.quarantine_id, OLD.record_key, OLD.quarantined_at, OLD.received_at, OLD.request_id, OLD.origin,
                        OLD.reason, OLD.detail, OLD.event_count, OLD.event_ids, OLD.events) THEN
                    RETURN NEW;  -- resolving a record: the only change allowed
                END IF;
                RAISE EXCEPTION 'the quarantine is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """,
            """
            CREATE TRIGGER auditledger_refuse_change BEFORE UPDATE OR DELETE ON auditledger_quarantine
            FOR EACH ROW EXECUTE FUNCTION auditledger_refuse_quarantine_change()
            """,
            """
            CREATE TRIGGER auditledger_refuse_truncate BEFORE TRUNCATE ON auditledger_quarantine
            FOR EACH STATEMENT EXECUTE FUNCTION auditledger_refuse_change()
            """,
            """
            CREATE INDEX auditledger_legal_hold_events_event_idx ON auditledger_legal_hold_events (event_id)
            """,
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
                EXECUTE format('GRANT SELECT, INSERT ON auditledger_quarantine TO %I', app_role);
                EXECUTE format('GRANT UPDATE (resolved_at, resolution) ON auditledger_quarantine TO %I', app_role);
            END
            $$
            """,
        ]
    )
}
