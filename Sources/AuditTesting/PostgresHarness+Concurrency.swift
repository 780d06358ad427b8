public import AuditCore
import AuditPostgres
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

extension PostgresHarness {
    /// Stores `events` in a transaction of another connection (as a second server would) and
    /// runs `body` while that transaction is still open, committing it when ``commit`` is
    /// called inside `body` (or when `body` ends).
    ///
    /// Until the commit, the store's lookups do not see these rows, and its own insert of the
    /// same ids waits on them.
    public func withUncommittedWrite<Value: Sendable>(
        of events: [AuditEvent], _ body: @Sendable (_ commit: @escaping @Sendable () async throws -> Void) async throws -> Value
    ) async throws -> Value {
        try await database.withClient { admin in
            try await admin.withConnection { connection in
                let logger = Logger(label: "test.concurrent-writer")
                try await connection.statement("BEGIN", logger: logger)
                try await connection.copyFrom(table: "audit_events", columns: CopyRows.columns, format: .text(.init()), logger: logger) { writer in
                    var buffer = ByteBuffer()
                    for event in events { CopyRows.append(try StoredAuditEvent.hashing(event), to: &buffer) }
                    try await writer.write(buffer)
                }
                let committed = Committed()
                let commit: @Sendable () async throws -> Void = {
                    guard committed.claim() else { return }
                    try await connection.statement("COMMIT", logger: logger)
                }
                let result: Result<Value, any Error>
                do {
                    result = .success(try await body(commit))
                } catch {
                    result = .failure(error)
                }
                try await commit()
                return try result.get()
            }
        }
    }

    /// Waits (up to `timeout`) until some session of the database waits for a lock, as an
    /// insert of an id another open transaction has inserted does.
    public func waitForLockWaiter(timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let waiting = try await values(
                "SELECT count(*)::int8 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", as: Int64.self)
            if waiting.first ?? 0 > 0 { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw AuditError(.internalError, detail: "no session waited for a lock within \(timeout)")
    }
}

/// Whether the transaction was committed already (commit runs once).
private final class Committed: Sendable {
    private let state = Mutex(false)

    func claim() -> Bool {
        state.withLock { done in
            defer { done = true }
            return !done
        }
    }
}
