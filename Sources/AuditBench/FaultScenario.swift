import AuditCore

/// A fault test: steady write load against a fresh database and server, faults injected at
/// fixed moments, then the checks of ``FaultRun``.
struct FaultScenario: Sendable {
    /// A fault, or a recovery from one.
    enum Action: Sendable, CustomStringConvertible {
        /// Fast shutdown of PostgreSQL: sessions end, transactions in flight are rolled back.
        case stopPostgres
        /// Immediate shutdown of PostgreSQL, as a crash: it recovers from its WAL at the next start.
        case killPostgres
        /// SIGKILL to the postmaster itself; its backends notice and exit.
        case sigkillPostgres
        case startPostgres
        /// Every new transaction read-only (`default_transaction_read_only`), as on a standby
        /// after a failover that is not yet promoted: writes fail with SQLSTATE 25006.
        case readOnlyPostgres
        case writablePostgres
        /// SIGKILL: the server gets no chance to flush or close anything.
        case killServer
        /// SIGTERM: the server must stop accepting, flush, and exit 0.
        case terminateServer
        /// Starts the server again on the same port, database and spool directory.
        case startServer
        /// Starts the server so that it kills itself (SIGKILL) at a point of the spool
        /// (`AUDITLEDGER_TEST_SPOOL_CRASH`).
        case startServerCrashing(at: String)
        /// Waits (at most a minute) for the server to have killed itself, then starts it normally.
        case awaitServerCrashAndRestart

        var description: String {
            switch self {
            case .stopPostgres: "PostgreSQL stopped (fast)"
            case .killPostgres: "PostgreSQL stopped (immediate, as a crash)"
            case .sigkillPostgres: "PostgreSQL's postmaster killed (SIGKILL)"
            case .startPostgres: "PostgreSQL started"
            case .readOnlyPostgres: "PostgreSQL read-only"
            case .writablePostgres: "PostgreSQL writable again"
            case .killServer: "server killed (SIGKILL)"
            case .terminateServer: "server stopped (SIGTERM)"
            case .startServer: "server started"
            case .startServerCrashing(let point): "server started, to crash at spool point \(point)"
            case .awaitServerCrashAndRestart: "server crashed on purpose; started again"
            }
        }

        /// Whether the server is gone or coming back (readiness is not sampled around these).
        var restartsServer: Bool {
            switch self {
            case .killServer, .terminateServer, .startServer, .startServerCrashing, .awaitServerCrashAndRestart: true
            default: false
            }
        }
    }

    /// The load: `connections` clients each sending `batchSize` events per request (1: the
    /// single-event endpoint), `pauseMilliseconds` apart.
    struct Load: Sendable {
        var connections: Int
        var batchSize: Int
        var pauseMilliseconds: Int
    }

    /// What the run must have seen for the scenario to have tested anything, and what the
    /// server must have said about it.
    struct Expectations: Sendable {
        /// Some requests were answered 202 (the spool took them).
        var spooled = false
        /// Some requests went unanswered or broke their connection (the server died under them).
        var brokenConnections = false
        /// The spool held events when the server was killed or stopped.
        var spoolHeldAtServerFault = false
        /// Some writes were refused 503 because the spool was full.
        var spoolFull = false
        /// Readiness said `degraded` while writes were spooled.
        var degradedSeen = true
        /// The server runs from start to end, so its metrics must account for every answer:
        /// events spooled = events answered 202 = events replayed; stored + already stored =
        /// events answered 201; nothing quarantined.
        var metricsAgree = false
        /// A write answered 202 took at most this long (the spool is reached fast once the
        /// database is gone).
        var slowestSpooledWrite: Double? = 4
    }

    var name: String
    var summary: String
    var loads: [Load]
    /// (seconds after the load began, actions in order).
    var steps: [(Double, [Action])]
    /// Seconds of load in all.
    var duration: Double
    var expectations: Expectations
    var seed: UInt64
    /// Extra `serve` options.
    var serverArguments: [String] = []
    /// Run by `scripts/fault-tests` in CI; the others on request (`--only`).
    var inCI = true

    /// For each load, its connections' requests: enough chains that no connection runs out
    /// before the scenario ends (at most 400,000 events a load).
    func plans(_ generator: inout EventGenerator, now: AuditTimestamp) -> [[[HTTPLoad.Request]]] {
        loads.map { load in
            let perSecond = 1000.0 / Double(max(load.pauseMilliseconds, 2)) * Double(load.batchSize)
            let events = Int(perSecond * duration * 1.5) * load.connections + 1000
            let chains = BenchRun.chains(&generator, events: min(events, 400_000), start: now.adding(seconds: -900), spreadSeconds: 600)
            return HTTPLoad.requests(for: chains, connections: load.connections, batchSize: load.batchSize)
        }
    }

    static let steady: [Load] = [
        .init(connections: 8, batchSize: 1, pauseMilliseconds: 10), .init(connections: 2, batchSize: 50, pauseMilliseconds: 100),
    ]
    /// Lighter load for long outages, so the spool stays small and replay keeps up in a debug build.
    static let light: [Load] = [
        .init(connections: 4, batchSize: 1, pauseMilliseconds: 50), .init(connections: 1, batchSize: 20, pauseMilliseconds: 500),
    ]

