public import AuditCore

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A running, prepared store of one kind, with direct access to its database so that tests
/// can check what the store API alone cannot show (rows on disk, tampering attempts, the
/// months a query reads).
public protocol StoreHarness: Sendable {
    /// The store under test (running and prepared).
    var store: any AuditLifecycleStore { get }

    /// Attempts to change or remove `event` directly in the database, bypassing the store, in
    /// every way the database offers (UPDATE of each column, DELETE, TRUNCATE, on the table and
    /// its month). Each must fail.
    func directMutations(of event: AuditEvent) -> [DirectMutation]

    /// Attempts to remove the storage of `month` directly in the database, bypassing the store,
    /// as the role that owns it could (PostgreSQL: detach, detach concurrently, drop; SQLite:
    /// drop the month's table). While the month holds an event under legal hold, each must be
    /// refused.
    func directMonthRemovals(_ month: PartitionMonth) -> [DirectMutation]

    /// Attempts to change or remove quarantine record `id` directly in the database: change
    /// its events, its reason, a resolution already made, delete it, empty the table. Each must
    /// be refused (resolving an open record once is the only change allowed).
    func directQuarantineChanges(id: Int64) -> [DirectMutation]

    /// Attempts to change or remove what the log holds directly in the database: its entries,
    /// checkpoints, stored subtrees and signing keys (UPDATE, DELETE, and TRUNCATE where the
    /// database has it). Each must be refused: the log is append-only.
    func directLogChanges() -> [DirectMutation]

    /// The months that currently have storage (partitions, or month files).
    func storageMonths() async throws -> [PartitionMonth]

    /// How many rows carry `eventID`, counted directly in the database.
    func rowCount(eventID: UUID) async throws -> Int

    /// Every column of every stored row of `eventID`, as text, read from the table itself
    /// (bypassing the store), for tests that check what reached the disk.
    func storedRowText(eventID: UUID) async throws -> String

    /// The months the page query for `query` reads.
    func monthsRead(by query: EventQuery) async throws -> [PartitionMonth]

    /// Runs `body` while another connection holds the lock writers need (PostgreSQL:
    /// `LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE`; SQLite: `BEGIN IMMEDIATE`), and
    /// releases it afterwards whatever `body` did.
    func withWritesBlocked<Value: Sendable>(_ body: @Sendable () async throws -> Value) async throws -> Value

    /// Makes the database itself reject any insert of `eventType` (a trigger), so that a whole
    /// transaction containing one fails as an unexpected database error would.
    func rejectInserts(ofEventType eventType: String) async throws

    /// Changes the stored events as someone with every right over the database can — the
    /// PostgreSQL tables' owner (or a superuser) with the triggers disabled and enabled again,
    /// the SQLite file's owner with the month's triggers dropped and put back — bypassing the store.
    func tamper(_ change: Tampering) async throws
}

/// A change made behind the store's back, as the database superuser or the file's owner can.
public enum Tampering: Sendable {
    /// `UPDATE … SET column = <SQL expression>` of one event's row.
    case update(eventID: UUID, column: String, expression: String)
    /// `DELETE` of one event's row.
    case delete(eventID: UUID)
    /// A copy of a stored event's row under another id (and a new `insert_seq`), inserted
    /// directly: a forged event that never went through the server.
    case insertCopy(of: UUID, as: UUID)
    /// The log entries at two positions swapped (each entry takes the other's position).
    case swapLogPositions(Int64, Int64)
    /// Every log entry at `position` or after it removed.
    case deleteLogEntries(from: Int64)
    /// A month's storage removed with its events, outside the store and its retention
    /// (PostgreSQL: detached, then dropped; SQLite: its table dropped).
    case dropMonth(PartitionMonth)
    /// The stored checkpoint of `treeSize` given another note and root (hex).
    case replaceCheckpoint(treeSize: Int64, note: String, rootHash: String)
    /// The stored checkpoints of these tree sizes deleted.
    case deleteCheckpoints([Int64])
}

/// One way of tampering with a stored event, run directly against the database.
public struct DirectMutation: Sendable, CustomStringConvertible {
    /// What happened when the database was asked.
    public enum Outcome: Sendable, Equatable {
        /// The database refused because audit rows are immutable (or the role may not change them).
        case refused
        /// The statement ran; `rows` rows were changed or removed.
        case executed(rows: Int)
        /// The statement failed for another reason (so it proves nothing about immutability).
        case failed(String)
    }

    /// The kind of change attempted, so tests can require every kind from every store.
    public enum Kind: Sendable, Hashable {
        /// `DELETE … WHERE event_id = ?`.
        case deleteByID
        /// `DELETE … WHERE event_id = ? AND event_date = ?`.
        case deleteByIDAndDate
        /// Removing every row at once: `TRUNCATE`, or `DELETE` without `WHERE`.
        case deleteAll
        /// `UPDATE` of one column.
        case update(column: String)
        /// Other ways of changing rows (MERGE, upserts, replacing inserts, views).
        case other
    }

    /// What it tries, e.g. `UPDATE audit_events SET event_type`.
    public let description: String
    /// The kind of change.
    public let kind: Kind
    /// Whether the statement names the month's own table (a partition) rather than the whole table.
    public let namesMonth: Bool
    /// Runs the attempt and reports the outcome.
    public let attempt: @Sendable () async -> Outcome

    public init(_ description: String, kind: Kind, namesMonth: Bool, attempt: @escaping @Sendable () async -> Outcome) {
        self.description = description
        self.kind = kind
        self.namesMonth = namesMonth
        self.attempt = attempt
    }
}
