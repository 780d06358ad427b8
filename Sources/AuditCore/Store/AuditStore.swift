#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Events that are stored together or not at all: one write request.
public struct EventBatch: Sendable {
    /// The events, in request order (validated; ids assigned). An error about one of them
    /// carries its position (``AuditError/eventIndex``); how that is shown is the caller's.
    public var events: [AuditEvent]

    public init(events: [AuditEvent]) {
        self.events = events
    }

    /// The events' ids, in order, read in place (iterating ``events`` copies each event).
    public var eventIDs: [UUID] {
        events.indices.map { events[$0].id }
    }

    /// The months the events fall in, in order, one per event.
    public var eventMonths: [PartitionMonth] {
        events.indices.map { events[$0].date.month }
    }
}

/// What storing one ``EventBatch`` did.
public struct WriteReceipt: Sendable, Hashable {
    /// The id of every event of the batch, in request order (a retried event keeps its stored id).
    public var eventIDs: [UUID]
    /// How many events were new; the rest were already stored.
    public var insertedCount: Int

    public init(eventIDs: [UUID], insertedCount: Int) {
        self.eventIDs = eventIDs
        self.insertedCount = insertedCount
    }
}

/// Whether a store can take traffic.
public struct StoreReadiness: Sendable, Hashable {
    /// `true` when the store is reachable and its schema is current.
    public var isReady: Bool
    /// A short reason when not ready, safe to show (no credentials, no internals).
    public var reason: String?

    public init(isReady: Bool, reason: String? = nil) {
        self.isReady = isReady
        self.reason = reason
    }
}

/// The contract every audit store (PostgreSQL, SQLite) fulfils; handlers and the batching
/// writer depend on this protocol only. The conformance suite in `AuditTesting` checks it.
///
/// Stores translate their driver's errors into ``AuditError`` at this boundary:
/// an unreachable or failing database is ``AuditError/Code/unavailable``.
public protocol AuditStore: Sendable {
    /// A short name for logs: `postgres`, `sqlite`.
    var kind: String { get }

    /// Makes the store ready to serve: applies migrations and creates the storage for the
    /// current month and the months ahead. Idempotent; call before serving.
    func prepare() async throws(AuditError)

    /// Stores the batches in one transaction: a group commit of several requests.
    ///
    /// Each batch is all-or-nothing on its own: a batch that reuses an `event_id` for a
    /// different event or names a parent that does not exist gets its error in the result,
    /// and the other batches are still stored. An event already stored with the same
    /// content is not stored again (idempotent retries). Parents may be earlier or later in
    /// the same batch, or in an earlier batch of the same call.
    ///
    /// - Returns: one result per batch, in order.
    /// - Throws: ``AuditError`` (`unavailable`) when nothing could be stored.
    func write(_ batches: [EventBatch]) async throws(AuditError) -> [Result<WriteReceipt, AuditError>]

    /// One page of the events matching `query`.
    func events(matching query: EventQuery) async throws(AuditError) -> EventPage

    /// The event with this id, or `nil`.
    func event(id: UUID) async throws(AuditError) -> StoredAuditEvent?

    /// Counts, failures and percentiles of the events `query` selects, by group
    /// (``StatsQuery``), from one snapshot. Reads only the window's months.
    func stats(_ query: StatsQuery) async throws(AuditError) -> EventStats

    /// Whether the store is reachable and migrated.
    func readiness() async -> StoreReadiness

    /// Keeps acknowledged events the store refused (see ``QuarantineEntry``), in one
    /// transaction. An entry whose ``QuarantineEntry/key`` is already recorded is not recorded again.
    func quarantine(_ entries: [QuarantineEntry]) async throws(AuditError)

    /// Quarantine records, oldest first: only the open ones unless `includeResolved`.
    func quarantinedRecords(includeResolved: Bool, limit: Int, offset: Int) async throws(AuditError) -> (records: [QuarantinedRecord], total: Int)

    /// What the quarantine holds that is not resolved.
    func quarantineCounts() async throws(AuditError) -> QuarantineCounts

    /// Marks an open record resolved (the only change a record ever sees).
    /// - Throws: `not-found` when no open record has this id.
    func resolveQuarantined(id: Int64, resolution: String, at: AuditTimestamp) async throws(AuditError)

    /// The sequencer's step: gives the next log positions to up to `limit` committed events
    /// queued for the log, in `insert_seq` order, with their correlations' links
    /// (``LogSequencing``), and takes them off the queue — in one transaction, one caller at a
    /// time across every server on the store (another caller's lock makes it return at once
    /// with ``LogAppend/sequenced`` `false`).
    func appendPendingToLog(limit: Int, now: AuditTimestamp) async throws(AuditError) -> LogAppend

    /// The log entries of one correlation, in position order.
    func logEntries(correlationID: String) async throws(AuditError) -> [LogEntry]

    /// The log entries of these events (those that have one).
    func logEntries(eventIDs: [UUID]) async throws(AuditError) -> [LogEntry]

    /// Ids of the correlation's events committed and queued for the log, not logged yet.
    func pendingLogEventIDs(correlationID: String) async throws(AuditError) -> Set<UUID>

    /// The log's size (its next position) and how many events wait for a position.
    func logStatus() async throws(AuditError) -> (size: Int64, pending: Int)

    /// The leaf hashes (lowercase hex) of the log positions in `range`, in order; fewer when
    /// the log is shorter.
    func logLeafHashes(_ range: Range<Int64>) async throws(AuditError) -> [String]

    /// The stored hashes of these perfect subtrees (``LogNode``), of those the store has.
    func logNodes(_ ids: [LogNodeID]) async throws(AuditError) -> [LogNodeID: MerkleTree.Hash]

    /// Stores a signed checkpoint, the perfect subtrees completed since the one before, and the
    /// key that signed it (listed from its first use), in one transaction — only while the
    /// newest stored checkpoint is still the one it links to (`after`: its tree size, `nil`
    /// when none is stored), so that the chain never forks when two servers sign at once.
    /// - Returns: `false` when a checkpoint of this tree size, or one newer than `after`, is
    ///   stored already (nothing is stored then: another server signed first).
    func appendCheckpoint(_ checkpoint: StoredCheckpoint, after: Int64?, nodes: [LogNode], key: NoteVerifierKey) async throws(AuditError) -> Bool

    /// Stored checkpoints, largest tree first: those of at most `treeSize` leaves when given,
    /// at most `limit`.
    func checkpoints(upTo treeSize: Int64?, limit: Int) async throws(AuditError) -> [StoredCheckpoint]

    /// Every key that signed a checkpoint, in order of first use.
    func signingKeys() async throws(AuditError) -> [SigningKeyRecord]

    /// Stored checkpoints of at least `treeSize` leaves, smallest first, at most `limit`.
    func checkpoints(from treeSize: Int64, limit: Int) async throws(AuditError) -> [StoredCheckpoint]

    /// The log entries at the positions in `range`, in position order (fewer when some are missing).
    func logEntries(positions range: Range<Int64>) async throws(AuditError) -> [LogEntry]

    /// The stored events of these ids (those that are stored).
    func events(ids: [UUID]) async throws(AuditError) -> [StoredAuditEvent]

    /// Ids of stored events that are neither in the log nor queued for it — rows inserted behind
    /// the store — at most `limit`. Reads every stored row: for verification, not for serving.
    func eventIDsOutsideLog(limit: Int) async throws(AuditError) -> [UUID]
}
