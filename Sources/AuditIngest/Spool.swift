public import AuditCore
public import Logging
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A local, append-only spool of accepted events that could not be stored yet.
///
/// Each ``append(_:)`` writes one record per request (checksummed, see ``SpoolRecord``) to the
/// active segment file and flushes it to disk before returning, so an event answered `202`
/// survives a crash of the process or the machine. ``read(maximumEvents:)`` returns records in
/// the order they were appended, from a cursor that ``commit(_:through:)`` moves.
///
/// What makes it safe across crashes:
/// - The `state` file (replaced atomically) holds the cursor and the next segment number;
///   numbers are never reused, also across restarts and after the spool was emptied.
/// - The cursor moves only after the store committed; the state is written before any file is
///   deleted. A cursor that points at no segment is never trusted: replay starts at the first
///   segment instead (stored events are skipped by the store: writes are idempotent by id).
/// - The spool is empty when the cursor has reached the end of the last segment (positions,
///   not counters, decide); then the segments are deleted.
/// - Opening checks every record after the cursor. A torn record at the very end (a crash
///   during a write that was never answered) is cut off; bytes elsewhere that fail their
///   checksum are stepped over. Both are copied to `corrupt/` under a name never reused, logged
///   and counted. A record whose checksum is intact but that does not decode is never skipped:
///   replay stops there and readiness and metrics say so.
///
/// One writer appends and one replayer reads; both may run at once. File work blocks, so the
/// async methods run it on NIO's blocking thread pool.
public final class Spool: Sendable {
    public let configuration: SpoolConfiguration
    let logger: Logger
    let metrics: IngestMetrics

    struct State: Sendable {
        /// Every segment file, by number, with its size on disk.
        var segments: [UInt64: Int64] = [:]
        /// The segment appends go to, and its descriptor.
        var active: (number: UInt64, fd: Int32)?
        /// The number the next segment gets (persisted in `state`).
        var nextSegment: UInt64 = 1
        /// Where reading continues (persisted in `state`).
        var cursor = SpoolPosition(segment: 1, offset: 0)
        var pendingEvents = 0
        var pendingRecords = 0
        /// Damaged regions to step over: start → end offset in the same segment.
        var skips: [SpoolPosition: Int64] = [:]
        var corrupt = 0
        var legacyRejected = 0
        /// Why replay stopped, if a record does not decode.
        var blocked: String?
        /// Whether the last append was refused for want of room (until records are replayed).
        var full = false
        /// The descriptor holding the directory's `lock` (one process per spool).
        var lockFD: Int32 = -1

        /// Where appending would write next: the end of the last segment.
        var end: SpoolPosition {
            guard let last = segments.keys.max() else { return SpoolPosition(segment: nextSegment, offset: 0) }
            return SpoolPosition(segment: last, offset: segments[last] ?? 0)
        }

        /// Whether the cursor has reached the end: everything appended is stored.
        var isDrained: Bool { cursor >= end }
    }

    let state: Mutex<State>
    /// Raised by every append; ``waitForRecords()`` waits on it.
    private let appended = WakeSignal()

    init(configuration: SpoolConfiguration, state: State, logger: Logger, metrics: IngestMetrics) {
        self.configuration = configuration
        self.state = Mutex(state)
        self.logger = logger
        self.metrics = metrics
    }

    deinit {
        state.withLock { state in
            if let active = state.active { close(active.fd) }
            if state.lockFD >= 0 { close(state.lockFD) }
        }
    }

    /// Opens (creating when missing) the spool in `configuration.directory` and checks what it
    /// holds; see the type's documentation for what happens to damaged records. The spool is
    /// this process's until it is released (an exclusive lock on `lock` in the directory).
    /// - Throws: `unavailable` when another process has the spool open, or the directory cannot be used.
    public static func open(
        configuration: SpoolConfiguration,
        logger: Logger,
        metrics: IngestMetrics = IngestMetrics()
    ) async throws(AuditError) -> Spool {
        try await blocking { () throws(AuditError) -> Spool in
            let state = try initialState(configuration: configuration, logger: logger)
            let spool = Spool(configuration: configuration, state: state, logger: logger, metrics: metrics)
            try spool.recoverNow()
            spool.publish()
            return spool
        }
    }

