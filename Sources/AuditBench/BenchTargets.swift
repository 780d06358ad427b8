import Foundation

/// The issue's targets, checked against a report: each with what was measured and whether it
/// was met (a missed one says by how much).
enum BenchTargets {
    static func evaluate(_ report: BenchReport) -> [BenchReport.Target] {
        guard let postgres = report.stores.first(where: { $0.name == "PostgreSQL" }) else { return [] }
        func rate(_ prefix: String) -> BenchReport.Rate? { postgres.rates.first { $0.name.hasPrefix(prefix) } }
        var targets: [BenchReport.Target] = []
        func add(_ name: String, _ goal: String, _ measured: String, _ met: Bool) {
            targets.append(.init(name: name, target: goal, measured: measured, met: met))
        }
        func percent(_ value: Double) -> String { "\(Int((value * 100).rounded())) %" }
        let copy = rate("raw COPY")?.eventsPerSecond ?? 0
        let naive = rate("one INSERT")?.eventsPerSecond ?? 0
        if copy > 0 {
            if let batch = postgres.rates.filter({ $0.name.hasPrefix("batch endpoint") }).map(\.eventsPerSecond).max() {
                add("Batch ingest", "≥ 70 % of COPY", "\(Int(batch)) events/s = \(percent(batch / copy)) of \(Int(copy))", batch >= 0.7 * copy)
            }
            if let single = postgres.rates.first(where: { $0.name == "single-event endpoint" })?.eventsPerSecond {
                add("Single-event POSTs", "≥ 50 % of COPY", "\(Int(single)) events/s = \(percent(single / copy))", single >= 0.5 * copy)
                if naive > 0 {
                    add("Single-event POSTs vs naive", "≥ 2 × one INSERT per event", String(format: "%.1f ×", single / naive), single >= 2 * naive)
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
        if let footprint = postgres.footprint {
            add("Bytes on disk per event", "≤ about 1,400", "\(Int(footprint.bytesPerEvent.rounded()))", footprint.bytesPerEvent <= 1400)
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
