public import AuditCore
import PostgresNIO

extension PostgresHarness {
    /// Every column with a new value for it; each UPDATE must be refused.
    static let columnChanges: [(column: String, value: String)] = [
        ("event_id", "gen_random_uuid()"), ("event_version", "'9.9'"), ("event_timestamp", "event_timestamp + interval '1 second'"),
        ("event_date", "event_date + 1"), ("event_type", "'tampered'"), ("event_category", "'tampered'"),
        ("event_action", "'tampered'"), ("event_outcome", "'failure'"), ("actor_type", "'tampered'"), ("actor_id", "'tampered'"),
        ("actor_ip", "'10.9.9.9'"), ("resource_type", "'tampered'"), ("resource_id", "'tampered'"), ("correlation_id", "'tampered'"),
        ("parent_event_id", "NULL"), ("parent_event_date", "NULL"), ("namespace", "'tampered'"), ("cluster_id", "'tampered'"),
        ("severity", "'tampered'"), ("duration_ms", "7"), ("error_code", "'tampered'"), ("error_message", "'tampered'"),
        ("retention_days", "1"), ("is_sensitive", "NOT is_sensitive"), ("event_data", #"'{"tampered": true}'::jsonb"#),
        ("insert_seq", "insert_seq + 1"), ("written_by", "'tampered'"),
        ("event_hash", "'" + String(repeating: "0", count: 64) + "'"), ("hash_algorithm", "'md5'"),
    ]

    public func directMutations(of event: AuditEvent) -> [DirectMutation] {
        let id = event.id
        let day = event.date.description
        let partition = event.date.month.partitionName
        var mutations: [DirectMutation] = [
            mutation("DELETE FROM audit_events WHERE event_id = $1", .deleteByID, false, "DELETE FROM audit_events WHERE event_id = \(id)"),
            mutation(
                "DELETE FROM audit_events WHERE event_id = $1 AND event_date = $2", .deleteByIDAndDate, false,
                "DELETE FROM audit_events WHERE event_id = \(id) AND event_date = \(day)::date"
            ),
            mutation("DELETE FROM \(partition) WHERE event_id = $1", .deleteByID, true, "DELETE FROM \(unescaped: partition) WHERE event_id = \(id)"),
            mutation(
                "DELETE FROM \(partition) WHERE event_id = $1 AND event_date = $2", .deleteByIDAndDate, true,
                "DELETE FROM \(unescaped: partition) WHERE event_id = \(id) AND event_date = \(day)::date"
            ),
            mutation("DELETE FROM audit_events (no WHERE)", .deleteAll, false, "DELETE FROM audit_events"),
            mutation("DELETE FROM \(partition) (no WHERE)", .deleteAll, true, "DELETE FROM \(unescaped: partition)"),
            mutation("TRUNCATE audit_events", .deleteAll, false, "TRUNCATE audit_events"),
            mutation("TRUNCATE audit_events CASCADE", .deleteAll, false, "TRUNCATE audit_events CASCADE"),
            mutation("TRUNCATE \(partition)", .deleteAll, true, "TRUNCATE \(unescaped: partition)"),
            mutation("TRUNCATE \(partition) CASCADE", .deleteAll, true, "TRUNCATE \(unescaped: partition) CASCADE"),
            mutation(
                "MERGE … WHEN MATCHED THEN DELETE", .other, false,
                "MERGE INTO audit_events t USING (SELECT \(id)::uuid AS id) s ON t.event_id = s.id WHEN MATCHED THEN DELETE"
            ),
            mutation(
                "MERGE … WHEN MATCHED THEN UPDATE", .other, false,
                "MERGE INTO audit_events t USING (SELECT \(id)::uuid AS id) s ON t.event_id = s.id WHEN MATCHED THEN UPDATE SET event_type = 'tampered'"
            ),
            mutation(
                "INSERT … ON CONFLICT DO UPDATE", .other, false,
                """
                INSERT INTO audit_events SELECT * FROM audit_events WHERE event_id = \(id)
                ON CONFLICT (event_id, event_date) DO UPDATE SET event_type = 'tampered'
                """
            ),
        ]
        for (column, value) in Self.columnChanges {
            mutations.append(
                mutation(
                    "UPDATE audit_events SET \(column) WHERE event_id = $1", .update(column: column), false,
                    "UPDATE audit_events SET \(unescaped: column) = \(unescaped: value) WHERE event_id = \(id)"
                )
            )
            mutations.append(
                mutation(
                    "UPDATE audit_events SET \(column) WHERE event_id = $1 AND event_date = $2", .update(column: column), false,
                    "UPDATE audit_events SET \(unescaped: column) = \(unescaped: value) WHERE event_id = \(id) AND event_date = \(day)::date"
                )
            )
            mutations.append(
                mutation(
                    "UPDATE \(partition) SET \(column) WHERE event_id = $1", .update(column: column), true,
                    "UPDATE \(unescaped: partition) SET \(unescaped: column) = \(unescaped: value) WHERE event_id = \(id)"
                )
            )
        }
        return mutations
    }

    public func directMonthRemovals(_ month: PartitionMonth) -> [DirectMutation] {
        let partition = month.partitionName
        return [
            "ALTER TABLE audit_events DETACH PARTITION \(partition)",
            "ALTER TABLE audit_events DETACH PARTITION \(partition) CONCURRENTLY",
            "DROP TABLE \(partition)",
        ].map { sql in
            DirectMutation(sql, kind: .other, namesMonth: true) { [client] in
                do {
                    try await client.query(PostgresQuery(unsafeSQL: sql))
                    return .executed(rows: -1)
                } catch let error as PSQLError {
                    // 23503: the hold's foreign key refuses the detach; 2BP01: the drop, as
                    // the foreign key depends on the month; 42501: a role without the right.
                    let state = error.serverInfo?[.sqlState]
                    if state == "23503" || state == "2BP01" || state == "42501" { return .refused }
                    return .failed(error.serverInfo?[.message] ?? "\(error.code)")
                } catch {
                    return .failed("\(error)")
                }
            }
        }
    }

    public func directQuarantineChanges(id: Int64) -> [DirectMutation] {
        [
            ("UPDATE auditledger_quarantine SET events", "UPDATE auditledger_quarantine SET events = '[]' WHERE quarantine_id = \(id)"),
            ("UPDATE auditledger_quarantine SET reason", "UPDATE auditledger_quarantine SET reason = 'x' WHERE quarantine_id = \(id)"),
            (
                "UPDATE auditledger_quarantine SET resolution (already resolved)",
                "UPDATE auditledger_quarantine SET resolution = 'changed' WHERE quarantine_id = \(id)"
            ),
            ("DELETE FROM auditledger_quarantine", "DELETE FROM auditledger_quarantine WHERE quarantine_id = \(id)"),
            ("TRUNCATE auditledger_quarantine", "TRUNCATE auditledger_quarantine"),
        ].map { description, sql in mutation(description, .other, false, PostgresQuery(unsafeSQL: sql)) }
    }

    public func directLogChanges() -> [DirectMutation] {
        [
            ("auditledger_log", "event_hash = 'x'"), ("auditledger_checkpoints", "note = 'x'"),
            ("auditledger_log_nodes", "node_index = node_index + 1"),
            ("auditledger_signing_keys", "verifier_key = 'x'"),
        ]
        .flatMap { table, change in
            [
                ("UPDATE \(table)", "UPDATE \(table) SET \(change)"), ("DELETE FROM \(table)", "DELETE FROM \(table)"),
                ("TRUNCATE \(table)", "TRUNCATE \(table)"),
            ]
        }
        .map { description, sql in mutation(description, .other, false, PostgresQuery(unsafeSQL: sql)) }
    }

    private func mutation(_ description: String, _ kind: DirectMutation.Kind, _ namesMonth: Bool, _ query: PostgresQuery) -> DirectMutation {
        DirectMutation(description, kind: kind, namesMonth: namesMonth) { [client] in
            do {
                try await client.query(query)
                return .executed(rows: -1)
            } catch let error as PSQLError {
                // 42501: our trigger's refusal, or a permission denied to the role. 0A000 on
                // TRUNCATE: a month referenced by the parent foreign key cannot be truncated.
                let state = error.serverInfo?[.sqlState]
                if state == "42501" || (state == "0A000" && description.hasPrefix("TRUNCATE")) { return .refused }
                return .failed(error.serverInfo?[.message] ?? "\(error.code)")
            } catch {
                return .failed("\(error)")
            }
        }
    }
}
