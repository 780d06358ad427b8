import ArgumentParser
import AuditCore
import Foundation

extension BenchCommand {
    /// `auditledger-bench hot-path`: only the in-process hot path (parse, validate, hash) on the
    /// benchmark's own events, short enough to run under `valgrind --tool=callgrind` or `perf`.
    struct HotPathRun: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hot-path",
            abstract: "Time the write's CPU work per event (parse, validate, hash) on one core, without a server or a database.",
            discussion: """
                The same events and steps as the full run's hot-path phase. For an instruction profile: \
                valgrind --tool=callgrind auditledger-bench hot-path --events 2000 --rounds 1
                """)

        @Option(help: "Events of the generator to time. (default: 20000)")
        var events = 20_000

        @Option(help: "Rounds; the best is kept. (default: 3)")
        var rounds = 3

        @Option(help: "Seed of the event generator. (default: 42)")
        var seed: UInt64 = 42

        func validate() throws {
            guard events > 0, rounds > 0 else { throw ValidationError("--events and --rounds must be positive") }
        }

        func run() async throws {
            var generator = EventGenerator(seed: seed)
            let chains = BenchRun.chains(&generator, events: events, start: AuditTimestamp.now().adding(seconds: -600), spreadSeconds: 300)
            let bodies = chains.flatMap(\.requests).prefix(events).map { request -> [UInt8] in
                var writer = JSONWriter(capacity: 1500)
                writer.write(.object(request))
                return writer.bytes
            }
            let result = try HotPathBench.run(bodies: Array(bodies), rounds: rounds)
            func µs(_ nanoseconds: Double?) -> String { String(format: "%.2f µs", (nanoseconds ?? 0) / 1000) }
            let total = result.parseNanoseconds + result.validateNanoseconds + (result.eventHashNanoseconds ?? 0)
            print("events: \(bodies.count), average body \(Int(result.averageBodyBytes)) bytes, best of \(rounds)")
            print("parse: \(µs(result.parseNanoseconds))")
            print("validate: \(µs(result.validateNanoseconds))")
            print("event hash: \(µs(result.eventHashNanoseconds))")
            print("parse + validate + hash: \(µs(total))")
            print("content id (events sent without event_id): \(µs(result.contentIDNanoseconds))")
            print("event hash from stored text (the verifier's): \(µs(result.storedEventHashNanoseconds))")
            print("201 answer: \(µs(result.responseNanoseconds))")
        }
    }
}
