extension EventQuery {
    /// Limits the question to what `principal` may read: its ``ReadLimits``, and — when the
    /// question reads `event_data` (a filter on it, or `readsEventData`: a group or measure of
    /// it) and the principal lacks `events:read-sensitive` — no sensitive event at all
    /// (``excludesSensitiveEvents``): otherwise which events match, or how they group, would
    /// tell what a withheld `event_data` holds. Every read route applies it.
    public mutating func limit(to principal: Principal, readsEventData: Bool = false) {
        readLimits = principal.readLimits
        excludesSensitiveEvents = (readsEventData || self.readsEventData) && !principal.has(.eventsReadSensitive)
    }
}