    /// Every fault test; ``inCI`` tells which CI runs.
    static let all: [FaultScenario] = [
        FaultScenario(
            name: "postgres-outage",
            summary: "PostgreSQL stopped for 20 s under steady load, then restarted",
            loads: steady, steps: [(4, [.stopPostgres]), (24, [.startPostgres])],
            duration: 32, expectations: .init(spooled: true, metricsAgree: true), seed: 101
        ),
        FaultScenario(
            name: "server-killed",
            summary: "the server killed with SIGKILL under load and restarted, once with PostgreSQL up and once while it was down",
            loads: steady, steps: [(4, [.killServer, .startServer]), (7, [.stopPostgres]), (12, [.killServer, .startPostgres, .startServer])],
            duration: 20, expectations: .init(spooled: true, brokenConnections: true, spoolHeldAtServerFault: true), seed: 202
        ),
        FaultScenario(
            name: "batch-interrupted",
            summary: "batches of 250 events interrupted by PostgreSQL crashing and restarting, and by a fast shutdown",
            loads: [.init(connections: 4, batchSize: 250, pauseMilliseconds: 0)],
            steps: [
                (3, [.killPostgres, .startPostgres]), (8, [.stopPostgres]), (10, [.startPostgres]), (14, [.killPostgres]), (16, [.startPostgres]),
            ],
            duration: 22, expectations: .init(spooled: true, slowestSpooledWrite: nil), seed: 303
        ),
        FaultScenario(
            name: "graceful-shutdown",
            summary: "the server stopped with SIGTERM under load, while PostgreSQL was down and while it was up, and restarted",
            loads: steady,
            steps: [(3, [.stopPostgres]), (8, [.terminateServer, .startPostgres, .startServer]), (12, [.terminateServer, .startServer])],
            duration: 17, expectations: .init(spooled: true, spoolHeldAtServerFault: true), seed: 404
        ),
        FaultScenario(
            name: "long-outage",
            summary: "PostgreSQL stopped for 3 minutes under load (past the connection pool's circuit breaker), then restarted",
            loads: light, steps: [(5, [.stopPostgres]), (185, [.startPostgres])],
            duration: 195, expectations: .init(spooled: true, metricsAgree: true), seed: 505
        ),
        FaultScenario(
            name: "postmaster-killed",
            summary: "PostgreSQL's postmaster killed with SIGKILL under load, then started again",
            loads: steady, steps: [(4, [.sigkillPostgres]), (10, [.startPostgres])],
            duration: 18, expectations: .init(spooled: true, metricsAgree: true, slowestSpooledWrite: nil), seed: 606
        ),
        FaultScenario(
            name: "flapping",
            summary: "PostgreSQL down 10 s, up 10 s, for two minutes",
            loads: light,
            steps: stride(from: 5.0, to: 125, by: 20).flatMap { start in [(start, [Action.stopPostgres]), (start + 10, [.startPostgres])] },
            duration: 130, expectations: .init(spooled: true, metricsAgree: true), seed: 707
        ),
        FaultScenario(
            name: "read-only",
            summary: "PostgreSQL read-only (as a standby after a failover) for 20 s under load, then writable",
            loads: steady, steps: [(4, [.readOnlyPostgres]), (24, [.writablePostgres])],
            duration: 30, expectations: .init(spooled: true, metricsAgree: true), seed: 808
        ),
        FaultScenario(
            name: "killed-during-replay",
            summary: "the server killed with SIGKILL while it replays its spool, and at the point between the store's commit and the spool's",
            loads: steady,
            steps: [
                (3, [.stopPostgres]), (11, [.startPostgres]), (11.5, [.killServer, .startServer]), (16, [.stopPostgres]),
                (23, [.terminateServer, .startPostgres, .startServerCrashing(at: "replayed")]), (24, [.awaitServerCrashAndRestart]),
            ],
            duration: 32, expectations: .init(spooled: true, brokenConnections: true, spoolHeldAtServerFault: true), seed: 909
        ),
        FaultScenario(
            name: "killed-while-clearing",
            summary: "the server killed at the moment its drained spool is being cleared, then two more outages with restarts between them",
            loads: light,
            steps: [
                (3, [.stopPostgres]), (9, [.terminateServer, .startPostgres, .startServerCrashing(at: "clearing")]),
                // Two outages with a restart between them (the database up while the server starts).
                (10, [.awaitServerCrashAndRestart]), (18, [.stopPostgres]), (23, [.startPostgres]), (25, [.terminateServer, .startServer]),
                (30, [.stopPostgres]), (34, [.startPostgres]),
            ],
            duration: 40, expectations: .init(spooled: true, spoolHeldAtServerFault: true), seed: 1010
        ),
        FaultScenario(
            name: "spool-full",
            summary: "PostgreSQL stopped until the spool (limited to 300 KB) is full: writes get 503 and are retried, nothing is lost",
            loads: steady, steps: [(3, [.stopPostgres]), (15, [.startPostgres])],
            duration: 22, expectations: .init(spooled: true, spoolFull: true, degradedSeen: false, metricsAgree: true), seed: 1111,
            serverArguments: ["--spool-max-bytes", "300000"]
        ),
        FaultScenario(
            name: "outage-30m",
            summary: "PostgreSQL stopped for 30 minutes under light load, then restarted (by hand: scripts/fault-tests --only outage-30m)",
            loads: light, steps: [(10, [.stopPostgres]), (1810, [.startPostgres])],
            duration: 1830, expectations: .init(spooled: true, metricsAgree: true), seed: 1212, inCI: false
        ),
    ]
}
