import ArgumentParser
import AuditCore
import AuditLedgerClient
import Foundation
import Logging
import ServiceLifecycle

extension BenchCommand {
    /// `auditledger-bench client-load`: one producer process recording events through
    /// ``AuditLedgerClient`` (the fault scenarios start it, kill it and start it again; the
    /// benchmark times it).
    struct ClientLoadRun: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "client-load",
            abstract: "Record events through the producer client, as one producer process; print each index once recorded.",
            discussion: """
                Events --from ..< --count of --seed (the same id and content each time), at most --rate a second (0: as fast as \
                possible). Prints `recorded <index>` once record() has returned, then `delivered <seconds>` once the server has \
                them all, and exits 0.
                """)

        @Option(help: "The server, e.g. http://127.0.0.1:8080.")
        var url: String

        @Option(help: "The client's spool directory.")
        var spool: String

        @Option(help: "Events in all.")
        var count: Int

        @Option(help: "The first index to record (a restarted producer goes on from here).")
        var from = 0

        @Option(help: "Seed of the events' ids and content.")
        var seed: UInt64 = 1

        @Option(help: "The events' base time (RFC 3339); event i is at base + i ms.")
        var baseTime: String

        @Option(help: "Events a second at most; 0 for no limit.")
        var rate = 0

        @Option(help: "Events per request.")
        var batchSize = 100

        @Option(help: "Print `recorded` only every this many events (1: every one).")
        var printEvery = 1

        @Option(help: "Seconds to wait for delivery before giving up (exit 1).")
        var deliveryTimeout = 600

        /// This process's resident memory now and at its peak (Linux's /proc/self/status).
        static func memory() -> String {
            guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "memory unknown" }
            let fields = status.split(separator: "\n").filter { $0.hasPrefix("VmRSS:") || $0.hasPrefix("VmHWM:") }
            return fields.map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }.joined(separator: ", ")
        }

        /// One line to standard output at once (unbuffered: the harness reads it while this runs, and may kill it).
        func emit(_ line: String) {
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }

        func run() async throws {
            guard let base = AuditTimestamp(rfc3339: baseTime) else { throw ValidationError("--base-time must be RFC 3339") }
            var validation = ValidationPolicy()
            validation.maximumAgeSeconds = 30 * 86_400
            let client = try await AuditLedgerClient(
                configuration: .init(
                    baseURL: url, spoolDirectory: spool, batchSize: batchSize, initialBackoff: .milliseconds(50), maximumBackoff: .seconds(2),
                    shutdownTimeout: .seconds(5), validation: validation),
                logger: Logger(label: "client-load"))
            let group = ServiceGroup(configuration: .init(services: [client], logger: Logger(label: "client-load")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let started = ContinuousClock.now
                for index in from..<count {
                    if rate > 0 {
                        try await Task.sleep(until: started + .seconds(Double(index - from) / Double(rate)), clock: .continuous)
                    }
                    guard client.record(ClientLoad.event(seed: seed, index: index, base: base)).eventID != nil else {
                        throw ValidationError("event \(index) was not kept")
                    }
                    if (index + 1 - from) % printEvery == 0 || index == count - 1 { emit("recorded \(index)") }
                }
                let recordedIn = (ContinuousClock.now - started).seconds
                emit("recorded-all \(count - from) events in \(recordedIn) s; pending \(client.pending); \(Self.memory())")
                let delivered = await client.flush(timeout: .seconds(deliveryTimeout))
                emit(delivered ? "delivered \((ContinuousClock.now - started).seconds)" : "not delivered")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                if !delivered { throw ExitCode(1) }
            }
        }
    }
}
