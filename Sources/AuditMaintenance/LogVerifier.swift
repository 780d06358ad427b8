public import AuditCore
public import CoreMetrics
public import Logging
public import ServiceLifecycle

/// The background verifier: re-checks the log while the server runs, so that tampering shows
/// within minutes (docs/integrity.md). Its first cycle verifies the whole log, recomputing every
/// event; each cycle after verifies what was logged since, re-reads ``Configuration/recheckWindow``
/// positions already verified (a rolling window over the whole log, wrapping around) against
/// what it computed the first time, re-checks the checkpoints in that window, and names stored
/// events outside the log. Each problem is logged once, as an error, and counted.
///
/// | Name | Kind | Meaning |
/// | --- | --- | --- |
/// | `auditledger_verifier_tree_size` | gauge | Log size verified so far. |
/// | `auditledger_verifier_problems_total` | counter | Distinct problems found (changed, removed or inserted events, bad checkpoints, …). |
/// | `auditledger_verifier_runs_total{outcome}` | counter | Cycles, `ok` (nothing found), `problems`, or `failed` (the store could not answer; retried). |
/// | `auditledger_verifier_last_success_seconds` | gauge | Unix time at which the last cycle that ran to its end (`ok` or `problems`) ended. |
public final class LogVerifier: Service, Sendable {
    /// Verifier settings. Every property has a documented default.
    public struct Configuration: Sendable {
        /// Time between cycles. Default 60 s.
        public var interval: Duration
        /// Positions re-read per cycle. Default 20,000 (a log of a million is re-read every 50
        /// cycles; each re-read event costs about what writing it did, so a larger window takes
        /// that much from ingest on a small machine).
        public var recheckWindow: Int64

        /// Creates a configuration; every parameter defaults to the value documented on its property.
        public init(interval: Duration = .seconds(60), recheckWindow: Int64 = 20_000) {
            self.interval = interval
            self.recheckWindow = recheckWindow
        }
    }

    public let configuration: Configuration
    private let store: any AuditLifecycleStore
    private let trustedKeys: [NoteVerifierKey]
    private let factory: any MetricsFactory
    private let logger: Logger

    /// - Parameter trustedKeys: the keys whose checkpoints are trusted (the key file's).
    public init(
        store: any AuditLifecycleStore, trustedKeys: [NoteVerifierKey], configuration: Configuration = Configuration(),
        metricsFactory: any MetricsFactory = MetricsSystem.factory, logger: Logger
    ) {
        self.store = store
        self.trustedKeys = trustedKeys
        self.configuration = configuration
        self.factory = metricsFactory
        self.logger = logger
    }

    /// Cycles until shutdown. Graceful shutdown interrupts a cycle in progress (the first one
    /// over a long log takes minutes): what it had verified is redone by the next start.
    public func run() async throws {
        var state = State(trustedKeys: trustedKeys)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let before = state
            let after = await cancelWhenGracefulShutdown { () async -> State in
                var state = before
                await self.cycle(&state)
                return state
            }
            guard !Task.isCancelled && !Task.isShuttingDownGracefully else { return }
            state = after
            let pause = configuration.interval
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }

    /// What the verifier keeps between cycles: the log verified so far, where the rolling
    /// re-check is, and the problems already reported.
    public struct State: Sendable {
        var auditor: LogAuditor
        var cursor: Int64 = 0
        var reported: Set<LogProblem> = []

        public init(trustedKeys: [NoteVerifierKey]) {
            auditor = LogAuditor(trustedKeys: trustedKeys)
        }

        /// The log size verified so far.
        public var treeSize: Int64 { auditor.report.treeSize }
    }

    /// One cycle (what ``run()`` does every interval); returns the problems it found that were
    /// not reported before.
    @discardableResult
    public func cycle(_ state: inout State) async -> [LogProblem] {
        let before = state.auditor.report.problemCount
        do {
            let removed = try await store.removedMonths()
            let size = try await store.logStatus().size
            try await state.auditor.advance(in: store, to: size, removed: removed)
            let verified = state.auditor.frontier.size
            if state.cursor >= verified { state.cursor = 0 }
            let window = state.cursor..<min(verified, state.cursor + configuration.recheckWindow)
            try await state.auditor.recheck(in: store, positions: window, removed: removed)
            state.cursor = window.upperBound
            try await state.auditor.checkUnlogged(in: store)
        } catch {
            // Interrupted by shutdown: not a failure of the store's.
            if Task.isCancelled { return [] }
            CoreMetrics.Counter(label: "auditledger_verifier_runs_total", dimensions: [("outcome", "failed")], factory: factory).increment()
            logger.warning(
                "the log verifier could not run; retrying at the next interval", metadata: ["error": "\(AuditError.logDescription(of: error))"])
            return []
        }
        CoreMetrics.Gauge(label: "auditledger_verifier_tree_size", factory: factory).record(state.auditor.report.treeSize)
        var fresh: [LogProblem] = []
        for problem in state.auditor.report.problems.dropFirst(before) where state.reported.insert(problem).inserted { fresh.append(problem) }
        CoreMetrics.Counter(label: "auditledger_verifier_problems_total", factory: factory).increment(by: fresh.count)
        let outcome = state.auditor.report.problemCount > before ? "problems" : "ok"
        CoreMetrics.Counter(label: "auditledger_verifier_runs_total", dimensions: [("outcome", outcome)], factory: factory).increment()
        CoreMetrics.Gauge(label: "auditledger_verifier_last_success_seconds", factory: factory)
            .record(Double(AuditTimestamp.now().microsecondsSinceEpoch) / 1_000_000)
        for problem in fresh.prefix(100) {
            logger.error("the audit log was changed behind AuditLedger", metadata: ["audit.verify.problem": "\(problem)"])
        }
        state.auditor.forgetProblems()
        return fresh
    }
}
