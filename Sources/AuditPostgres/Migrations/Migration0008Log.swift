extension PostgresMigration {
    /// The log: every event, in commit order, one position each (docs/integrity.md).
    ///
    /// A writer queues each new event in `auditledger_log_pending` in the event's own
    /// transaction (its `event_hash` and leaf hash as the writer computed them); the sequencer,
    /// one at a time across servers (an advisory lock), moves what has committed into
    /// `auditledger_log` with the next positions and the correlation's previous `event_hash`.
    /// The log is append-only, enforced like the audit rows; the queue only ever loses rows
    /// that are in the log. Every event already stored is queued too, without hashes: the
    /// sequencer hashes those from their stored rows, so the log covers every event.
    static let log = PostgresMigration(
        version: 8,
        name: "log",
        statements: [
            """
            CREATE TABLE auditledger_log_pending (
                insert_seq     bigint       PRIMARY KEY,
                event_id       uuid         NOT NULL UNIQUE,
                event_date     date         NOT NULL,
                correlation_id varchar(255) NOT NULL,
                event_hash     varchar(64),
                leaf_hash      varchar(64),
                CONSTRAINT auditledger_log_pending_hashes_check CHECK ((event_hash IS NULL) = (leaf_hash IS NULL))
            )
            """,
            """
            INSERT INTO auditledger_log_pending (insert_seq, event_id, event_date, correlation_id)
            SELECT insert_seq, event_id, event_date, correlation_id FROM audit_events
            """,
            """
            CREATE TABLE auditledger_log (
                position            bigint       PRIMARY KEY CHECK (position >= 0),
                event_id            uuid         NOT NULL UNIQUE,
                event_date          date         NOT NULL,
                correlation_id      varchar(255) NOT NULL,
                event_hash          varchar(64)  NOT NULL,
                previous_event_hash varchar(64),
                leaf_hash           varchar(64)  NOT NULL,
                logged_at           timestamptz  NOT NULL
            )
            """,
            """
            CREATE INDEX auditledger_log_correlation_idx ON auditledger_log (correlation_id, position)
            """,
            """
            CREATE FUNCTION auditledger_refuse_log_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """,
            """
            CREATE TRIGGER auditledger_refuse_change BEFORE UPDATE OR DELETE ON auditledger_log
            FOR EACH ROW EXECUTE FUNCTION auditledger_refuse_log_change()
            """,
            """
            CREATE TRIGGER auditledger_refuse_truncate BEFORE TRUNCATE ON auditledger_log
            FOR EACH STATEMENT EXECUTE FUNCTION auditledger_refuse_log_change()
            """,
            """
            REVOKE UPDATE, DELETE, TRUNCATE ON auditledger_log FROM PUBLIC
            """,
            // The serving role queues events and sequences them; it cannot change the log.
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
                EXECUTE format('GRANT SELECT, INSERT, DELETE ON auditledger_log_pending TO %I', app_role);
                EXECUTE format('GRANT SELECT, INSERT ON auditledger_log TO %I', app_role);
            END
            $$
            """,
            // Roles granted before keep writing: they get the new grants now.
            """
            DO $$
            DECLARE grantee_name name;
            BEGIN
                FOR grantee_name IN
                    SELECT DISTINCT grantee::name FROM information_schema.role_table_grants
                    WHERE table_schema = current_schema() AND table_name = 'audit_events' AND privilege_type = 'INSERT'
                      AND grantee <> current_user AND grantee <> 'PUBLIC'
                LOOP
                    PERFORM auditledger_grant_app_role(grantee_name);
                END LOOP;
            END
            $$
            """,
        ]
    )
}
