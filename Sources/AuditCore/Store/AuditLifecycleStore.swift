/// The lifecycle side of a store: months, retention, archives, legal holds, and the log of it
/// all. Both stores implement it; `AuditMaintenance` drives it.
///
/// Removing data happens only through ``removeMonth(_:expectedRows:)``, which refuses a month
/// that holds an event under legal hold or whose row count changed since it was archived.
public protocol AuditLifecycleStore: AuditStore {
    /// Creates the storage of the `months` that have none yet.
    /// - Returns: the months created.
    func ensureMonths(_ months: [PartitionMonth]) async throws(AuditError) -> [PartitionMonth]

    /// What is known of every month with storage, oldest first. Computing `expiresAt` reads
    /// every row of the months that have ended; it is meant for maintenance, not hot paths.
    func monthFacts() async throws(AuditError) -> [MonthFacts]

    /// Every event of `month`, in `insert_seq` order, handed to `body` a chunk at a time.
    /// - Returns: the number of events exported.
    func exportMonth(_ month: PartitionMonth, _ body: ([StoredAuditEvent]) async throws -> Void) async throws(AuditError) -> Int64

    /// Removes the storage of `month`, provided it still holds exactly `expectedRows` rows and
    /// no event in it is held. Other months stay readable and writable meanwhile.
    func removeMonth(_ month: PartitionMonth, expectedRows: Int64) async throws(AuditError)

    /// Brings `month` back from archived events (the month must have no storage, or be empty),
    /// keeping every column including `insert_seq`. Parents must be stored or among `events`.
    func restoreMonth(_ month: PartitionMonth, events: [StoredAuditEvent]) async throws(AuditError)

    /// Places a hold on the events of `correlationID`.
    /// - Throws: `notFound` when no event has that correlation id.
    func placeHold(correlationID: String, reason: String, placedBy: String, at: AuditTimestamp) async throws(AuditError) -> LegalHold

    /// Releases every active hold of `correlationID`.
    /// - Throws: `notFound` when none is active.
    func releaseHolds(correlationID: String, reason: String, releasedBy: String, at: AuditTimestamp) async throws(AuditError) -> HoldRelease

    /// Active holds, newest first.
    func activeHolds() async throws(AuditError) -> [LegalHold]

    /// Per-category retention policies.
    func retentionPolicies() async throws(AuditError) -> [RetentionPolicy]

    /// Sets (or replaces) the policy of `policy.category`.
    func setRetentionPolicy(_ policy: RetentionPolicy) async throws(AuditError)

    /// Appends to the lifecycle log.
    func record(_ entry: LifecycleRecord) async throws(AuditError)

    /// The newest `limit` entries of the lifecycle log, newest first.
    func lifecycleLog(limit: Int) async throws(AuditError) -> [LifecycleRecord]

    /// Problems only the store can see: rows outside their month's bounds, month tables that
    /// are not attached (or not catalogued), a default partition, a detach left pending.
    /// Each finding is a sentence; none means none found.
    func storageFindings() async throws(AuditError) -> [String]

    /// Runs `body` unless another maintenance runner (another server or command) is running;
    /// then returns `nil` without running it.
    func withMaintenanceLock<Value: Sendable>(_ body: @Sendable () async throws -> Value) async throws -> Value?
}
