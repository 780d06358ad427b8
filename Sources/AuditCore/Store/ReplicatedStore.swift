/// How far a database has come along its primary's write-ahead log: the measure by which a
/// standby's reads are compared with the primary's writes.
public struct ReplicationPosition: Sendable, Hashable {
    /// Bytes into the write-ahead log: on a primary, what it has written (everything committed
    /// is at or below it); on a standby, what it has replayed (everything at or below it is
    /// visible to its reads). `nil` on a standby that has replayed nothing yet.
    public var walBytes: UInt64?
    /// Whether the database is a standby (in recovery), not a primary.
    public var isStandby: Bool
    /// On a standby, the commit time (by the primary's clock) of the last transaction it
    /// replayed; `nil` on a primary or before the first.
    public var lastReplayedCommit: AuditTimestamp?

    public init(walBytes: UInt64?, isStandby: Bool, lastReplayedCommit: AuditTimestamp? = nil) {
        self.walBytes = walBytes
        self.isStandby = isStandby
        self.lastReplayedCommit = lastReplayedCommit
    }

    /// Whether a standby at this position shows everything committed at or before `primary`.
    public func hasReplayed(_ primary: ReplicationPosition) -> Bool {
        guard let replayed = walBytes, let written = primary.walBytes else { return false }
        return replayed >= written
    }
}

/// A store whose database can be a replication primary or a standby of one, and says where
/// along the log it is (``ReplicationPosition``). The PostgreSQL store; reads may then be
/// served by a standby while writes stay on the primary.
public protocol ReplicatedStore: AuditStore {
    /// Where the store's database is now: on a primary, its log's write position; on a
    /// standby, its replay position.
    func replicationPosition() async throws(AuditError) -> ReplicationPosition
}

/// What a read asks of the database that serves it, when reads may come from a standby.
public enum ReadConsistency: String, Sendable, Hashable, CaseIterable {
    /// Whatever the standby has replayed: it may lag the primary by its replication delay.
    case standby
    /// Everything the primary had committed when the read arrived — the caller's own
    /// acknowledged writes among it: the standby once it has replayed that far, else the primary.
    case readYourWrites = "read-your-writes"
}
