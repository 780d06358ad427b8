public import AuditCore

/// One record read back from the spool: one request's events, and where it lies.
public struct SpoolEntry: Sendable {
    /// Where the record starts.
    public var start: SpoolPosition
    /// Where the next record starts.
    public var end: SpoolPosition
    /// The request's events, as validated when they were accepted.
    public var batch: EventBatch
}
