import AuditCore
import Foundation
import NIOCore
import NIOHTTP1
import PostgresNIO
import Synchronization

/// Runs one ``FaultScenario``: a fresh database, an `auditledger serve` child with its own
/// spool directory, the scenario's load and faults, a wait until the spool has drained, then
/// the checks against what PostgreSQL holds (``FaultRun/check(_:stored:)``).
struct FaultRun {
    struct Settings: Sendable {
        var adminURL: String
        var server: String
        var control: PostgresControl
        var workDirectory: String
    }

    /// What a scenario saw, and what was wrong with it (nothing, when it passed).
    struct Outcome: Sendable {
        var scenario: String
        var requests = 0
        var statuses: [Int: Int] = [:]
        var unanswered = 0
        var transportErrors = 0
        var acknowledgedEvents = 0
        var storedEvents = 0
        var spoolAtServerFaults: [Int] = []
        var writingAtPostgresFaults: [Int] = []
        var events: [String] = []
        var problems: [String] = []

        var passed: Bool { problems.isEmpty }
    }

    let scenario: FaultScenario
    let settings: Settings
    let log: @Sendable (String) -> Void

    func run() async throws -> Outcome {
        var outcome = Outcome(scenario: scenario.name)
        let now = AuditTimestamp.now()
        let months = [now.utcDate.month.adding(months: -1), now.utcDate.month]
        let database = try await BenchDatabase.create(
            adminURL: settings.adminURL, name: "al_fault_" + scenario.name.replacingOccurrences(of: "-", with: "_"), months: months)
        let dataDirectory = settings.workDirectory + "/\(scenario.name)-data"
        let logPath = settings.workDirectory + "/\(scenario.name)-server.log"
        let arguments = [
            "--database-url", database.url, "--data-dir", dataDirectory, "--log-level",
            ProcessInfo.processInfo.environment["AUDITLEDGER_FAULT_SERVER_LOG_LEVEL"] ?? "notice",
        ]
        var server = try await ServerProcess.start(executable: settings.server, arguments: arguments, logPath: logPath)
        let port = server.port

        var generator = EventGenerator(seed: scenario.seed)
        let plans = scenario.loads.map { load -> [[HTTPLoad.Request]] in
            // Enough chains that no connection runs out before the scenario ends.
            let perSecond = 1000.0 / Double(max(load.pauseMilliseconds, 2)) * Double(load.batchSize)
            let events = Int(perSecond * scenario.duration * 1.5) * load.connections + 1000
            let chains = BenchRun.chains(&generator, events: min(events, 400_000), start: now.adding(seconds: -900), spreadSeconds: 600)
            return HTTPLoad.requests(for: chains, connections: load.connections, batchSize: load.batchSize)
        }
        log("\(scenario.name): \(scenario.summary)")
        let stopFlag = StopFlag()
        let started = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: HTTPLoad.Result?.self) { group in
            for (load, plan) in zip(scenario.loads, plans) {
                group.addTask {
                    try await HTTPLoad(host: "127.0.0.1", port: port).run(
                        plan, retryUnavailable: true, pause: .milliseconds(load.pauseMilliseconds), stop: { stopFlag.isSet })
                }
            }
            group.addTask {
                try await Task.sleep(until: started + .seconds(scenario.duration), clock: .continuous)
                stopFlag.set()
                return nil
            }
            for (at, actions) in scenario.steps {
                try await Task.sleep(until: started + .seconds(at), clock: .continuous)
                for action in actions {
                    try await perform(action, on: &server, arguments: arguments, port: port, logPath: logPath, outcome: &outcome)
                    let seconds = (ContinuousClock.now - started).seconds
                    outcome.events.append(String(format: "%5.1f s  %@", seconds, action.description))
                }
            }
            var results: [HTTPLoad.Result] = []
            for try await result in group { if let result { results.append(result) } }
            return results
        }

        // Let the writer and the spool drain, then stop the server as an operator would.
        if let problem = await waitUntilDrained(port: port, seconds: 120) { outcome.problems.append(problem) }
        let exit = await server.stop()
        if exit != 0 { outcome.problems.append("the server exited with \(exit) on SIGTERM at the end") }

        for result in results {
            outcome.requests += result.outcomes.count
            outcome.statuses.merge(result.statuses, uniquingKeysWith: +)
            outcome.transportErrors += result.transportErrors
        }
        let stored = try await storedCounts(in: database)
        check(results, stored: stored, outcome: &outcome)
        await database.drop()
        return outcome
    }

    private func perform(
        _ action: FaultScenario.Action, on server: inout ServerProcess, arguments: [String], port: Int, logPath: String, outcome: inout Outcome
    ) async throws {
        switch action {
        case .stopPostgres, .killPostgres:
            outcome.writingAtPostgresFaults.append(await readiness(port: port)?["writing_events"] as? Int ?? -1)
            if case .stopPostgres = action { try await settings.control.stop() } else { try await settings.control.kill() }
        case .startPostgres:
            try await settings.control.start()
        case .killServer:
            outcome.spoolAtServerFaults.append(await readiness(port: port)?["spool_events"] as? Int ?? -1)
            server.kill()
        case .terminateServer:
            outcome.spoolAtServerFaults.append(await readiness(port: port)?["spool_events"] as? Int ?? -1)
            let exit = await server.stop()
            if exit != 0 { outcome.problems.append("the server exited with \(exit) on SIGTERM under load") }
        case .startServer:
            server = try await ServerProcess.start(executable: settings.server, arguments: arguments, port: port, logPath: logPath)
        }
    }

    /// `GET /health/ready`'s body, or nil when the server does not answer.
    func readiness(port: Int) async -> [String: Any]? {
        guard
            let answer = try? await HTTPClientConnection.with(host: "127.0.0.1", port: port, { try await $0.send(.GET, "/health/ready") }),
            let object = try? JSONSerialization.jsonObject(with: Data(answer.body.readableBytesView))
        else { return nil }
        return object as? [String: Any]
    }

    /// Waits until the server is ready with nothing queued, being written or spooled.
    private func waitUntilDrained(port: Int, seconds: Int) async -> String? {
        var last: [String: Any]?
        for _ in 0..<(seconds * 10) {
            last = await readiness(port: port)
            if let last, last["status"] as? String == "ready", last["queued_events"] as? Int == 0, last["writing_events"] as? Int == 0,
                last["spool_events"] as? Int == 0
            {
                return nil
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return "the spool did not drain within \(seconds) s; last readiness: \(last.map { "\($0)" } ?? "no answer")"
    }

    /// How many rows each stored event_id has.
    private func storedCounts(in database: BenchDatabase) async throws -> [String: Int] {
        try await database.withClient { client in
            var counts: [String: Int] = [:]
            for try await (id, count) in try await client.query("SELECT event_id::text, count(*)::int8 FROM audit_events GROUP BY 1").decode(
                (String, Int64).self)
            {
                counts[id] = Int(count)
            }
            return counts
        }
    }
}

/// Set once, read from any task: ends the load.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
