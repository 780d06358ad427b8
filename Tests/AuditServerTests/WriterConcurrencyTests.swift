import AuditCore
import AuditIngest
import AuditTesting
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// The writer's transactions in flight at once (``BatchWriter/Configuration/maximumConcurrentTransactions``),
/// on each store, with the store's writes held by a lock so that what is in flight stays there.
@Suite struct WriterConcurrencyTests {
    @Test(
        "Two unrelated requests are written in two transactions at once; with one transaction allowed, the second waits",
        arguments: StoreKind.available)
    func unrelatedRequestsOverlap(_ kind: StoreKind) async throws {
        for allowed in [2, 1] {
            try await withBlockedWriter(kind, transactions: allowed) { writer, submit, release in
                let first = try EventFactory.event(correlationID: "rr-overlap-a", at: .now())
                let second = try EventFactory.event(correlationID: "rr-overlap-b", at: .now())
                submit(first)
                try await waitUntil("the first request is in flight") { writer.writingEvents == 1 }
                submit(second)
                if allowed == 2 {
                    try await waitUntil("both requests are in flight") { writer.writingEvents == 2 && writer.queuedEvents == 0 }
                } else {
                    try await waitUntil("the second request is queued") { writer.queuedEvents == 1 }
                    try await stays("the second request waits for the first transaction") { writer.writingEvents == 1 && writer.queuedEvents == 1 }
                }
                let receipts = try await release()
                #expect(receipts.count == 2)
                #expect(receipts.allSatisfy { $0.insertedCount == 1 })
            }
        }
    }

    @Test(
        "A child whose parent is in a transaction in flight waits for it, and so does every request queued behind it; all are then stored",
        arguments: StoreKind.available)
    func childWaitsForItsParent(_ kind: StoreKind) async throws {
        try await withBlockedWriter(kind, transactions: 2) { writer, submit, release in
            let parent = try EventFactory.event(correlationID: "rr-chain", at: .now())
            let child = try EventFactory.event(correlationID: "rr-chain", at: AuditTimestamp.now().adding(microseconds: 5), parentID: parent.id)
            let unrelated = try EventFactory.event(correlationID: "rr-unrelated", at: .now())
            submit(parent)
            try await waitUntil("the parent is in flight") { writer.writingEvents == 1 }
            submit(child)
            try await waitUntil("the child is queued") { writer.queuedEvents == 1 }
            submit(unrelated)
            try await waitUntil("the unrelated request is queued behind the child") { writer.queuedEvents == 2 }
            try await stays("both wait for the parent's transaction") { writer.writingEvents == 1 && writer.queuedEvents == 2 }
            let receipts = try await release()
            #expect(receipts.count == 3)
            #expect(receipts.allSatisfy { $0.insertedCount == 1 })
        }
    }

    @Test("A request repeating an id in flight waits for it, then is answered as already stored", arguments: StoreKind.available)
    func repeatedIDWaits(_ kind: StoreKind) async throws {
        try await withBlockedWriter(kind, transactions: 2) { writer, submit, release in
            let event = try EventFactory.event(correlationID: "rr-repeat", at: .now())
            submit(event)
            try await waitUntil("the first copy is in flight") { writer.writingEvents == 1 }
            submit(event)
            try await waitUntil("the second copy is queued") { writer.queuedEvents == 1 }
            try await stays("the second copy waits") { writer.writingEvents == 1 && writer.queuedEvents == 1 }
            let receipts = try await release()
            #expect(receipts.map(\.insertedCount).sorted() == [0, 1])
        }
    }
}

/// Runs a writer allowing `transactions` at once over a fresh store whose writes are blocked;
/// `body` submits events (each its own request) and calls `release` to unblock the store and
/// collect every receipt, which fails the test if any request failed or was spooled.
private func withBlockedWriter(
    _ kind: StoreKind, transactions: Int,
    _ body:
        @Sendable @escaping (
            _ writer: BatchWriter, _ submit: @escaping @Sendable (AuditEvent) -> Void,
            _ release: @escaping @Sendable () async throws -> [WriteReceipt]
        ) async throws -> Void
) async throws {
    // The writes wait for the lock held below until `release`: a long store timeout, so that a
    // machine loaded with the parallel suites cannot make them give up first (SQLite's default
    // 5 s busy timeout ran out in a local run of every suite, 139–178 s for these tests).
    try await withHarness(kind, storeTimeout: .seconds(120)) { harness in
        let writer = BatchWriter(
            store: harness.store, configuration: .init(maximumConcurrentTransactions: transactions), logger: Logger(label: "test.writer"))
        let services = ServiceGroup(configuration: .init(services: [writer], logger: Logger(label: "test.group")))
        let (submissions, submission) = AsyncStream.makeStream(of: AuditEvent.self)
        let (locked, lockedSignal) = AsyncStream.makeStream(of: Void.self)
        let (unlock, unlockSignal) = AsyncStream.makeStream(of: Void.self)
        let (results, resultSignal) = AsyncStream.makeStream(of: [WriteReceipt].self)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await services.run() }
            tasks.addTask {
                try await harness.withWritesBlocked {
                    lockedSignal.finish()
                    for await _ in unlock {}
                }
            }
            tasks.addTask {
                // A request that fails ends the results too, so that `release` cannot wait for ever.
                defer { resultSignal.finish() }
                // Every submission in its own task, so a request waiting in the writer holds no other.
                let receipts = try await withThrowingTaskGroup(of: WriteReceipt.self) { requests in
                    for await event in submissions {
                        requests.addTask {
                            let outcome = try await writer.submit(EventBatch(events: [event]))
                            return try #require(outcome.receipt, "the request was spooled, not stored")
                        }
                    }
                    return try await requests.reduce(into: []) { $0.append($1) }
                }
                resultSignal.yield(receipts)
            }
            for await _ in locked {}
            do {
                try await body(
                    writer, { submission.yield($0) },
                    {
                        submission.finish()
                        unlockSignal.finish()
                        var collected: [WriteReceipt] = []
                        for await receipts in results { collected = receipts }
                        return collected
                    })
            } catch {
                submission.finish()
                unlockSignal.finish()
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

/// Polls `condition` every 10 ms for up to 10 s; fails the test if it never holds.
private func waitUntil(_ what: String, _ condition: @Sendable () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting until \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Checks every 10 ms for 300 ms that `condition` keeps holding (what a broken writer would
/// change within a millisecond or two).
private func stays(_ what: String, _ condition: @Sendable () -> Bool) async throws {
    let end = ContinuousClock.now + .milliseconds(300)
    while ContinuousClock.now < end {
        #expect(condition(), "expected: \(what)")
        if !condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
}
