extension PostgresMigration {
    /// `written_by`: the authenticated principal that wrote each event (an AuditLedger
    /// extension). Added to the partitioned table, so every month, present and future, has it;
    /// rows stored before stay `NULL` (not known), and adding a nullable column without a
    /// default rewrites no row.
    static let writtenBy = PostgresMigration(
        version: 6,
        name: "written_by",
        statements: [
            """
            ALTER TABLE audit_events ADD COLUMN written_by varchar(255)
            """,
            """
            COMMENT ON COLUMN audit_events.written_by IS 'The authenticated principal that wrote the event (AuditLedger); NULL when not known'
            """,
        ]
    )
}
