import AuditCore
import Foundation
import NIOCore
import NIOHTTP1
import PostgresNIO
import Synchronization

/// Runs one ``FaultScenario``: a fresh database, an `auditledger serve` child with its own
/// spool directory, the scenario's load and faults, readiness sampled all along, a wait until
/// the spool has drained, then the checks against what PostgreSQL holds and what the server
/// reported (``FaultRun/check(_:stored:outcome:)``).
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
        /// nil: the server under test has no quarantine table.
        var quarantined: Int? = 0
        var spoolAtServerFaults: [Int] = []
        var writingAtPostgresFaults: [Int] = []
        /// Readiness states seen while the server was up, and how often.
        var readiness: [String: Int] = [:]
        var slowestSpooledWrite = 0.0
        var metrics: [String: Double] = [:]
        var seconds = 0.0
        var events: [String] = []
        var problems: [String] = []
        /// A producer-client scenario (``ClientFaultRun``): no HTTP load of the harness's own.
        var producer = false

        var passed: Bool { problems.isEmpty }

        /// Adds the loads' requests, answers and broken connections.
        mutating func count(_ results: [HTTPLoad.Result]) {
            for result in results {
                requests += result.outcomes.count
                statuses.merge(result.statuses, uniquingKeysWith: +)
                transportErrors += result.transportErrors
            }
        }
    }

    let scenario: FaultScenario
    let settings: Settings
    let log: @Sendable (String) -> Void

    func run() async throws -> Outcome {
        var outcome = Outcome(scenario: scenario.name)
        let began = ContinuousClock.now
        let now = AuditTimestamp.now()
        // Empty: the server under test migrates it and creates its months, as `serve` does in
        // production (and so any version of the server can be put through the scenarios).
        let database = try await BenchDatabase.create(
            adminURL: settings.adminURL, name: "al_fault_" + scenario.name.replacingOccurrences(of: "-", with: "_"), months: nil)
        let dataDirectory = settings.workDirectory + "/\(scenario.name)-data"
        let logPath = settings.workDirectory + "/\(scenario.name)-server.log"
        let arguments =
            [
                "--database-url", database.url, "--data-dir", dataDirectory, "--log-level",
                ProcessInfo.processInfo.environment["AUDITLEDGER_FAULT_SERVER_LOG_LEVEL"] ?? "notice",
            ] + scenario.serverArguments
        var server = try await ServerProcess.start(executable: settings.server, arguments: arguments, logPath: logPath)
        let port = server.port

        var generator = EventGenerator(seed: scenario.seed)
        let plans = scenario.plans(&generator, now: now)
        log("\(scenario.name): \(scenario.summary)")
        let stopFlag = StopFlag()
        let sampler = ReadinessSampler()
        let started = ContinuousClock.now
        let results: [HTTPLoad.Result]
        do {
            results = try await withThrowingTaskGroup(of: HTTPLoad.Result?.self) { group in
                for (load, plan) in zip(scenario.loads, plans) {
                    group.addTask {
                        try await HTTPLoad(host: "127.0.0.1", port: port).run(
                            plan, retryUnavailable: true, pause: .milliseconds(load.pauseMilliseconds), stop: { stopFlag.isSet })
                    }
                }
                group.addTask {
                    while !stopFlag.isSet {
                        let state = await readiness(port: port)?["status"] as? String
                        sampler.record(state)
                        try await Task.sleep(for: .milliseconds(250))
                    }
                    return nil
                }
                group.addTask {
                    try await Task.sleep(until: started + .seconds(scenario.duration), clock: .continuous)
                    stopFlag.set()
                    return nil
                }
                for (at, actions) in scenario.steps {
                    try await Task.sleep(until: started + .seconds(at), clock: .continuous)
                    for action in actions {
                        if action.restartsServer { sampler.pause() }
                        try await perform(action, on: &server, arguments: arguments, port: port, logPath: logPath, outcome: &outcome)
                        if action.restartsServer { sampler.resume() }
                        let seconds = (ContinuousClock.now - started).seconds
                        outcome.events.append(String(format: "%6.1f s  %@", seconds, action.description))
                    }
                }
                var results: [HTTPLoad.Result] = []
                for try await result in group { if let result { results.append(result) } }
                return results
            }
        } catch {
            // A scenario that fails midway stops its server (SIGKILL: its state no longer
            // matters) and drops its database, so that the scenarios after it start clean.
            server.kill()
            await database.drop()
            throw error
        }
        outcome.readiness = sampler.counts

        // Let the writer and the spool drain, then stop the server as an operator would.
        if let problem = await waitUntilDrained(port: port, seconds: 180) { outcome.problems.append(problem) }
        if scenario.expectations.metricsAgree { outcome.metrics = await metrics(port: port) }
        let exit = await server.stop()
        if exit != 0 { outcome.problems.append("the server exited with \(exit) on SIGTERM at the end") }

        outcome.count(results)
        let stored = try await storedCounts(in: database)
        outcome.quarantined = try await quarantineCount(in: database)
        check(results, stored: stored, outcome: &outcome)
        await database.drop()
        outcome.seconds = (ContinuousClock.now - began).seconds
        return outcome
    }

    private func perform(
        _ action: FaultScenario.Action, on server: inout ServerProcess, arguments: [String], port: Int, logPath: String, outcome: inout Outcome
    ) async throws {
        switch action {
        case .stopPostgres, .killPostgres, .sigkillPostgres:
            outcome.writingAtPostgresFaults.append(await readiness(port: port)?["writing_events"] as? Int ?? -1)
            switch action {
            case .stopPostgres: try await settings.control.stop()
            case .killPostgres: try await settings.control.kill()
            default: try await settings.control.sigkill()
            }
        case .startPostgres:
            try await settings.control.start()
        case .readOnlyPostgres:
            try await settings.control.readOnly()
        case .writablePostgres:
            try await settings.control.writable()
        case .killServer:
            outcome.spoolAtServerFaults.append(await readiness(port: port)?["spool_events"] as? Int ?? -1)
            server.kill()
        case .terminateServer:
            outcome.spoolAtServerFaults.append(await readiness(port: port)?["spool_events"] as? Int ?? -1)
            let exit = await server.stop()
            if exit != 0 { outcome.problems.append("the server exited with \(exit) on SIGTERM under load") }
        case .startServer:
            server = try await ServerProcess.start(executable: settings.server, arguments: arguments, port: port, logPath: logPath)
        case .startServerCrashing(let point):
            server = try await ServerProcess.start(
                executable: settings.server, arguments: arguments, port: port, environment: ["AUDITLEDGER_TEST_SPOOL_CRASH": point],
                logPath: logPath, waitUntilLive: false)
        case .awaitServerCrashAndRestart:
            guard await server.waitForExit(seconds: 60) else {
                outcome.problems.append("the server did not crash at its spool crash point within 60 s")
                server.kill()
                server = try await ServerProcess.start(executable: settings.server, arguments: arguments, port: port, logPath: logPath)
                return
            }
            // SIGKILL by itself: exit by signal 9.
            if server.process.terminationReason != .uncaughtSignal {
                outcome.problems.append("the server ended with \(server.process.terminationStatus), not by its own SIGKILL")
            }
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

    /// The server's metrics without labels (`name value`), from `GET /metrics`.
    func metrics(port: Int) async -> [String: Double] {
        guard let answer = try? await HTTPClientConnection.with(host: "127.0.0.1", port: port, { try await $0.send(.GET, "/metrics") }) else {
            return [:]
        }
        var values: [String: Double] = [:]
        for line in String(decoding: answer.body.readableBytesView, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, !parts[0].contains("{"), let value = Double(parts[1]) { values[String(parts[0])] = value }
        }
        return values
    }

    /// Waits until the server is ready with nothing queued, being written or spooled.
    func waitUntilDrained(port: Int, seconds: Int) async -> String? {
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
    func storedCounts(in database: BenchDatabase) async throws -> [String: Int] {
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

    /// Quarantine records in the database (none, in every scenario: no event is refused);
    /// nil when the server under test has no quarantine table (one older than schema 5).
    func quarantineCount(in database: BenchDatabase) async throws -> Int? {
        try await database.withClient { client in
            var exists = false
            for try await found in try await client.query("SELECT to_regclass('auditledger_quarantine') IS NOT NULL").decode(Bool.self) {
                exists = found
            }
            guard exists else { return nil }
            var total = 0
            for try await count in try await client.query("SELECT count(*)::int8 FROM auditledger_quarantine").decode(Int64.self) {
                total = Int(count)
            }
            return total
        }
    }
}

/// Set once, read from any task: ends the load.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

/// Readiness states seen, not counting samples taken while the server was being restarted.
final class ReadinessSampler: Sendable {
    private let state = Mutex<(paused: Bool, counts: [String: Int])>((false, [:]))

    func pause() { state.withLock { $0.paused = true } }
    func resume() { state.withLock { $0.paused = false } }

    func record(_ status: String?) {
        state.withLock { state in
            guard !state.paused else { return }
            state.counts[status ?? "unreachable", default: 0] += 1
        }
    }

    var counts: [String: Int] { state.withLock { $0.counts } }
}
