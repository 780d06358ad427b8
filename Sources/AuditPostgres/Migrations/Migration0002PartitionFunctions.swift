extension PostgresMigration {
    /// Functions that create monthly partitions idempotently, under an advisory lock, with
    /// the immutability triggers each partition needs. The server calls them with bound
    /// parameters, so no SQL is ever built from values in Swift.
    static let partitionFunctions = PostgresMigration(
        version: 2,
        name: "partition_functions",
        statements: [
            """
            CREATE FUNCTION auditledger_ensure_partition(month_start date) RETURNS boolean
            LANGUAGE plpgsql AS $$
            DECLARE
                first_day date := date_trunc('month', month_start)::date;
                next_first_day date := (date_trunc('month', month_start) + interval '1 month')::date;
                partition_name text := 'audit_events_' || to_char(date_trunc('month', month_start), 'YYYY_MM');
            BEGIN
                -- One creator at a time, across every server replica (held to the end of the transaction).
                PERFORM pg_advisory_xact_lock(4702111234474983745);
                IF EXISTS (
                    SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'audit_events'::regclass AND c.relname = partition_name
                ) THEN
                    RETURN false;
                END IF;
                IF to_regclass(quote_ident(partition_name)) IS NOT NULL THEN
                    RAISE EXCEPTION 'table % exists but is not a partition of audit_events', partition_name
                        USING ERRCODE = 'duplicate_table';
                END IF;
                EXECUTE format('CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
                               partition_name, first_day, next_first_day);
                EXECUTE format('CREATE TRIGGER auditledger_refuse_update_statement BEFORE UPDATE ON %I '
                               'FOR EACH STATEMENT EXECUTE FUNCTION auditledger_refuse_change()', partition_name);
                EXECUTE format('CREATE TRIGGER auditledger_refuse_delete_statement BEFORE DELETE ON %I '
                               'FOR EACH STATEMENT EXECUTE FUNCTION auditledger_refuse_change()', partition_name);
                EXECUTE format('CREATE TRIGGER auditledger_refuse_truncate BEFORE TRUNCATE ON %I '
                               'FOR EACH STATEMENT EXECUTE FUNCTION auditledger_refuse_change()', partition_name);
                EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM PUBLIC', partition_name);
                RETURN true;
            END
            $$
            """,
            """
            CREATE FUNCTION auditledger_ensure_partitions(month_starts date[]) RETURNS integer
            LANGUAGE plpgsql AS $$
            DECLARE
                month_start date;
                created integer := 0;
            BEGIN
                FOREACH month_start IN ARRAY month_starts LOOP
                    IF auditledger_ensure_partition(month_start) THEN
                        created := created + 1;
                    END IF;
                END LOOP;
                RETURN created;
            END
            $$
            """,
        ]
    )
}
