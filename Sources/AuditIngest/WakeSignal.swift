import Synchronization

/// A wake-up between producers and one waiting consumer, safe to stop waiting for.
///
/// ``raise()`` wakes the waits in progress; raised while nobody waits, it is kept (once, however
/// often it was raised) for the next ``wait()``. A wait whose task is cancelled returns at once
/// and leaves the signal as it was, so a consumer may race it against a timeout or another
/// signal and cancel the loser. (An `AsyncStream` cannot be used so: cancelling a task waiting
/// in its `next()` finishes the stream for good, and every later wait returns at once.)
public final class WakeSignal: Sendable {
    private struct State {
        var raised = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes every wait in progress, or, when none is, the next one.
    public func raise() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.waiters.isEmpty else {
                state.raised = true
                return []
            }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the signal is raised (at once if it was raised since the last wait), or
    /// when the calling task is cancelled.
    public func wait() async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.raised {
                        state.raised = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
