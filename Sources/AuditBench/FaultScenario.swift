/// A fault test: steady write load against a fresh database and server, faults injected at
/// fixed moments, then the checks of ``FaultRun``.
struct FaultScenario: Sendable {
    /// A fault, or a recovery from one.
    enum Action: Sendable, CustomStringConvertible {
        /// Fast shutdown of PostgreSQL: sessions end, transactions in flight are rolled back.
        case stopPostgres
        /// Immediate shutdown of PostgreSQL, as a crash: it recovers from its WAL at the next start.
        case killPostgres
        case startPostgres
        /// SIGKILL: the server gets no chance to flush or close anything.
        case killServer
        /// SIGTERM: the server must stop accepting, flush, and exit 0.
        case terminateServer
        /// Starts the server again on the same port, database and spool directory.
        case startServer

        var description: String {
            switch self {
            case .stopPostgres: "PostgreSQL stopped (fast)"
            case .killPostgres: "PostgreSQL stopped (immediate, as a crash)"
            case .startPostgres: "PostgreSQL started"
            case .killServer: "server killed (SIGKILL)"
            case .terminateServer: "server stopped (SIGTERM)"
            case .startServer: "server started"
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

    /// What the run must have seen for the scenario to have tested anything.
    struct Expectations: Sendable {
        /// Some requests were answered 202 (the spool took them).
        var spooled = false
        /// Some requests went unanswered or broke their connection (the server died under them).
        var brokenConnections = false
        /// The spool held events when the server was killed or stopped.
        var spoolHeldAtServerFault = false
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

    /// The fault tests CI runs.
    static let all: [FaultScenario] = [
        FaultScenario(
            name: "postgres-outage",
            summary: "PostgreSQL stopped for 20 s under steady load, then restarted",
            loads: [.init(connections: 8, batchSize: 1, pauseMilliseconds: 10), .init(connections: 2, batchSize: 50, pauseMilliseconds: 100)],
            steps: [(4, [.stopPostgres]), (24, [.startPostgres])],
            duration: 32, expectations: .init(spooled: true), seed: 101
        ),
        FaultScenario(
            name: "server-killed",
            summary: "the server killed with SIGKILL under load and restarted, once with PostgreSQL up and once while it was down",
            loads: [.init(connections: 8, batchSize: 1, pauseMilliseconds: 10), .init(connections: 2, batchSize: 50, pauseMilliseconds: 100)],
            // The second kill comes 13 s after PostgreSQL stops: a write waiting for a connection
            // gives up after the store's 10 s operation timeout, and only then is it spooled.
            steps: [(4, [.killServer, .startServer]), (7, [.stopPostgres]), (20, [.killServer, .startPostgres, .startServer])],
            duration: 28, expectations: .init(spooled: true, brokenConnections: true, spoolHeldAtServerFault: true), seed: 202
        ),
        FaultScenario(
            name: "batch-interrupted",
            summary: "batches of 250 events interrupted by PostgreSQL crashing and restarting, and by a fast shutdown",
            loads: [.init(connections: 4, batchSize: 250, pauseMilliseconds: 0)],
            steps: [
                (3, [.killPostgres, .startPostgres]), (8, [.stopPostgres]), (10, [.startPostgres]), (14, [.killPostgres]), (16, [.startPostgres]),
            ],
            duration: 22, expectations: .init(spooled: true), seed: 303
        ),
        FaultScenario(
            name: "graceful-shutdown",
            summary: "the server stopped with SIGTERM under load, while PostgreSQL was down and while it was up, and restarted",
            loads: [.init(connections: 8, batchSize: 1, pauseMilliseconds: 10), .init(connections: 2, batchSize: 50, pauseMilliseconds: 100)],
            // As above: the first SIGTERM comes after the 10 s operation timeout has sent writes to the spool.
            steps: [(3, [.stopPostgres]), (16, [.terminateServer, .startPostgres, .startServer]), (20, [.terminateServer, .startServer])],
            duration: 25, expectations: .init(spooled: true, spoolHeldAtServerFault: true), seed: 404
        ),
    ]
}
