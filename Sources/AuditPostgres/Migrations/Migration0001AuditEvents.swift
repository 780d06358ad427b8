extension PostgresMigration {
    /// The partitioned `audit_events` table (Kubernaut's column names), its indexes, and the
    /// triggers that make its rows immutable. Partitions are created by migration 2's function.
    static let auditEvents = PostgresMigration(
        version: 1,
        name: "audit_events",
        statements: [
            """
            CREATE SEQUENCE auditledger_insert_seq AS bigint
            """,
            """
            CREATE TABLE audit_events (
                event_id          uuid         NOT NULL,
                event_version     varchar(20)  NOT NULL,
                event_timestamp   timestamptz  NOT NULL,
                event_date        date         NOT NULL,
                event_type        varchar(100) NOT NULL,
                event_category    varchar(50)  NOT NULL,
                event_action      varchar(50)  NOT NULL,
                event_outcome     varchar(20)  NOT NULL,
                actor_type        varchar(50)  NOT NULL,
                actor_id          varchar(255) NOT NULL,
                actor_ip          inet,
                resource_type     varchar(100) NOT NULL,
                resource_id       varchar(255) NOT NULL,
                correlation_id    varchar(255) NOT NULL,
                parent_event_id   uuid,
                parent_event_date date,
                namespace         varchar(253),
                cluster_id        varchar(255),
                severity          varchar(20),
                duration_ms       integer,
                error_code        varchar(50),
                error_message     text,
                retention_days    integer      NOT NULL DEFAULT 2555,
                is_sensitive      boolean      NOT NULL DEFAULT false,
                event_data        jsonb        NOT NULL,
                insert_seq        bigint       NOT NULL DEFAULT nextval('auditledger_insert_seq'),
                CONSTRAINT audit_events_pkey PRIMARY KEY (event_id, event_date),
                CONSTRAINT audit_events_outcome_check CHECK (event_outcome IN ('success', 'failure', 'pending')),
                CONSTRAINT audit_events_date_check CHECK (event_date = (event_timestamp AT TIME ZONE 'UTC')::date),
                CONSTRAINT audit_events_retention_check CHECK (retention_days BETWEEN 1 AND 2555),
                CONSTRAINT audit_events_duration_check CHECK (duration_ms >= 0),
                CONSTRAINT audit_events_event_data_check CHECK (jsonb_typeof(event_data) = 'object'),
                CONSTRAINT audit_events_parent_check CHECK ((parent_event_id IS NULL) = (parent_event_date IS NULL)),
                CONSTRAINT audit_events_parent_fkey FOREIGN KEY (parent_event_id, parent_event_date)
                    REFERENCES audit_events (event_id, event_date) ON DELETE RESTRICT
            ) PARTITION BY RANGE (event_date)
            """,
            """
            ALTER SEQUENCE auditledger_insert_seq OWNED BY audit_events.insert_seq
            """,
            """
            COMMENT ON TABLE audit_events IS
            'Immutable audit trail (Kubernaut audit_events schema). One partition per month, audit_events_YYYY_MM. UPDATE, DELETE and TRUNCATE are refused by triggers; retention drops whole months.'
            """,
            // One index per question the query API answers; docs/schema.md shows each in use.
            """
            CREATE INDEX audit_events_correlation_idx ON audit_events (correlation_id, event_timestamp)
            """,
            """
            CREATE INDEX audit_events_type_idx ON audit_events (event_type, event_timestamp)
            """,
            """
            CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id, event_timestamp)
            """,
            """
            CREATE INDEX audit_events_actor_idx ON audit_events (actor_type, actor_id, event_timestamp)
            """,
            """
            CREATE INDEX audit_events_outcome_idx ON audit_events (event_outcome, event_timestamp)
            """,
            """
            CREATE INDEX audit_events_time_idx ON audit_events (event_timestamp, event_id)
            """,
            """
            CREATE INDEX audit_events_event_data_idx ON audit_events USING gin (event_data jsonb_path_ops)
            """,
            """
            CREATE FUNCTION auditledger_refuse_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit events are immutable: % on % is refused', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege',
                          HINT = 'Audit rows are never updated or deleted; retention removes whole months.';
            END
            $$
            """,
            // Row triggers on the partitioned table are cloned onto every partition, including
            // partitions created by hand; statement triggers also refuse statements that match no
            // row. Partitions get their own statement triggers (see migration 2).
            """
            CREATE TRIGGER auditledger_refuse_update BEFORE UPDATE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION auditledger_refuse_change()
            """,
            """
            CREATE TRIGGER auditledger_refuse_delete BEFORE DELETE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION auditledger_refuse_change()
            """,
            """
            CREATE TRIGGER auditledger_refuse_update_statement BEFORE UPDATE ON audit_events
            FOR EACH STATEMENT EXECUTE FUNCTION auditledger_refuse_change()
            """,
            """
            CREATE TRIGGER auditledger_refuse_delete_statement BEFORE DELETE ON audit_events
            FOR EACH STATEMENT EXECUTE FUNCTION auditledger_refuse_change()
            """,
            """
            CREATE TRIGGER auditledger_refuse_truncate BEFORE TRUNCATE ON audit_events
            FOR EACH STATEMENT EXECUTE FUNCTION auditledger_refuse_change()
            """,
            """
            REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM PUBLIC
            """,
        ]
    )
}
