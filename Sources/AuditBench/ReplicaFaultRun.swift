import AuditCore
import Foundation
import PostgresNIO

/// Three `auditledger serve` processes on one database, each with its own spool and the same
/// signing key, under load each: one is SIGKILLed and started again, another stopped with
/// SIGTERM and started again. Then, besides ``FaultRun``'s checks (every event answered 201 or
/// 202 stored exactly once, nothing half-written or unknown), the log must hold every event
/// once at positions 0, 1, 2, … with nothing left to sequence, and `auditledger verify` must
/// find the log and every checkpoint the three servers signed consistent: one log, no fork.
struct ReplicaFaultRun {
    /// The harness's part of the scenario (its loads per server, duration and expectations).
    static let scenario = FaultScenario(
        name: "replicas",
        summary:
            "three servers on one database under load; one SIGKILLed and started again at 5 s, another stopped (SIGTERM) and started again at 9 s",
        loads: [.init(connections: 3, batchSize: 1, pauseMilliseconds: 10), .init(connections: 1, batchSize: 50, pauseMilliseconds: 150)],
        steps: [], duration: 16,
        expectations: .init(brokenConnections: true, degradedSeen: false, slowestSpooledWrite: nil), seed: 1313
    )

    let settings: FaultRun.Settings
    let log: @Sendable (String) -> Void

    func run() async throws -> FaultRun.Outcome {
        let scenario = Self.scenario
        let checks = FaultRun(scenario: scenario, settings: settings, log: log)
        var outcome = FaultRun.Outcome(scenario: scenario.name)
        let began = ContinuousClock.now
        let database = try await BenchDatabase.create(adminURL: settings.adminURL, name: "al_fault_replicas", months: nil)
        let key = settings.workDirectory + "/replicas-signing.key"
        try ServerProcess.command(executable: settings.server, ["keys", "generate", "--file", key])
        func arguments(_ index: Int) -> [String] {
            [
                "--database-url", database.url, "--data-dir", settings.workDirectory + "/replicas-\(index)-data", "--signing-key", key,
                "--checkpoint-interval", "2", "--log-level", ProcessInfo.processInfo.environment["AUDITLEDGER_FAULT_SERVER_LOG_LEVEL"] ?? "notice",
            ]
        }
        func logPath(_ index: Int) -> String { settings.workDirectory + "/replicas-\(index)-server.log" }
        var servers: [ServerProcess] = []
        for index in 0..<3 {
            servers.append(try await ServerProcess.start(executable: settings.server, arguments: arguments(index), logPath: logPath(index)))
        }
        let ports = servers.map(\.port)

        var generator = EventGenerator(seed: scenario.seed)
        let now = AuditTimestamp.now()
        // The scenario's loads against each server, each with chains of its own.
        let plans = ports.map { _ in scenario.plans(&generator, now: now) }
        log("\(scenario.name): \(scenario.summary)")
        let stopFlag = StopFlag()
        let started = ContinuousClock.now
        let results: [HTTPLoad.Result]
        do {
            results = try await withThrowingTaskGroup(of: HTTPLoad.Result?.self) { group in
                for (port, serverPlans) in zip(ports, plans) {
                    for (load, plan) in zip(scenario.loads, serverPlans) {
                        group.addTask {
                            try await HTTPLoad(host: "127.0.0.1", port: port).run(
                                plan, retryUnavailable: true, pause: .milliseconds(load.pauseMilliseconds), stop: { stopFlag.isSet })
                        }
                    }
                }
                group.addTask {
                    try await Task.sleep(until: started + .seconds(scenario.duration), clock: .continuous)
                    stopFlag.set()
                    return nil
                }
                func note(_ text: String) { outcome.events.append(String(format: "%6.1f s  %@", (ContinuousClock.now - started).seconds, text)) }
                try await Task.sleep(until: started + .seconds(5), clock: .continuous)
                servers[1].kill()
                note("server 2 of 3 killed (SIGKILL)")
                servers[1] = try await ServerProcess.start(executable: settings.server, arguments: arguments(1), port: ports[1], logPath: logPath(1))
                note("server 2 of 3 live again")
                try await Task.sleep(until: started + .seconds(9), clock: .continuous)
                let exit = await servers[2].stop()
                if exit != 0 { outcome.problems.append("server 3 exited with \(exit) on SIGTERM under load") }
                note("server 3 of 3 stopped (SIGTERM)")
                servers[2] = try await ServerProcess.start(executable: settings.server, arguments: arguments(2), port: ports[2], logPath: logPath(2))
                note("server 3 of 3 live again")
                var results: [HTTPLoad.Result] = []
                for try await result in group { if let result { results.append(result) } }
                return results
            }
        } catch {
            for server in servers { server.kill() }
            await database.drop()
            throw error
        }

        for port in ports {
            if let problem = await checks.waitUntilDrained(port: port, seconds: 180) { outcome.problems.append(problem) }
        }
        for (index, server) in servers.enumerated() {
            let exit = await server.stop()
            if exit != 0 { outcome.problems.append("server \(index + 1) exited with \(exit) on SIGTERM at the end") }
        }
        outcome.count(results)
        let stored = try await checks.storedCounts(in: database)
        outcome.quarantined = try await checks.quarantineCount(in: database)
        checks.check(results, stored: stored, outcome: &outcome)
        outcome.problems += try await logProblems(in: database, key: key, outcome: &outcome)
        await database.drop()
        outcome.seconds = (ContinuousClock.now - began).seconds
        return outcome
    }

    /// One log over every stored event, nothing left to sequence, and `auditledger verify`
    /// content with the log and every checkpoint.
    private func logProblems(in database: BenchDatabase, key: String, outcome: inout FaultRun.Outcome) async throws -> [String] {
        let (events, entries, size, pending, checkpoints) = try await database.withClient { client in
            let row = try await client.query(
                """
                SELECT (SELECT count(*) FROM audit_events)::int8, (SELECT count(*) FROM auditledger_log)::int8,
                       (SELECT coalesce(max(position) + 1, 0) FROM auditledger_log)::int8,
                       (SELECT count(*) FROM auditledger_log_pending)::int8, (SELECT count(*) FROM auditledger_checkpoints)::int8
                """
            ).decode((Int64, Int64, Int64, Int64, Int64).self)
            for try await values in row { return values }
            throw BenchFailure("the log's counts could not be read")
        }
        var problems: [String] = []
        if entries != events || size != entries {
            problems.append("the log has \(entries) entries up to position \(size - 1) for \(events) stored events")
        }
        if pending != 0 { problems.append("\(pending) events were never given a log position") }
        if checkpoints == 0 { problems.append("no checkpoint was signed") }
        outcome.events.append("  log: \(entries) entries for \(events) events, \(checkpoints) checkpoints signed by the three servers")
        let verify = try ServerProcess.command(
            executable: settings.server, ["verify", "--database-url", database.url, "--signing-key", key, "--log-level", "warning"], check: false)
        if verify.status != 0 {
            problems.append("auditledger verify failed (\(verify.status)): \(verify.output.suffix(600))")
        } else {
            outcome.events.append("  auditledger verify: \(verify.output.split(separator: "\n").last.map(String.init) ?? "passed")")
        }
        return problems
    }
}
