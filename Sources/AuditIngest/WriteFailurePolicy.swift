public import AuditCore

/// What the write pipeline does when the store fails a group of requests: the one rule the
/// writer (live requests) and the replayer (the spool) share.
///
/// - The store **refused the data** (``AuditCore/AuditError/refusesData``: an `event_id`
///   already used for other content, an unknown parent, a rule of the database the events
///   break): in a group, no one knows which request did it, so each is written alone; alone,
///   the request is refused — to its client (`4xx`), or, for events already acknowledged, into
///   the store's quarantine table.
/// - Anything else — unavailable, timed out, shutting down, a fault nobody classified: the
///   store **cannot answer**. Nothing is lost by waiting: the writer spools (`202`), the
///   replayer keeps the records and tries again later, for as long as it takes.
public enum WriteFailurePolicy {
    public enum Decision: Sendable {
        /// Write each request of the group on its own.
        case writeAlone
        /// This one request's events are refused, for this reason.
        case refuse(AuditError)
        /// Keep the events and try later (spool them, or leave them in the spool).
        case retryLater(AuditError)
    }

    /// The decision for a group of `groupSize` requests whose write failed with `error`.
    public static func decide(_ error: AuditError, groupSize: Int) -> Decision {
        guard error.refusesData else { return .retryLater(error) }
        return groupSize > 1 ? .writeAlone : .refuse(error)
    }
}
