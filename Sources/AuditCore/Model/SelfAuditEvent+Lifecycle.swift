extension SelfAuditEvent {
    /// The actor of a lifecycle action from who triggered it: `cli:<user>` is the operating-system
    /// user who ran the command (`user`), anything else (`maintenance`) the server (`service`).
    static func actor(triggeredBy: String) -> (type: String, id: String) {
        if triggeredBy.hasPrefix("cli:") { return ("user", String(triggeredBy.dropFirst(4))) }
        return ("service", "auditledger-" + triggeredBy)
    }

    private static func lifecycle(
        _ type: String, action: String, outcome: EventOutcome = .success, triggeredBy: String, resourceType: String, resourceID: String,
        data: [(String, JSONValue)], at time: AuditTimestamp
    ) -> SelfAuditEvent {
        let actor = actor(triggeredBy: triggeredBy)
        var object = JSONObject(data.map { .init(key: $0.0, value: $0.1) })
        object["triggered_by"] = .string(triggeredBy)
        return SelfAuditEvent(
            eventType: type, action: action, outcome: outcome, actorType: actor.type, actorID: actor.id, resourceType: resourceType,
            resourceID: resourceID, data: object, timestamp: time)
    }

    /// `auditledger.retention.removed`: `month` archived (`archiveFile` in the archive directory,
    /// `sha256` of it), verified and removed with its `rows`.
    /// With `log`, the record also names the log positions removed (first, last, how many),
    /// the checkpoint the archive proves against, and the SHA-256 lines of the archive's statement.
    public static func retentionRemoved(
        _ month: PartitionMonth, rows: Int64, archiveFile: String, sha256: String, reason: String, log: BundleEvidence? = nil, triggeredBy: String,
        at time: AuditTimestamp
    ) -> SelfAuditEvent {
        var data: [(String, JSONValue)] = [
            ("rows", .number(String(rows))), ("archive_file", .string(archiveFile)), ("archive_sha256", .string(sha256)),
            ("reason", .string(reason)),
        ]
        if let log, let first = log.positions.first, let last = log.positions.last, let checkpoint = log.checkpointBody {
            data.append(("log_first_position", .number(String(first))))
            data.append(("log_last_position", .number(String(last))))
            data.append(("log_positions", .number(String(log.positions.count))))
            data.append(("checkpoint_tree_size", .number(String(checkpoint.treeSize))))
            data.append(("checkpoint_root", .string(Hex.lowercase(checkpoint.rootHash))))
            let statement = log.statement.flatMap { try? SignedNote(parsing: $0) }
            for line in statement?.text.split(separator: "\n") ?? []
            where line.hasPrefix("positions ") || line.hasPrefix("leaves ") {
                let parts = line.split(separator: " ", maxSplits: 1)
                data.append(("statement_\(parts[0])", .string(String(parts[1]))))
            }
        }
        return lifecycle(
            "auditledger.retention.removed", action: "removed", triggeredBy: triggeredBy, resourceType: "partition", resourceID: month.description,
            data: data, at: time)
    }

    /// `auditledger.retention.failed`: an eligible month that retention could not remove.
    public static func retentionFailed(_ month: PartitionMonth, detail: String, triggeredBy: String, at time: AuditTimestamp) -> SelfAuditEvent {
        lifecycle(
            "auditledger.retention.failed", action: "remove", outcome: .failure, triggeredBy: triggeredBy, resourceType: "partition",
            resourceID: month.description, data: [("detail", .string(String(detail.prefix(1000))))], at: time)
    }

    /// `auditledger.partition.restored`: `month` restored from the archive with `sha256`.
    public static func restored(
        _ month: PartitionMonth, rows: Int64, archiveFile: String, sha256: String, triggeredBy: String, at time: AuditTimestamp
    ) -> SelfAuditEvent {
        lifecycle(
            "auditledger.partition.restored", action: "restored", triggeredBy: triggeredBy, resourceType: "partition",
            resourceID: month.description,
            data: [("rows", .number(String(rows))), ("archive_file", .string(archiveFile)), ("archive_sha256", .string(sha256))], at: time)
    }

    /// `auditledger.quarantine.retried`: quarantine record `id` sent to the store again; `stored`
    /// the new rows when it took them, `nil` with `detail` when it refused them again.
    public static func quarantineRetried(
        recordID id: Int64, events: Int, stored: Int?, detail: String?, triggeredBy: String, at time: AuditTimestamp
    ) -> SelfAuditEvent {
        var data: [(String, JSONValue)] = [("events", .number(String(events)))]
        if let stored { data.append(("stored", .number(String(stored)))) }
        if let detail { data.append(("detail", .string(String(detail.prefix(1000))))) }
        return lifecycle(
            "auditledger.quarantine.retried", action: "retried", outcome: stored == nil ? .failure : .success, triggeredBy: triggeredBy,
            resourceType: "quarantine_record", resourceID: String(id), data: data, at: time)
    }

    /// `auditledger.quarantine.exported`: `records` quarantine records (holding `events`) exported.
    public static func quarantineExported(records: Int, events: Int, triggeredBy: String, at time: AuditTimestamp) -> SelfAuditEvent {
        lifecycle(
            "auditledger.quarantine.exported", action: "exported", triggeredBy: triggeredBy, resourceType: "quarantine", resourceID: "auditledger",
            data: [("records", .number(String(records))), ("events", .number(String(events)))], at: time)
    }
}
