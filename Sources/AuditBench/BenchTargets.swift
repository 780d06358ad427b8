import Foundation

/// The performance targets (issue 15's), checked against a report: each with what was measured
/// and whether it was met. Ratios are taken within one run on one machine; absolute figures
/// are context only.
enum BenchTargets {
    /// Batch ingest's share of raw COPY in the same run.
    static let batchShareOfCopy = 0.9
    /// The floor every change keeps (the brief's): batch ingest's share of raw COPY.
    static let batchFloorOfCopy = 0.7
    /// The single-event endpoint's share of raw COPY, and its multiple of the naive path.
    static let singleShareOfCopy = 0.5
    static let singleTimesNaive = 3.0
    /// Parse, validate and hash, per event on one core.
    static let hotPathNanoseconds = 5_000.0

    static func evaluate(_ report: BenchReport) -> [BenchReport.Target] {
        var targets: [BenchReport.Target] = []
        func add(_ name: String, _ goal: String, _ measured: String, _ met: Bool) {
            targets.append(.init(name: name, target: goal, measured: measured, met: met))
        }
        if let hot = report.hotPath {
            let total = hot.parseNanoseconds + hot.validateNanoseconds + (hot.eventHashNanoseconds ?? 0)
            add(
                "Hot path (parse, validate, hash) per event", "≤ 5 µs",
                String(
                    format: "%.1f µs (parse %.1f, validate %.1f, hash %.1f)", total / 1000, hot.parseNanoseconds / 1000,
                    hot.validateNanoseconds / 1000, (hot.eventHashNanoseconds ?? 0) / 1000),
                total <= hotPathNanoseconds)
        }
        if let sqlite = report.stores.first(where: { $0.name.hasPrefix("SQLite") }) {
            for (name, latency) in sqlite.queries.sorted(by: { $0.key < $1.key }) where name.hasPrefix("event_data containment") {
                add(
                    "SQLite JSON containment p95 (\(name.dropFirst("event_data containment, ".count)))", "≤ 50 ms",
                    "\(BenchReport.ms(latency.p95)) ms at \(sqlite.queryEvents) events", latency.p95 <= 50)
            }
        }
        guard let postgres = report.stores.first(where: { $0.name == "PostgreSQL" }) else { return targets }
        func rate(_ prefix: String) -> BenchReport.Rate? { postgres.rates.first { $0.name.hasPrefix(prefix) } }
        func percent(_ value: Double) -> String { "\(Int((value * 100).rounded())) %" }
        let copy = rate("raw COPY")?.eventsPerSecond ?? 0
        let naive = rate("one INSERT")?.eventsPerSecond ?? 0
        if let rounds = postgres.pairedRounds, !rounds.isEmpty {
            let shares = rounds.map(\.share).sorted()
            let median = shares.count % 2 == 1 ? shares[shares.count / 2] : (shares[shares.count / 2 - 1] + shares[shares.count / 2]) / 2
            let each = rounds.map { "\(Int($0.batch)) / \(Int($0.copy)) = \(percent($0.share))" }.joined(separator: "; ")
            let measured = "median \(percent(median)) over \(rounds.count) rounds (batch / COPY events/s: \(each))"
            add("Batch ingest (1,000 per request)", "≥ \(percent(batchShareOfCopy)) of COPY", measured, median >= batchShareOfCopy)
            add("Batch ingest floor (every issue)", "≥ \(percent(batchFloorOfCopy)) of COPY", measured, median >= batchFloorOfCopy)
        } else if copy > 0,
            let batch = postgres.rates.filter({ $0.name.hasPrefix("batch endpoint") && $0.name != BenchRun.replicasPhase }).map(\.eventsPerSecond)
                .max()
        {
            let measured = "\(Int(batch)) events/s = \(percent(batch / copy)) of \(Int(copy))"
            add("Batch ingest", "≥ \(percent(batchShareOfCopy)) of COPY", measured, batch >= batchShareOfCopy * copy)
            add("Batch ingest floor (every issue)", "≥ \(percent(batchFloorOfCopy)) of COPY", measured, batch >= batchFloorOfCopy * copy)
        }
        if copy > 0 {
            if let single = postgres.rates.first(where: { $0.name == "single-event endpoint" })?.eventsPerSecond {
                add(
                    "Single-event POSTs", "≥ \(percent(singleShareOfCopy)) of COPY", "\(Int(single)) events/s = \(percent(single / copy))",
                    single >= singleShareOfCopy * copy)
                if naive > 0 {
                    add(
                        "Single-event POSTs vs naive", "≥ 3 × one INSERT per event", String(format: "%.1f ×", single / naive),
                        single >= singleTimesNaive * naive)
                }
            }
        }
        if let single = postgres.rates.first(where: { $0.name == "single-event endpoint" }), let latency = single.latency {
            add(
                "Single-event p99 at \(report.settings["connections"] ?? "64") connections", "≤ 25 ms", "\(BenchReport.ms(latency.p99)) ms",
                latency.p99 <= 25)
        }
        if let timeline = postgres.queries["correlation timeline"] {
            add("Correlation timeline p95", "≤ 5 ms", "\(BenchReport.ms(timeline.p95)) ms at \(postgres.queryEvents) events", timeline.p95 <= 5)
        }
        for (name, latency) in postgres.queries where name.hasPrefix("event_data containment") {
            add(
                "JSON containment p95 (\(name.dropFirst("event_data containment, ".count)))", "≤ 50 ms", "\(BenchReport.ms(latency.p95)) ms",
                latency.p95 <= 50)
        }
        if let phase = postgres.rates.first(where: { $0.footprint != nil && $0.logFootprint != nil }), let footprint = phase.footprint,
            let log = phase.logFootprint
        {
            // What the server's own writes left: the events' months and everything the log adds.
            let perEvent = Double(footprint.bytes + log.bytes) / Double(max(footprint.rows, 1))
            add(
                "Bytes on disk per event, the log included", "≤ 1,400",
                "\(Int(perEvent.rounded())) (months \(Int(footprint.bytesPerEvent.rounded())), after \(phase.name))", perEvent <= 1400)
        } else if let footprint = postgres.footprint {
            add("Bytes on disk per event (no log measured)", "≤ 1,400", "\(Int(footprint.bytesPerEvent.rounded()))", footprint.bytesPerEvent <= 1400)
        }
        if let export = postgres.export, let rss = export.serverPeakRSSBytes {
            add("Server RSS exporting \(export.events) events as NDJSON", "< 150 MB", BenchReport.mib(rss), rss < 150 * 1_000_000)
        }
        if let overload = rate("single-event endpoint, overload"), let rss = overload.serverPeakRSSBytes {
            add("Server RSS under overload", "≤ 150 MB", BenchReport.mib(rss), rss <= 150 * 1_000_000)
        }
        return targets
    }
}
