extension PostgresMigration {
    /// The writer's two lookups by `event_id` as PL/pgSQL functions, so that each connection
    /// plans them once and keeps the plan (docs/performance.md).
    ///
    /// An `event_id` may be in any month, so these lookups read every month's primary key and
    /// nothing can be pruned; sent as plain statements they were planned again for every
    /// transaction, over every month, which cost ten times their execution. A PL/pgSQL
    /// function's statements are prepared once per connection, and with `plan_cache_mode =
    /// force_generic_plan`, which the store sets in its write transactions, the generic plan is used
    /// from the first call. That plan is made once, possibly while the months are still empty,
    /// when a sequential scan looks cheapest and would then stay for as long as the connection:
    /// `enable_seqscan = off` keeps both on the months' primary keys. Both run with the
    /// caller's rights: they read only what the caller could read itself.
    static let writerLookups = PostgresMigration(
        version: 10,
        name: "writer_lookups",
        statements: [
            """
            CREATE FUNCTION auditledger_events_by_id(ids uuid[]) RETURNS SETOF audit_events
            LANGUAGE plpgsql STABLE SET enable_seqscan = off AS $$
            BEGIN
                RETURN QUERY SELECT * FROM audit_events WHERE event_id = ANY(ids);
            END
            $$
            """,
            """
            CREATE FUNCTION auditledger_event_dates(ids uuid[]) RETURNS TABLE (event_id uuid, event_date date)
            LANGUAGE plpgsql STABLE SET enable_seqscan = off AS $$
            BEGIN
                RETURN QUERY SELECT e.event_id, e.event_date FROM audit_events e WHERE e.event_id = ANY(ids);
            END
            $$
            """,
        ]
    )
}
