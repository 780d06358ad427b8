import PostgresNIO

extension PostgresHarness {
    /// A non-partitioned audit table with Kubernaut's older column names
    /// (`event_version`, `cluster_name`) and extra columns AuditLedger does not keep.
    static let legacyAuditTable: PostgresQuery = """
        CREATE TABLE legacy_audit (
            event_id        uuid PRIMARY KEY,
            event_version   varchar(10) NOT NULL,
            event_timestamp timestamptz NOT NULL,
            event_date      date NOT NULL,
            event_type      varchar(100) NOT NULL,
            event_category  varchar(50) NOT NULL,
            event_action    varchar(50) NOT NULL,
            event_outcome   varchar(20) NOT NULL,
            actor_type      varchar(50),
            actor_id        varchar(255),
            actor_ip        inet,
            resource_type   varchar(100),
            resource_id     varchar(255),
            resource_name   varchar(255),
            correlation_id  varchar(255) NOT NULL,
            parent_event_id uuid,
            trace_id        varchar(64),
            namespace       varchar(253),
            cluster_name    varchar(255),
            event_data      jsonb NOT NULL,
            severity        varchar(20),
            duration_ms     integer,
            error_code      varchar(50),
            error_message   text,
            retention_days  integer,
            is_sensitive    boolean
        )
        """

    /// Creates `legacy_audit` with `rows` rows from 2024-10-15 on, 17 minutes apart (6,000 rows
    /// span October to December), every tenth the child of the one before. Row `n` has
    /// `event_id = md5('row-n')::uuid` and `resource_id = 'wfe-n'`.
    public func createLegacyAuditTable(rows count: Int) async throws {
        try await execute(Self.legacyAuditTable)
        try await execute(
            """
            INSERT INTO legacy_audit
            SELECT md5('row-' || n)::uuid, '1.0', t, (t AT TIME ZONE 'UTC')::date, 'workflow.execution.completed',
                   'workflowexecution', 'completed', CASE WHEN n % 7 = 0 THEN 'failure' ELSE 'success' END,
                   'service', 'workflowexecution-controller', CASE WHEN n % 5 = 0 THEN '10.0.0.' || (n % 250) END::inet,
                   'WorkflowExecution', 'wfe-' || n, 'we-' || n, 'rr-legacy-' || (n / 10), NULL, 'trace-' || n,
                   'payments-prod', 'prod-eu-1', jsonb_build_object('step', n, 'target', 'checkout'), 'info', n * 3,
                   NULL, NULL, CASE WHEN n % 3 = 0 THEN 365 END, n % 11 = 0
            FROM generate_series(1, \(count)) AS n,
                 LATERAL (SELECT timestamptz '2024-10-15 12:00:00+00' + n * interval '17 minutes' AS t) AS times
            """
        )
        try await execute(
            "UPDATE legacy_audit SET parent_event_id = md5('row-' || (substr(resource_id, 5)::int - 1))::uuid WHERE substr(resource_id, 5)::int % 10 = 0"
        )
    }
}
