extension PostgresMigration {
    /// `event_hash` and `hash_algorithm`: SHA-256 of each event's canonical encoding
    /// (`sha256:auditledger.event.v1`, docs/integrity.md), computed as the event is written.
    /// Rows stored before stay `NULL`: their hash is not made up after the fact.
    static let eventHash = PostgresMigration(
        version: 7,
        name: "event_hash",
        statements: [
            """
            ALTER TABLE audit_events ADD COLUMN event_hash varchar(64), ADD COLUMN hash_algorithm varchar(64)
            """,
            """
            COMMENT ON COLUMN audit_events.event_hash IS 'SHA-256 (hex) of the event''s canonical encoding, named by hash_algorithm (AuditLedger)'
            """,
        ]
    )
}
