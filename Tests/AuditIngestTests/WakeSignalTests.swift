import AuditCore
import Foundation
import Testing

@testable import AuditIngest

/// The wake-up the spool and the producer client wait on: a wait raced against a timeout and
/// cancelled must not spoil the next one (an AsyncStream's did: every later wait returned at
/// once, and the client's sender spun reading its spool while idle).
@Suite struct WakeSignalTests {
    /// Whether `wait` returns within `time`; the wait is cancelled when it does not.
    static func returns(within time: Duration, _ wait: @escaping @Sendable () async -> Void) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await wait()
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(for: time)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    @Test("A raise is kept for the next wait, once; a cancelled wait leaves the signal as it was")
    func keepsAndSurvivesCancellation() async {
        let signal = WakeSignal()
        #expect(await !Self.returns(within: .milliseconds(100)) { await signal.wait() }, "nothing raised: it waits")
        #expect(await !Self.returns(within: .milliseconds(100)) { await signal.wait() }, "still waits after a cancelled wait")
        signal.raise()
        signal.raise()
        #expect(await Self.returns(within: .seconds(5)) { await signal.wait() }, "a raise before the wait is kept")
        #expect(await !Self.returns(within: .milliseconds(100)) { await signal.wait() }, "kept once, however often raised")
    }

    @Test("A raise wakes the wait in progress")
    func wakesWaiter() async {
        let signal = WakeSignal()
        async let woken = Self.returns(within: .seconds(5)) { await signal.wait() }
        try? await Task.sleep(for: .milliseconds(50))
        signal.raise()
        #expect(await woken)
    }

    @Test("The spool's wait for records, cancelled, does not return at once the next time; an append wakes it")
    func spoolWaitSurvivesCancellation() async throws {
        let directory = SpoolTests.directory()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: directory).deletingLastPathComponent().path) }
        let spool = try await SpoolTests.open(directory)
        #expect(await !Self.returns(within: .milliseconds(100)) { await spool.waitForRecords() })
        #expect(await !Self.returns(within: .milliseconds(100)) { await spool.waitForRecords() }, "the cancelled wait spoiled nothing")
        // The append raises after its fsync, which took longer than 5 s in a CI run while the
        // PostgreSQL suites wrote beside it: the bound is for a wait that never ends, not a speed.
        async let woken = Self.returns(within: .seconds(120)) { await spool.waitForRecords() }
        try? await Task.sleep(for: .milliseconds(50))
        _ = try await spool.append([try SpoolTests.record(1, correlation: "rr-wake")])
        #expect(await woken)
    }
}
