import Foundation

/// Everything one harness run measured, written as JSON and as Markdown.
struct BenchReport: Codable, Sendable {
    struct Machine: Codable, Sendable {
        var cores: Int
        var memoryGiB: Double
        var postgres: String
        var build: String
        var date: String
    }

    /// A write path's rate, and its latency where requests were timed one by one.
    struct Rate: Codable, Sendable {
        var name: String
        var events: Int
        var seconds: Double
        var eventsPerSecond: Double
        var latency: LatencySummary?
        var statuses: [String: Int]?
        var serverPeakRSSBytes: Int64?
        var note: String?
        /// From `201` to the proof to a signed checkpoint, for single events sent alongside the load.
        var checkpointLag: LatencySummary?
        var checkpointLagUnproven: Int?
        /// The events' and the log's storage this phase left (PostgreSQL, batch of 1,000).
        var footprint: Footprint?
        var logFootprint: LogFootprint?
    }

    /// One round of ``Store/pairedRounds``, events per second.
    struct PairedRound: Codable, Sendable {
        var copy: Double
        var batch: Double
        var share: Double { batch / copy }
    }

    struct Store: Codable, Sendable {
        var name: String
        var rates: [Rate] = []
        var queries: [String: LatencySummary] = [:]
        var queryEvents: Int = 0
        var footprint: Footprint?
        var footprintNote: String?
        var export: ExportBench.Result?
        /// Raw COPY and the batch endpoint (1,000 per request) measured one after the other,
        /// round after round (the first round is the phases above): the machine's speed drifts
        /// by more than the writer's changes between phases, so the target takes the median of
        /// the rounds' ratios. `nil` with one round.
        var pairedRounds: [PairedRound]?
    }

    struct Target: Codable, Sendable {
        var name: String
        var target: String
        var measured: String
        var met: Bool
    }

    var machine: Machine
    var settings: [String: String]
    var hotPath: HotPathBench.Result?
    var stores: [Store] = []
    var targets: [Target] = []