    /// What the spool holds now.
    public var status: SpoolStatus {
        state.withLock { state in
            SpoolStatus(
                events: state.isDrained ? 0 : state.pendingEvents, records: state.isDrained ? 0 : state.pendingRecords,
                bytes: state.segments.values.reduce(0, +), maximumBytes: configuration.maximumBytes, corruptRegions: state.corrupt,
                legacyRejectedFiles: state.legacyRejected, blockedReason: state.blocked, isEmpty: state.isDrained, isFull: state.full
            )
        }
    }

    /// Whether nothing waits to be stored: the cursor is at the end of the last segment.
    public var isEmpty: Bool { state.withLock { $0.isDrained } }

    /// Resumes once something may have been appended since the last call (at once if so), or
    /// when the calling task is cancelled; a cancelled wait does not spoil the next one.
    public func waitForRecords() async {
        await appended.wait()
    }

    /// Appends one record per request and flushes them to disk; when it returns, the records
    /// it accepted survive a crash.
    /// - Returns: for each record, whether it was appended, or why not: `payload-too-large`
    ///   when it is larger than ``SpoolConfiguration/maximumRecordBytes``.
    /// - Throws: `unavailable` when the spool is full (``SpoolConfiguration/maximumBytes``) or
    ///   the disk fails; then none of them is kept.
    public func append(_ records: [SpoolRecord]) async throws(AuditError) -> [Result<Void, AuditError>] {
        let results = try await Self.blocking { () throws(AuditError) in try self.appendNow(records) }
        appended.raise()
        return results
    }

    /// Appends at once, on the caller's thread, without suspending: for a caller that must not
    /// wait (the producer client's `record`). The records are written with one system call; with
    /// ``SpoolConfiguration/flushEachAppend`` off they reach the disk at the next ``sync()``.
    /// - Returns and throws: as ``append(_:)``.
    public func appendImmediately(_ records: [SpoolRecord]) throws(AuditError) -> [Result<Void, AuditError>] {
        let results = try appendNow(records)
        appended.raise()
        return results
    }

    /// Flushes what was appended to disk (a no-op for appends already flushed).
    public func sync() async throws(AuditError) {
        try await Self.blocking { () throws(AuditError) in try self.syncNow() }
    }

    /// Reads records from the cursor on, at least one, until `maximumEvents` would be exceeded.
    /// Nothing moves until ``commit(_:through:)``.
    /// - Throws: `unavailable` when the record at the cursor does not decode (replay must
    ///   stop there; ``SpoolStatus/blockedReason`` says why), or the disk fails.
    public func read(maximumEvents: Int) async throws(AuditError) -> SpoolRead {
        try await Self.blocking { () throws(AuditError) in try self.readNow(maximumEvents: maximumEvents) }
    }

    /// Marks `entries` (from one ``read(maximumEvents:)``) as stored or quarantined: the cursor
    /// moves to `end`, files no longer needed are deleted, and once everything is stored the
    /// spool starts over empty.
    public func commit(_ entries: [SpoolEntry], through end: SpoolPosition) async throws(AuditError) {
        try await Self.blocking { () throws(AuditError) in try self.commitNow(entries, through: end) }
        publish()
    }

    /// Reports the current depth to the metrics.
    func publish() {
        let status = self.status
        metrics.spoolDepth(events: status.events, bytes: status.bytes, blocked: status.blockedReason != nil)
    }

    /// Kills the process with `SIGKILL` when the fault tests asked for a crash at `point`.
    func crashIfAsked(at point: SpoolCrashPoint) {
        guard configuration.crashPoint == point else { return }
        logger.critical("crashing on purpose for a fault test", metadata: ["audit.spool.crash_point": "\(point.rawValue)"])
        kill(getpid(), SIGKILL)
    }

    /// Runs `body` on NIO's blocking thread pool.
    static func blocking<Value: Sendable>(_ body: @escaping @Sendable () throws(AuditError) -> Value) async throws(AuditError) -> Value {
        let result: Result<Value, AuditError>
        do {
            result = try await NIOThreadPool.singleton.runIfActive { () -> Result<Value, AuditError> in
                do throws(AuditError) {
                    return .success(try body())
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            throw AuditError(.unavailable, detail: "the local spool is not available (shutting down)", retryAfterSeconds: 5, underlying: error)
        }
        return try result.get()
    }

    static func segmentName(_ number: UInt64) -> String {
        let digits = String(number)
        return "segment-" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits + ".spool"
    }

    func path(_ name: String) -> String { configuration.directory + "/" + name }
}
