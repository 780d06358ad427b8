extension AuditStore {
    /// Every event `query` matches, oldest first, handed to `body` a page at a time: keyset
    /// pages of ``EventQuery/maximumLimit`` events without counting, so memory stays that of one
    /// page whatever the number of events. `query`'s limit, offset, order and cursor are replaced.
    /// - Returns: the number of events handed over.
    public func forEachEvent(
        matching query: EventQuery, _ body: ([StoredAuditEvent]) async throws(AuditError) -> Void
    ) async throws(AuditError) -> Int64 {
        var page = query
        page.limit = EventQuery.maximumLimit
        page.offset = 0
        page.order = .ascending
        page.cursor = nil
        page.countsTotal = false
        var total: Int64 = 0
        while true {
            let result = try await events(matching: page)
            if !result.events.isEmpty {
                try await body(result.events)
                total += Int64(result.events.count)
            }
            guard result.hasMore, let last = result.events.last else { return total }
            page.cursor = PageCursor(query: page, after: last.event)
        }
    }
}
