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
/// survives a crash of the process or the machine. ``read(maximumEvents:)`` returns records
/// in the order they were appended, from a cursor that ``commit(_:)`` moves (persisted in
/// `cursor`); fully read segments are deleted, and once everything is read the spool starts
/// over empty. Opening the spool checks every record not yet read: a torn record at the end
/// (a crash during a write that was never answered) is cut off, a damaged one elsewhere is
/// stepped over; both are copied to `corrupt/`, logged and counted.
///
/// One writer appends and one replayer reads; both may run at once. File work blocks, so the
/// async methods run it on NIO's blocking thread pool.
public final class Spool: Sendable {
    public let configuration: SpoolConfiguration
    let logger: Logger
    let metrics: SpoolMetrics

    struct State: Sendable {
        /// Every segment file, by number, with its size on disk.
        var segments: [UInt64: Int64] = [:]
        /// The segment appends go to, and its descriptor.
        var active: (number: UInt64, fd: Int32)?
        var nextSegment: UInt64 = 1
        /// Where reading continues.
        var cursor = SpoolPosition(segment: 1, offset: 0)
        var pendingEvents = 0
        var pendingRecords = 0
        /// Damaged regions to step over: start → end offset in the same segment.
        var skips: [SpoolPosition: Int64] = [:]
        var rejected = 0
        var corrupt = 0
        /// The descriptor holding the directory's `lock` (one process per spool).
        var lockFD: Int32 = -1
    }

    let state: Mutex<State>
    private let appendedStream: AsyncStream<Void>
    private let appendedContinuation: AsyncStream<Void>.Continuation

    init(configuration: SpoolConfiguration, state: State, logger: Logger, metrics: SpoolMetrics) {
        self.configuration = configuration
        self.state = Mutex(state)
        self.logger = logger
        self.metrics = metrics
        (appendedStream, appendedContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
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
        metrics: SpoolMetrics = SpoolMetrics()
    ) async throws(AuditError) -> Spool {
        try await blocking { () throws(AuditError) -> Spool in
            let state = try initialState(configuration: configuration)
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
                events: state.pendingEvents, records: state.pendingRecords, bytes: state.segments.values.reduce(0, +),
                maximumBytes: configuration.maximumBytes, rejectedRecords: state.rejected, corruptRegions: state.corrupt
            )
        }
    }

    /// Whether nothing waits to be stored.
    public var isEmpty: Bool { state.withLock { $0.pendingRecords == 0 } }

    /// Resumes once something may have been appended since the last call (at once if so).
    public func waitForRecords() async {
        var iterator = appendedStream.makeAsyncIterator()
        _ = await iterator.next()
    }

    /// Appends one record per batch and flushes them to disk; when it returns, they survive a crash.
    /// - Throws: `unavailable` when the spool is full (``SpoolConfiguration/maximumBytes``) or
    ///   the disk fails; then nothing of these batches is kept.
    public func append(_ batches: [EventBatch]) async throws(AuditError) {
        try await Self.blocking { () throws(AuditError) in try self.appendNow(batches) }
        appendedContinuation.yield()
    }

    /// Reads records from the cursor on, at least one, until `maximumEvents` would be exceeded.
    /// Nothing moves until ``commit(_:)``.
    public func read(maximumEvents: Int) async throws(AuditError) -> [SpoolEntry] {
        try await Self.blocking { () throws(AuditError) in try self.readNow(maximumEvents: maximumEvents) }
    }

    /// Marks `entries` (read by ``read(maximumEvents:)``, in order) as stored: the cursor moves
    /// past the last, and files no longer needed are deleted.
    public func commit(_ entries: [SpoolEntry]) async throws(AuditError) {
        guard !entries.isEmpty else { return }
        try await Self.blocking { () throws(AuditError) in try self.commitNow(entries) }
        metrics.replayed(events: entries.reduce(0) { $0 + $1.batch.events.count })
        publish()
    }

    /// Keeps a record the store refused (`rejected/<segment>-<offset>.json`, with the reason)
    /// for an operator to look at; the caller then commits past it.
    public func reject(_ entry: SpoolEntry, reason: AuditError) async throws(AuditError) {
        try await Self.blocking { () throws(AuditError) in try self.rejectNow(entry, reason: reason) }
        logger.error(
            "the store refused spooled events; they are kept in the spool's rejected directory",
            metadata: ["audit.spool.record": "\(entry.start)", "audit.batch.size": "\(entry.batch.events.count)", "error": "\(reason)"]
        )
        metrics.rejectedRecord()
        publish()
    }

    /// Reports the current depth to the metrics.
    func publish() {
        let status = self.status
        metrics.depth(events: status.events, bytes: status.bytes)
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
