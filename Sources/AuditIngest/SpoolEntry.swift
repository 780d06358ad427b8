public import AuditCore

/// One record read back from the spool: one request's events, and where it lies.
public struct SpoolEntry: Sendable {
    /// Where the record starts.
    public var start: SpoolPosition
    /// Where the next record starts.
    public var end: SpoolPosition
    /// The request's events and where they came from.
    public var record: SpoolRecord

    /// The request's events, as validated when they were accepted.
    public var batch: EventBatch { record.batch }
}

/// What one read of the spool returned: records in order, and how far it got (past damaged
/// bytes it stepped over, too), which is where ``Spool/commit(_:through:)`` moves the cursor.
public struct SpoolRead: Sendable {
    public var entries: [SpoolEntry]
    public var end: SpoolPosition
}
