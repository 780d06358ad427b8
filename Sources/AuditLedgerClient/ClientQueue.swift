import AuditCore
import AuditIngest
import DequeModule
import Synchronization

/// Where recorded events wait until the server has them: the client's spool, or memory.
/// One producer side (``add(_:)``, any thread, never suspends) and one sender (the rest).
protocol ClientQueue: Sendable {
    /// Keeps `event` at the end; `false` when there is no room.
    func add(_ event: AuditEvent) -> Result<Void, AuditError>
    /// Up to `maximum` events from the front, in order, with what ``remove(_:)`` needs; nothing
    /// is removed yet.
    func peek(maximum: Int) async throws(AuditError) -> ClientQueueBatch
    /// Removes what `batch` read (the server has it, or it was set aside).
    func remove(_ batch: ClientQueueBatch) async throws(AuditError)
    /// Events waiting.
    var pending: Int { get }
    /// Resumes once something may have been added since the last call, or when cancelled (a
    /// cancelled wait does not spoil the next one: the sender races it against a timeout).
    func waitForEvents() async
    /// Flushes what was added to disk (nothing to do in memory).
    func sync() async throws(AuditError)
}

/// Events read from a ``ClientQueue``, and where the read ended.
struct ClientQueueBatch: Sendable {
    var events: [AuditEvent]
    /// The spool's entries and end, when read from a spool.
    var entries: [SpoolEntry] = []
    var end: SpoolPosition?
}

/// The client's spool: one record per event, appended without a flush (``Spool/appendImmediately(_:)``).
struct SpoolClientQueue: ClientQueue {
    let spool: Spool

    func add(_ event: AuditEvent) -> Result<Void, AuditError> {
        do throws(AuditError) {
            let results = try spool.appendImmediately([SpoolRecord(batch: EventBatch(events: [event]), requestID: nil, receivedAt: .now())])
            return results.first ?? .success(())
        } catch {
            return .failure(error)
        }
    }

    func peek(maximum: Int) async throws(AuditError) -> ClientQueueBatch {
        let read = try await spool.read(maximumEvents: maximum)
        return ClientQueueBatch(events: read.entries.flatMap(\.batch.events), entries: read.entries, end: read.end)
    }

    func remove(_ batch: ClientQueueBatch) async throws(AuditError) {
        guard let end = batch.end else { return }
        try await spool.commit(batch.entries, through: end)
    }

    var pending: Int { spool.status.events }

    func waitForEvents() async { await spool.waitForRecords() }

    func sync() async throws(AuditError) { try await spool.sync() }
}

/// Memory only: lost with the process, bounded by ``AuditLedgerClientConfiguration/memoryLimit``.
final class MemoryClientQueue: ClientQueue, Sendable {
    private let events = Mutex(Deque<AuditEvent>())
    private let limit: Int
    private let added = WakeSignal()

    init(limit: Int) {
        self.limit = limit
    }

    func add(_ event: AuditEvent) -> Result<Void, AuditError> {
        let kept = events.withLock { events in
            guard events.count < limit else { return false }
            events.append(event)
            return true
        }
        guard kept else {
            return .failure(AuditError(.overloaded, detail: "the client's memory buffer is full (\(limit) events)", retryAfterSeconds: 1))
        }
        added.raise()
        return .success(())
    }

    func peek(maximum: Int) async throws(AuditError) -> ClientQueueBatch {
        ClientQueueBatch(events: events.withLock { Array($0.prefix(maximum)) })
    }

    func remove(_ batch: ClientQueueBatch) async throws(AuditError) {
        events.withLock { $0.removeFirst(min(batch.events.count, $0.count)) }
    }

    var pending: Int { events.withLock { $0.count } }

    func waitForEvents() async { await added.wait() }

    func sync() async throws(AuditError) {}
}
