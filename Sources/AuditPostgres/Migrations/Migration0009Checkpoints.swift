extension PostgresMigration {
    /// Signed checkpoints of the log (docs/integrity.md): each C2SP signed note with its tree
    /// size, root and the frontier the next one starts from; the hashes of the log's perfect
    /// subtrees of 256 leaves and more, so that proofs read few leaves; and every public key
    /// that signed a checkpoint. All three are append-only, enforced like the log.
    static let checkpoints = PostgresMigration(
        version: 9,
        name: "checkpoints",
        statements: [
            """
            CREATE TABLE auditledger_checkpoints (
                tree_size  bigint      PRIMARY KEY CHECK (tree_size >= 0),
                root_hash  varchar(64) NOT NULL,
                note       text        NOT NULL,
                key_label  text        NOT NULL,
                frontier   text        NOT NULL,
                created_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE auditledger_log_nodes (
                level      smallint NOT NULL CHECK (level BETWEEN 0 AND 63),
                node_index bigint   NOT NULL CHECK (node_index >= 0),
                hash       bytea    NOT NULL CHECK (length(hash) = 32),
                PRIMARY KEY (level, node_index)
            )
            """,
            """
            CREATE TABLE auditledger_signing_keys (
                key_label     text        PRIMARY KEY,
                verifier_key  text        NOT NULL,
                first_used_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TRIGGER auditledger_refuse_change BEFORE UPDATE OR DELETE ON auditledger_checkpoints
            FOR EACH ROW EXECUTE FUNCTION auditledger_refuse_log_change()
            """,
            """
            CREATE TRIGGER auditledger_refuse_truncate BEFORE TRUNCATE ON auditledger_checkpoints
            FOR EACH STATEMENT EXECUTE FUNCTION auditledger_refuse_log_change()
            """,
            """
            REVOKE UPDATE, DELETE, TRUNCATE ON auditledger_checkpoints FROM PUBLIC
            """,
            """
            CREATE TRIGGER auditledger_refuse_change BEFORE UPDATE OR DELETE ON auditledger_log_nodes
            FOR EACH ROW EXECUTE FUNCTION auditledger_refuse_log_change()
            """,
            """
            CREATE TRIGGER auditledger_refuse_truncate BEFORE TRUNCATE ON auditledger_log_nodes
            FOR EACH STATEMENT EXECUTE FUNCTION auditledger_refuse_log_change()
            """,
            """
            REVOKE UPDATE, DELETE, TRUNCATE ON auditledger_log_nodes FROM PUBLIC
            """,
            """
            CREATE TRIGGER auditledger_refuse_change BEFORE UPDATE OR DELETE ON auditledger_signing_keys
            FOR EACH ROW EXECUTE FUNCTION auditledger_refuse_log_change()
            """,
            """
            CREATE TRIGGER auditledger_refuse_truncate BEFORE TRUNCATE ON auditledger_signing_keys
            FOR EACH STATEMENT EXECUTE FUNCTION auditledger_refuse_log_change()
            """,
            """
            REVOKE UPDATE, DELETE, TRUNCATE ON auditledger_signing_keys FROM PUBLIC
            """,
            // The serving role signs checkpoints; it cannot change them.
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
                EXECUTE format('GRANT SELECT, INSERT ON auditledger_checkpoints TO %I', app_role);
                EXECUTE format('GRANT SELECT, INSERT ON auditledger_log_nodes TO %I', app_role);
                EXECUTE format('GRANT SELECT, INSERT ON auditledger_signing_keys TO %I', app_role);
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
