import AuditCore
import Foundation

extension BenchRun {
    /// Raw COPY of `events` into an empty database of the benchmark's schema.
    func copyPhase(
        _ events: [[StoredAuditEvent]], adminURL: String, months: [PartitionMonth], measuresFootprint: Bool = false
    ) async throws -> (rate: BenchReport.Rate, footprint: Footprint?) {
        let count = events.reduce(0) { $0 + $1.count }
        let database = try await BenchDatabase.create(adminURL: adminURL, name: "al_bench_copy", months: months)
        await checkpoint(adminURL: adminURL)
        let seconds = try await StorageBaselines.copy(events, into: database)
        let footprint = measuresFootprint ? try await database.footprint() : nil
        await database.drop()
        log("COPY: \(Int(Double(count) / seconds)) events/s")
        return (.init(name: "raw COPY (the physical limit)", events: count, seconds: seconds, eventsPerSecond: Double(count) / seconds), footprint)
    }

    /// ``Settings/pairedRounds``: the first round from the run's phases (`first`), then each
    /// further round raw COPY and at once the batch endpoint (1,000 per request), so that both
    /// of a round see the machine alike.
    func pairedRounds(
        _ events: [[StoredAuditEvent]], load: [EventGenerator.Chain], adminURL: String, months: [PartitionMonth], first: [BenchReport.Rate]
    ) async throws -> [BenchReport.PairedRound] {
        var rounds: [BenchReport.PairedRound] = []
        if let copy = first.first(where: { $0.name.hasPrefix("raw COPY") }),
            let batch = first.first(where: { $0.name == Self.pairedBatchPhase })
        {
            rounds.append(.init(copy: copy.eventsPerSecond, batch: batch.eventsPerSecond))
        }
        while rounds.count < settings.pairedRounds {
            let copy = try await copyPhase(events, adminURL: adminURL, months: months)
            let batch = try await apiPhase(
                name: Self.pairedBatchPhase, chains: load, batchSize: 1000, connections: 4, adminURL: adminURL,
                months: settings.phases == .batch ? nil : months)
            rounds.append(.init(copy: copy.rate.eventsPerSecond, batch: batch.eventsPerSecond))
            log("round \(rounds.count): batch \(Int(batch.eventsPerSecond)) events/s = \(Int((rounds.last!.share * 100).rounded())) % of COPY")
        }
        return rounds
    }

    static let pairedBatchPhase = "batch endpoint, 1000 per request"
    /// The same load through three servers on one database (not a candidate for the batch targets).
    static let replicasPhase = "batch endpoint, 1000 per request, 3 servers"

    /// ``BenchDatabase/checkpoint(adminURL:)`` before a timed phase; said in the log each time it
    /// is refused.
    func checkpoint(adminURL: String) async {
        if await !BenchDatabase.checkpoint(adminURL: adminURL) {
            log("CHECKPOINT refused (needs superuser or pg_checkpoint): phases may pay for each other's checkpoints")
        }
    }
}
