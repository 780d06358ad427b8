import AuditCore
import Foundation
import PostgresNIO

#if canImport(Glibc)
    import Glibc
#endif

/// The producer client under faults: a `client-load` process (this executable) records events
/// at a steady rate through ``AuditLedgerClient`` while the server is killed and started again,
/// or away for a minute, or the producer itself is killed and started again (going on from the
/// last event it said it had recorded); then every event must be stored exactly once.
struct ClientFaultScenario: Sendable {
    enum Action: Sendable, CustomStringConvertible {
        case killServer, startServer, killClient, startClient

        var description: String {
            switch self {
            case .killServer: "server killed (SIGKILL)"
            case .startServer: "server started"
            case .killClient: "producer killed (SIGKILL)"
            case .startClient: "producer started again"
            }
        }
    }

    var name: String
    var summary: String
    var count: Int
    var rate: Int
    var steps: [(at: Double, action: Action)]

    static let all: [ClientFaultScenario] = [
        ClientFaultScenario(
            name: "client-server-killed", summary: "3,000 events at 200/s; the server SIGKILLed at 5 s, started again at 8 s", count: 3000,
            rate: 200, steps: [(5, .killServer), (8, .startServer)]),
        ClientFaultScenario(
            name: "client-server-away", summary: "3,000 events at 100/s; the server SIGKILLed at 5 s and away for a minute", count: 3000,
            rate: 100, steps: [(5, .killServer), (65, .startServer)]),
        ClientFaultScenario(
            name: "client-killed", summary: "3,000 events at 200/s; the producer SIGKILLed at 4 s and 9 s, each time started again 1 s later",
            count: 3000, rate: 200, steps: [(4, .killClient), (5, .startClient), (9, .killClient), (10, .startClient)]),
    ]
}

struct ClientFaultRun {
    let scenario: ClientFaultScenario
    let settings: FaultRun.Settings
    /// This executable (it has the `client-load` command).
    let bench: String
    let log: @Sendable (String) -> Void

    func run() async throws -> FaultRun.Outcome {
        var outcome = FaultRun.Outcome(scenario: scenario.name)
        outcome.producer = true
        let began = ContinuousClock.now
        let database = try await BenchDatabase.create(
            adminURL: settings.adminURL, name: "al_fault_" + scenario.name.replacingOccurrences(of: "-", with: "_"), months: nil)
        let directory = settings.workDirectory + "/\(scenario.name)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let serverLog = directory + "/server.log"
        let arguments = ["--database-url", database.url, "--data-dir", directory + "/server-data", "--log-level", "notice"]
        var server = try await ServerProcess.start(executable: settings.server, arguments: arguments, logPath: serverLog)
        let port = server.port
        let seed = UInt64.random(in: 1...UInt64(UInt32.max))
        let base = AuditTimestamp.now().adding(seconds: -600)
        log("\(scenario.name): \(scenario.summary)")
        var client = try startClient(url: "http://127.0.0.1:\(port)", directory: directory, seed: seed, base: base, from: 0)
        let started = ContinuousClock.now
        do {
            for (at, action) in scenario.steps {
                try await Task.sleep(until: started + .seconds(at), clock: .continuous)
                switch action {
                case .killServer: server.kill()
                case .startServer:
                    server = try await ServerProcess.start(executable: settings.server, arguments: arguments, port: port, logPath: serverLog)
                case .killClient:
                    if client.isRunning { kill(client.processIdentifier, SIGKILL) }
                    client.waitUntilExit()
                case .startClient:
                    let next = (try recordedIndexes(directory).max() ?? -1) + 1
                    outcome.events.append("        producer goes on from event \(next)")
                    client = try startClient(url: "http://127.0.0.1:\(port)", directory: directory, seed: seed, base: base, from: next)
                }
                outcome.events.append(String(format: "%6.1f s  %@", (ContinuousClock.now - started).seconds, action.description))
            }
            // The producer exits once the server has every event (or after its own timeout).
            for _ in 0..<(300 * 10) where client.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        } catch {
            if client.isRunning { kill(client.processIdentifier, SIGKILL) }
            server.kill()
            await database.drop()
            throw error
        }
        if client.isRunning {
            kill(client.processIdentifier, SIGKILL)
            outcome.problems.append("the producer had not delivered everything after 300 s")
        }
        client.waitUntilExit()
        if client.terminationStatus != 0 { outcome.problems.append("the producer exited with \(client.terminationStatus)") }
        let exit = await server.stop()
        if exit != 0 { outcome.problems.append("the server exited with \(exit) on SIGTERM at the end") }

        let recorded = try recordedIndexes(directory)
        outcome.acknowledgedEvents = Set(recorded).count
        if Set(recorded) != Set(0..<scenario.count) {
            outcome.problems.append("the producer said it recorded \(Set(recorded).count) distinct events, not \(scenario.count)")
        }
        let ids = (0..<scenario.count).map { ClientLoad.eventID(seed: seed, index: $0) }
        let (stored, total, twice) = try await database.withClient { client in
            let stored =
                try await client.query("SELECT count(DISTINCT event_id)::int8 FROM audit_events WHERE event_id = ANY(\(ids))")
                .decode(Int64.self).first(where: { _ in true }) ?? 0
            let total = try await client.query("SELECT count(*)::int8 FROM audit_events").decode(Int64.self).first(where: { _ in true }) ?? 0
            let twice =
                try await client.query("SELECT count(*)::int8 FROM (SELECT event_id FROM audit_events GROUP BY event_id HAVING count(*) > 1) d")
                .decode(Int64.self).first(where: { _ in true }) ?? 0
            return (Int(stored), Int(total), Int(twice))
        }
        outcome.storedEvents = total
        if stored != scenario.count { outcome.problems.append("\(scenario.count - stored) of the \(scenario.count) recorded events are not stored") }
        if total != scenario.count {
            outcome.problems.append("\(total) events stored in all, not \(scenario.count): some were stored twice or are strangers")
        }
        if twice != 0 { outcome.problems.append("\(twice) event ids are stored more than once") }
        await database.drop()
        outcome.seconds = (ContinuousClock.now - began).seconds
        return outcome
    }

    /// Starts the producer for events `from..<count`, appending what it prints to `recorded.txt`.
    private func startClient(url: String, directory: String, seed: UInt64, base: AuditTimestamp, from: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bench)
        process.arguments = [
            "client-load", "--url", url, "--spool", directory + "/client-spool", "--count", String(scenario.count), "--from", String(from),
            "--seed", String(seed), "--base-time", base.description, "--rate", String(scenario.rate), "--delivery-timeout", "280",
        ]
        for name in ["recorded.txt", "client.log"] where !FileManager.default.fileExists(atPath: directory + "/" + name) {
            _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: nil)
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/recorded.txt"))
        try output.seekToEnd()
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/client.log"))
        try errors.seekToEnd()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        return process
    }

    /// The indexes the producer said it recorded, over all its runs.
    private func recordedIndexes(_ directory: String) throws -> [Int] {
        let text = try String(contentsOfFile: directory + "/recorded.txt", encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in line.hasPrefix("recorded ") ? Int(line.dropFirst("recorded ".count)) : nil }
    }
}
