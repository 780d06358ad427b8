public import AuditCore

/// Queries served by a PostgreSQL standby (streaming replication, hot standby) while writes,
/// holds and everything else stay on the primary: `serve --read-database-url`.
///
/// The query API's pages, the correlation timeline and the stats read the standby, which
/// may lag the primary by its replication delay. A request with the header
/// `X-AuditLedger-Consistency: read-your-writes` is answered from everything the primary had
/// committed when it arrived — the caller's own acknowledged writes among it: by the standby
/// once it has replayed that far, within ``readYourWritesWait``, else by the primary. Events
/// answered `202` (spooled, not stored yet) are not covered until the spool has stored them.
/// A standby that cannot answer (away, or a query cancelled by its replay) leaves the read to
/// the primary. Each answer says which served it: `X-AuditLedger-Read-From: standby|primary`.
public struct StandbyReads: Sendable {
    /// The standby's store: only read from, never prepared or written.
    public var standby: any ReplicatedStore
    /// The primary's store, asked for its log position when a read needs the caller's writes.
    public var primary: any ReplicatedStore
    /// Longest a read-your-writes read waits for the standby to replay the primary's
    /// position before the primary answers it. Default 2 seconds.
    public var readYourWritesWait: Duration
    /// How often the standby's replay position is read while such a read waits. Default 20 ms.
    public var pollInterval: Duration
    /// How often the replication lag is measured for the metrics (``StandbyLagMonitor``).
    /// Default 5 seconds.
    public var lagInterval: Duration

    /// Creates the settings; every parameter but the stores defaults to the value documented on its property.
    public init(
        standby: any ReplicatedStore, primary: any ReplicatedStore, readYourWritesWait: Duration = .seconds(2),
        pollInterval: Duration = .milliseconds(20), lagInterval: Duration = .seconds(5)
    ) {
        self.standby = standby
        self.primary = primary
        self.readYourWritesWait = readYourWritesWait
        self.pollInterval = pollInterval
        self.lagInterval = lagInterval
    }
}