    func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: directory + "/report.json"))
        try Data(markdown.utf8).write(to: URL(fileURLWithPath: directory + "/report.md"))
    }

    var markdown: String {
        var lines: [String] = []
        lines.append(
            "Machine: \(machine.cores) cores, \(String(format: "%.0f", machine.memoryGiB)) GiB; PostgreSQL \(machine.postgres); \(machine.build) build; \(machine.date)."
        )
        lines.append("Settings: " + settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ".")
        lines.append("")
        if !targets.isEmpty {
            lines.append("| Target | Goal | Measured | Met |")
            lines.append("| --- | --- | --- | --- |")
            for target in targets { lines.append("| \(target.name) | \(target.target) | \(target.measured) | \(target.met ? "yes" : "**no**") |") }
            lines.append("")
        }
        for store in stores {
            lines.append("### \(store.name)")
            lines.append("")
            lines.append("| Write path | Events | Events/s | p50 ms | p99 ms | Server peak RSS | Notes |")
            lines.append("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
            for rate in store.rates {
                let latency = rate.latency
                lines.append(
                    "| \(rate.name) | \(rate.events) | \(Int(rate.eventsPerSecond.rounded())) | \(latency.map { Self.ms($0.p50) } ?? "") | "
                        + "\(latency.map { Self.ms($0.p99) } ?? "") | \(rate.serverPeakRSSBytes.map(Self.mib) ?? "") | \(rate.note ?? "") |")
            }
            lines.append("")
            for rate in store.rates {
                guard let lag = rate.checkpointLag else { continue }
                lines.append(
                    "Checkpoint lag during \(rate.name) (an event's `201` → its proof to a signed checkpoint served; \(lag.count) events sent "
                        + "one every 200 ms alongside the load, checkpoints every 10 s): p50 \(Self.ms(lag.p50)) ms, p95 \(Self.ms(lag.p95)) ms, "
                        + "p99 \(Self.ms(lag.p99)) ms, max \(Self.ms(lag.max)) ms\(rate.checkpointLagUnproven.map { $0 > 0 ? "; \($0) not proven within 60 s" : "" } ?? "")."
                )
                lines.append("")
            }
            for rate in store.rates {
                guard let footprint = rate.footprint, let log = rate.logFootprint else { continue }
                lines.append(
                    "Storage after \(rate.name) (\(footprint.rows) events through the server): the events' months "
                        + "\(String(format: "%.0f", footprint.bytesPerEvent)) bytes per event; the tamper-evidence tables "
                        + "\(Self.mib(log.bytes)), \(String(format: "%.0f", log.bytesPerEntry)) bytes per log entry (\(log.entries) entries"
                        + (log.pendingLeft > 0 ? ", \(log.pendingLeft) still queued" : "") + "): "
                        + log.tableBytes.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.mib($0.value))" }.joined(separator: ", ")
                        + "; \(String(format: "%.0f", Double(footprint.bytes + log.bytes) / Double(max(footprint.rows, 1)))) bytes per event in all.")
                lines.append("")
            }
            if !store.queries.isEmpty {
                lines.append("Queries through the API at \(store.queryEvents) events (one connection, sequential):")
                lines.append("")
                lines.append("| Query | p50 ms | p95 ms | p99 ms |")
                lines.append("| --- | ---: | ---: | ---: |")
                for (name, latency) in store.queries.sorted(by: { $0.key < $1.key }) {
                    let failed = latency.failures.map { failures in
                        " ("
                            + failures.sorted { $0.key < $1.key }.map { "\($0.value) of \(latency.count) answered \($0.key)" }.joined(separator: ", ")
                            + ")"
                    }
                    lines.append("| \(name)\(failed ?? "") | \(Self.ms(latency.p50)) | \(Self.ms(latency.p95)) | \(Self.ms(latency.p99)) |")
                }
                lines.append("")
            }
            if let export = store.export {
                lines.append(
                    "Export through the API (`format=ndjson`, every event): \(export.events) events, \(Self.mib(export.bytes)) in "
                        + "\(String(format: "%.1f", export.seconds)) s = \(Int(export.eventsPerSecond.rounded())) events/s; server RSS "
                        + "\(export.serverRSSBeforeBytes.map(Self.mib) ?? "?") before, peak \(export.serverPeakRSSBytes.map(Self.mib) ?? "?")"
                        + (export.note.map { " (\($0))" } ?? "") + ".")
                lines.append("")
            }
            if let footprint = store.footprint {
                lines.append(
                    "On disk: \(String(format: "%.0f", footprint.bytesPerEvent)) bytes per event (\(footprint.rows) events, \(Self.mib(footprint.bytes)))"
                        + (store.footprintNote.map { "; \($0)" } ?? "") + ".")
                if !footprint.indexBytes.isEmpty {
                    lines.append("")
                    lines.append("| Index | Bytes per event |")
                    lines.append("| --- | ---: |")
                    for (name, bytes) in footprint.indexBytes.sorted(by: { $0.key < $1.key }) {
                        lines.append("| \(name) | \(String(format: "%.1f", Double(bytes) / Double(max(footprint.rows, 1)))) |")
                    }
                }
                lines.append("")
            }
        }
        if let hot = hotPath {
            lines.append("Hot path, in-process on one core, per event (average body \(Int(hot.averageBodyBytes)) bytes):")
            lines.append("")
            lines.append("| Step | ns per event | Events/s on one core |")
            lines.append("| --- | ---: | ---: |")
            for (name, nanoseconds) in [
                ("JSON parse", hot.parseNanoseconds), ("validation", hot.validateNanoseconds),
                ("content-derived id (SHA-256), for events sent without event_id", hot.contentIDNanoseconds),
                ("event hash and leaf hash (canonical encoding, two SHA-256), as written", hot.eventHashNanoseconds ?? 0),
                ("the same from stored event_data text (parsed again), as verified", hot.storedEventHashNanoseconds ?? 0),
                ("201 body", hot.responseNanoseconds),
            ] where nanoseconds > 0 {
                lines.append("| \(name) | \(Int(nanoseconds.rounded())) | \(Int((1e9 / max(nanoseconds, 1)).rounded())) |")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    static func ms(_ value: Double) -> String { String(format: value < 10 ? "%.2f" : "%.1f", value) }
    static func mib(_ bytes: Int64) -> String { String(format: "%.0f MiB", Double(bytes) / 1_048_576) }
}
