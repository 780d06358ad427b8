extension AuditLifecycleStore {
    /// Checks one correlation against the log (``ChainReport/verify(correlationID:log:stored:pending:removedByRetention:now:)``).
    ///
    /// Reads are ordered so that writes going on meanwhile raise no false alarm: the log's size
    /// first, then the stored events, then the queue, then the log entries; an entry at or past
    /// the size read first belongs to an event still counted as not logged yet.
    public func verifyChain(correlationID: String, now: AuditTimestamp) async throws(AuditError) -> ChainReport {
        let size = try await logStatus().size
        let stored = try await allEvents(correlationID: correlationID)
        var pending = try await pendingLogEventIDs(correlationID: correlationID)
        var log: [LogEntry] = []
        for entry in try await logEntries(correlationID: correlationID) {
            if entry.position < size { log.append(entry) } else { pending.insert(entry.eventID) }
        }
        let removed = try await removedMonths()
        return ChainReport.verify(
            correlationID: correlationID, log: log, stored: stored, pending: pending, removedByRetention: { removed.contains($0.month) }, now: now)
    }
}

extension AuditStore {
    /// Every stored event of a correlation, oldest first, page by page.
    public func allEvents(correlationID: String) async throws(AuditError) -> [StoredAuditEvent] {
        var query = EventQuery(limit: EventQuery.maximumLimit, order: .ascending)
        query.filters.correlationID = correlationID
        var found: [StoredAuditEvent] = []
        while true {
            let page = try await events(matching: query)
            found += page.events
            guard let cursor = page.nextCursor(for: query) else { return found }
            query.cursor = cursor
        }
    }
}
