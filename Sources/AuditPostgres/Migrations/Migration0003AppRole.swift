extension PostgresMigration {
    /// Least privilege for the serving role. The partition functions run with their owner's
    /// rights (SECURITY DEFINER, search path pinned to the schema they live in), so a role that
    /// may only SELECT and INSERT can still have months created; `auditledger_grant_app_role`
    /// grants exactly what serving needs, and nothing that changes or removes rows or months.
    static let appRole = PostgresMigration(
        version: 3,
        name: "app_role",
        statements: [
            """
            DO $$
            BEGIN
                EXECUTE format('ALTER FUNCTION auditledger_ensure_partition(date) SECURITY DEFINER SET search_path = %I, pg_temp',
                               current_schema());
                EXECUTE format('ALTER FUNCTION auditledger_ensure_partitions(date[]) SECURITY DEFINER SET search_path = %I, pg_temp',
                               current_schema());
            END
            $$
            """,
            """
            REVOKE ALL ON FUNCTION auditledger_ensure_partition(date) FROM PUBLIC
            """,
            """
            REVOKE ALL ON FUNCTION auditledger_ensure_partitions(date[]) FROM PUBLIC
            """,
            """
            CREATE FUNCTION auditledger_grant_app_role(app_role name) RETURNS void
            LANGUAGE plpgsql AS $$
            BEGIN
                EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), app_role);
                EXECUTE format('GRANT SELECT, INSERT ON audit_events TO %I', app_role);
                EXECUTE format('GRANT USAGE ON SEQUENCE auditledger_insert_seq TO %I', app_role);
                EXECUTE format('GRANT SELECT ON auditledger_migrations TO %I', app_role);
                EXECUTE format('GRANT EXECUTE ON FUNCTION auditledger_ensure_partitions(date[]) TO %I', app_role);
            END
            $$
            """,
        ]
    )
}
