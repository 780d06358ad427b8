import ArgumentParser
import Foundation

extension BenchCommand {
    /// `auditledger-bench fault`: the fault tests CI runs (scripts/fault-tests).
    struct Fault: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Break PostgreSQL and the server under load; check that no acknowledged event is lost or stored twice.",
            discussion: """
                Each scenario gets a fresh database (created through --database-url, a role that may create databases) and a fresh \
                `auditledger serve` child with its own spool. --pgctl is a script taking stop|kill|start for that PostgreSQL server; \
                scripts/with-postgres provides one for its throwaway cluster. Exits 1 if any scenario fails, keeping the servers' \
                logs (AUDITLEDGER_FAULT_SERVER_LOG_LEVEL sets their level; default notice).
                """
        )

        @Option(help: "PostgreSQL URL of a role that may create databases. (env: AUDITLEDGER_TEST_DATABASE_URL)")
        var databaseURL: String?

        @Option(help: "Script that stops and starts that PostgreSQL server. (env: AUDITLEDGER_TEST_PGCTL)")
        var pgctl: String?

        @Option(help: "The auditledger executable to serve with. (default: the one next to this program)")
        var server: String?

        @Option(
            help: """
                Run only these scenarios (comma-separated). (default: those CI runs: \((FaultScenario.all.filter(\.inCI).map(\.name) + [ReplicaFaultRun.scenario.name] + ClientFaultScenario.all.map(\.name)).joined(separator: ", ")); \
                by hand also: \(FaultScenario.all.filter { !$0.inCI }.map(\.name).joined(separator: ", ")))
                """)
        var only: String?

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            guard let adminURL = databaseURL ?? environment["AUDITLEDGER_TEST_DATABASE_URL"] else {
                throw ValidationError("--database-url (or AUDITLEDGER_TEST_DATABASE_URL) is required")
            }
            guard let script = pgctl ?? environment["AUDITLEDGER_TEST_PGCTL"] else {
                throw ValidationError("--pgctl (or AUDITLEDGER_TEST_PGCTL) is required")
            }
            let names = only.map { Set($0.split(separator: ",").map(String.init)) }
            let scenarios = FaultScenario.all.filter { names?.contains($0.name) ?? $0.inCI }
            let clientScenarios = ClientFaultScenario.all.filter { names?.contains($0.name) ?? true }
            let replicas = names?.contains(ReplicaFaultRun.scenario.name) ?? true
            if let names, scenarios.count + clientScenarios.count + (replicas ? 1 : 0) != names.count {
                throw ValidationError("unknown scenario in --only \(only!)")
            }

            let work = NSTemporaryDirectory() + "auditledger-fault-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            let settings = FaultRun.Settings(
                adminURL: adminURL, server: server ?? executable.appendingPathComponent("auditledger").path,
                control: PostgresControl(script: script), workDirectory: work)
            var failed = false
            for scenario in scenarios {
                let outcome = try await FaultRun(scenario: scenario, settings: settings) { line in
                    FileHandle.standardError.write(Data("fault: \(line)\n".utf8))
                }.run()
                print(outcome.report)
                failed = failed || !outcome.passed
            }
            if replicas {
                let outcome = try await ReplicaFaultRun(settings: settings) { line in
                    FileHandle.standardError.write(Data("fault: \(line)\n".utf8))
                }.run()
                print(outcome.report)
                failed = failed || !outcome.passed
            }
            for scenario in clientScenarios {
                let outcome = try await ClientFaultRun(scenario: scenario, settings: settings, bench: CommandLine.arguments[0]) { line in
                    FileHandle.standardError.write(Data("fault: \(line)\n".utf8))
                }.run()
                print(outcome.report)
                failed = failed || !outcome.passed
            }
            if failed {
                print("server logs kept in \(work)")
                throw ExitCode(1)
            }
            try? FileManager.default.removeItem(atPath: work)
        }
    }
}
