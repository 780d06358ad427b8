import AuditCore
import Foundation
import PostgresNIO

/// One harness run: every phase of the report, each on an empty database of its own.
struct BenchRun {
    struct Settings: Sendable {
        var adminURL: String?
        var server: String
        var workDirectory: String
        var loadEvents: Int
        var naiveEvents: Int
        var queryEvents: Int
        var sqliteQueryEvents: Int
        var queryRequests: Int
        var connections: Int
        var overloadConnections: Int
        var seed: UInt64
        var includeSQLite: Bool
        /// Serve with `--auth-tokens` and send a bearer token with every request.
        var authenticate: Bool = false
        /// Which phases run. Default ``Phases/all``.
        var phases: Phases = .all
        /// Added to every `auditledger serve` the run starts.
        var serverArguments: [String] = []
        /// Single events timed from `201` to a signed checkpoint during each single-event phase.
        var lagSamples: Int = 100
        /// Rounds of raw COPY then the batch endpoint (1,000 per request), the first being the
        /// run's own phases. Default 1.
        var pairedRounds: Int = 1
    }

    /// The phases a run takes.
    enum Phases: String, Sendable {
        /// Every phase of the report.
        case all
        /// Raw COPY and the batch phases (PostgreSQL), to compare writers quickly; each API
        /// database migrated by the server under test, as with ``single``.
        case batch
        /// Raw COPY and the single-event phase (PostgreSQL), each API database left empty for
        /// the server under test to migrate as `serve` does — so that a server of another
        /// version (`--server`) can be measured beside this one.
        case single

        var description: String {
            switch self {
            case .all: "all"
            case .batch: "raw COPY and batch only, databases migrated by the server under test"
            case .single: "raw COPY and single-event only, databases migrated by the server under test"
            }
        }
    }

    let settings: Settings
    let log: (String) -> Void
    /// The token file and `Authorization` value when ``Settings/authenticate``.
    private let access: (file: String, authorization: String)?

    init(settings: Settings, log: @escaping (String) -> Void) throws {
        self.settings = settings
        self.log = log
        if settings.authenticate {
            let token = AccessToken.generate()
            let file = settings.workDirectory + "/tokens.json"
            let record = TokenRecord(
                id: token.id, secretSHA256: token.secretHash, principal: "bench", kind: .service, scopes: AccessScope.allCases, readLimits: nil,
                created: .now(), expires: nil)
            try Data(TokenFile(tokens: [record]).encoded()).write(to: URL(fileURLWithPath: file))
            access = (file, "Bearer " + token.text)
        } else {
            access = nil
        }
    }

    func run() async throws -> BenchReport {
        var report = BenchReport(
            machine: try await machine(),
            settings: [
                "load events": String(settings.loadEvents), "naive events": String(settings.naiveEvents),
                "query events (PostgreSQL)": String(settings.queryEvents), "query events (SQLite)": String(settings.sqliteQueryEvents),
                "connections": String(settings.connections), "seed": String(settings.seed),
                "authentication": settings.authenticate ? "bearer token (--auth-tokens)" : "none",
                "phases": settings.phases.description,
                "paired rounds": "\(settings.pairedRounds)",
            ])
        if !settings.serverArguments.isEmpty { report.settings["server arguments"] = settings.serverArguments.joined(separator: " ") }
        let now = AuditTimestamp.now()
        var generator = EventGenerator(seed: settings.seed)
        let load = Self.chains(&generator, events: settings.loadEvents, start: now.adding(seconds: -600), spreadSeconds: 300)
        log("generated \(load.reduce(0) { $0 + $1.requests.count }) events in \(load.count) chains")

        if settings.phases == .all {
            let singleBodies = load.flatMap(\.requests).prefix(20_000).map { request -> [UInt8] in
                var writer = JSONWriter(capacity: 1500)
                writer.write(.object(request))
                return writer.bytes
            }
            report.hotPath = try HotPathBench.run(bodies: Array(singleBodies))
            log("hot path measured")
        }

        if let adminURL = settings.adminURL {
            report.stores.append(try await postgres(adminURL: adminURL, load: load, generator: &generator, now: now))
        }
        if settings.includeSQLite {
            report.stores.append(try await sqlite(load: load, generator: &generator, now: now))
        }
        report.targets = BenchTargets.evaluate(report)
        return report
    }

    // MARK: PostgreSQL

    private func postgres(
        adminURL: String, load: [EventGenerator.Chain], generator: inout EventGenerator, now: AuditTimestamp
    ) async throws -> BenchReport.Store {
        var store = BenchReport.Store(name: "PostgreSQL")
        let months = [now.utcDate.month.adding(months: -1), now.utcDate.month]
        let validator = EventValidator(policy: ValidationPolicy(maximumFutureSkewSeconds: 86_400, maximumAgeSeconds: 86_400 * 400))
        let events = try load.map { try StorageBaselines.events(of: $0, validator: validator, now: now) }

        let copy = try await copyPhase(events, adminURL: adminURL, months: months, measuresFootprint: true)
        store.rates.append(copy.rate)
        store.footprint = copy.footprint
        store.footprintNote = "after the COPY phase, before VACUUM"

        if settings.phases == .all {
            var naive: [[StoredAuditEvent]] = []
            var naiveTotal = 0
            for chain in events where naiveTotal < settings.naiveEvents {
                naive.append(chain)
                naiveTotal += chain.count
            }
            let naiveCount = naive.reduce(0) { $0 + $1.count }
            let naiveDatabase = try await BenchDatabase.create(adminURL: adminURL, name: "al_bench_naive", months: months)
            let naiveSeconds = try await StorageBaselines.naiveInserts(naive, into: naiveDatabase, concurrency: settings.connections, connections: 16)
            store.rates.append(
                .init(
                    name: "one INSERT + commit per event (naive)", events: naiveCount, seconds: naiveSeconds,
                    eventsPerSecond: Double(naiveCount) / naiveSeconds,
                    note: "\(settings.connections) workers, 16 connections, parent looked up first"))
            await naiveDatabase.drop()
            log("naive: \(Int(Double(naiveCount) / naiveSeconds)) events/s")
        }
        if settings.phases != .single {
            for (batchSize, connections) in [(100, 8), (1000, 4)] {
                store.rates.append(
                    try await apiPhase(
                        name: "batch endpoint, \(batchSize) per request", chains: load, batchSize: batchSize, connections: connections,
                        adminURL: adminURL, months: settings.phases == .batch ? nil : months, measuresFootprint: batchSize == 1000))
            }
        }
        if settings.phases != .single {
            // Three servers on one database beside the one-server phase above, each sent as many
            // connections as that one was.
            store.rates.append(
                try await apiPhase(
                    name: Self.replicasPhase, chains: load, batchSize: 1000, connections: 4, adminURL: adminURL,
                    months: months, servers: 3, note: "3 servers on one database, 4 connections each"))
        }
        if settings.phases != .single && settings.pairedRounds > 1 {
            store.pairedRounds = try await pairedRounds(events, load: load, adminURL: adminURL, months: months, first: store.rates)
        }
        if settings.phases == .batch { return store }
        store.rates.append(
            try await apiPhase(
                name: "single-event endpoint", chains: load, batchSize: 1, connections: settings.connections, adminURL: adminURL,
                months: settings.phases == .single ? nil : months,
                lagProbe: Self.chains(&generator, events: settings.lagSamples, start: now, spreadSeconds: 60)))
        if settings.phases == .single { return store }
        let overload = Array(load.prefix(max(1, load.count / 3)))
        store.rates.append(
            try await apiPhase(
                name: "single-event endpoint, overload", chains: overload, batchSize: 1, connections: settings.overloadConnections,
                adminURL: adminURL,
                months: months, extraArguments: ["--max-queued-events", "2000"], note: "\(settings.overloadConnections) connections, queue limit 2000"
            ))

        // Queries at scale: the data loaded with COPY over the last 30 days, then analysed.
        let queryMonths = [now.utcDate.month.adding(months: -2), now.utcDate.month.adding(months: -1), now.utcDate.month]
        let queryDatabase = try await BenchDatabase.create(adminURL: adminURL, name: "al_bench_query", months: queryMonths)
        var samples = QueryBench.Samples(correlationIDs: [], namespaces: generator.namespaces, workflows: generator.workflows, fingerprints: [])
        var loaded = 0
        while loaded < settings.queryEvents {
            let block = Self.chains(
                &generator, count: min(2000, (settings.queryEvents - loaded) / 8 + 1), start: now.adding(seconds: -30 * 86_400), index: loaded,
                total: settings.queryEvents)
            let blockEvents = try block.map { try StorageBaselines.events(of: $0, validator: validator, now: now) }
            _ = try await StorageBaselines.copy(blockEvents, into: queryDatabase)
            loaded += blockEvents.reduce(0) { $0 + $1.count }
            for chain in block.prefix(3) {
                samples.correlationIDs.append(chain.correlationID)
                if case .object(let data)? = chain.requests[0]["event_data"], case .string(let fingerprint)? = data["fingerprint"] {
                    samples.fingerprints.append(fingerprint)
                }
            }
        }
        _ = try await queryDatabase.withClient { client in try await client.query("ANALYZE audit_events") }
        store.queryEvents = loaded
        store.footprint = try await queryDatabase.footprint()
        store.footprintNote = "at \(loaded) events, after ANALYZE"
        log("query data: \(loaded) events loaded")
        let server = try await startServer(arguments: ["--database-url", queryDatabase.url, "--max-age-seconds", String(86_400 * 60)], name: "query")
        store.queries = try await QueryBench.run(
            host: "127.0.0.1", port: server.port, authorization: access?.authorization, samples: samples, requests: settings.queryRequests, log: log)
        await server.stop()
        let exporter = try await startServer(
            arguments: ["--database-url", queryDatabase.url, "--max-age-seconds", String(86_400 * 60), "--verify-interval", "0"], name: "export")
        store.export = try await ExportBench.run(server: exporter, authorization: access?.authorization, workDirectory: settings.workDirectory)
        await exporter.stop()
        log("export: \(store.export?.events ?? 0) events in \(String(format: "%.1f", store.export?.seconds ?? 0)) s")
        await queryDatabase.drop()
        return store
    }

    /// A fresh database, a fresh server (or `servers` of them on that database, sharing one
    /// signing key, each sent `connections`), one load; returns its rate and the first server's peak RSS.
    func apiPhase(
        name: String, chains: [EventGenerator.Chain], batchSize: Int, connections: Int, adminURL: String?, months: [PartitionMonth]?,
        extraArguments: [String] = [], servers count: Int = 1, note: String? = nil, lagProbe: [EventGenerator.Chain] = [],
        measuresFootprint: Bool = false
    ) async throws -> BenchReport.Rate {
        var database: BenchDatabase?
        var arguments = extraArguments
        if let adminURL {
            let created = try await BenchDatabase.create(adminURL: adminURL, name: "al_bench_api", months: months)
            database = created
            arguments += ["--database-url", created.url]
        }
        if count > 1 { arguments += ["--signing-key", try sharedSigningKey()] }
        let server = try await startServer(arguments: arguments, name: name)
        var others: [ServerProcess] = []
        for index in 1..<max(count, 1) { others.append(try await startServer(arguments: arguments, name: "\(name) server \(index + 1)")) }
        if let adminURL { await checkpoint(adminURL: adminURL) }
        let plan = HTTPLoad.requests(for: chains, connections: connections * max(count, 1), batchSize: batchSize)
        let load = HTTPLoad(host: "127.0.0.1", port: server.port, authorization: access?.authorization, otherPorts: others.map(\.port))
        // With a probe: single events sent alongside the load, each timed until a signed checkpoint covers it.
        let probe = CheckpointLagProbe(host: "127.0.0.1", port: server.port, authorization: access?.authorization)
        let probeEvents = HTTPLoad.requests(for: lagProbe, connections: 1, batchSize: 1).flatMap { $0 }.map { ($0.body, $0.ids[0]) }
        let done = DoneFlag()
        async let lag = probe.run(probeEvents, done: { done.isSet })
        let result: HTTPLoad.Result
        do {
            result = try await load.run(plan, retryUnavailable: true)
            done.set()
        } catch {
            done.set()
            _ = try? await lag
            throw error
        }
        let lagResult = try await lag
        let rss = server.peakRSS
        // With the server still running, so that its sequencer drains the queue for the log.
        var footprints: (Footprint, LogFootprint)?
        if measuresFootprint, let database, try await database.hasLog() {
            let log = try await database.logFootprint()
            footprints = (try await database.footprint(), log)
        }
        let exit = await server.stop()
        for other in others {
            let status = await other.stop()
            guard status == 0 else { throw BenchFailure("\(name): a server exited with \(status); see \(other.logPath)") }
        }
        if let database { await database.drop() }
        guard exit == 0 else { throw BenchFailure("\(name): the server exited with \(exit); see \(server.logPath)") }
        log("\(name): \(Int(result.eventsPerSecond)) events/s, p99 \(BenchReport.ms(result.latencies.percentile(0.99))) ms")
        return .init(
            name: name, events: result.events, seconds: result.seconds, eventsPerSecond: result.eventsPerSecond,
            latency: result.latencies.summary, statuses: Dictionary(uniqueKeysWithValues: result.statuses.map { (String($0.key), $0.value) }),
            serverPeakRSSBytes: rss,
            note: note ?? "\(connections) connections" + (result.statuses[503].map { ", \($0) answers 503 (retried)" } ?? ""),
            checkpointLag: lagProbe.isEmpty ? nil : lagResult.lags.summary, checkpointLagUnproven: lagProbe.isEmpty ? nil : lagResult.unproven,
            footprint: footprints?.0, logFootprint: footprints?.1
        )
    }

    // MARK: SQLite

    private func sqlite(load: [EventGenerator.Chain], generator: inout EventGenerator, now: AuditTimestamp) async throws -> BenchReport.Store {
        var store = BenchReport.Store(name: "SQLite (embedded)")
        store.rates.append(
            try await apiPhase(name: "batch endpoint, 100 per request", chains: load, batchSize: 100, connections: 8, adminURL: nil, months: []))
        if settings.phases != .all { return store }
        store.rates.append(
            try await apiPhase(
                name: "single-event endpoint", chains: load, batchSize: 1, connections: settings.connections, adminURL: nil, months: [],
                lagProbe: Self.chains(&generator, events: settings.lagSamples, start: now, spreadSeconds: 60)))

        let directory = settings.workDirectory + "/sqlite-query-\(UUID().uuidString.prefix(8))"
        let server = try await startServer(arguments: ["--data-dir", directory, "--max-age-seconds", String(86_400 * 60)], name: "sqlite-query")
        var samples = QueryBench.Samples(correlationIDs: [], namespaces: generator.namespaces, workflows: generator.workflows, fingerprints: [])
        var loaded = 0
        while loaded < settings.sqliteQueryEvents {
            let block = Self.chains(
                &generator, count: min(2000, (settings.sqliteQueryEvents - loaded) / 8 + 1), start: now.adding(seconds: -30 * 86_400), index: loaded,
                total: settings.sqliteQueryEvents)
            let plan = HTTPLoad.requests(for: block, connections: 4, batchSize: 1000)
            let result = try await HTTPLoad(host: "127.0.0.1", port: server.port, authorization: access?.authorization).run(
                plan, retryUnavailable: true)
            loaded += result.events
            for chain in block.prefix(3) {
                samples.correlationIDs.append(chain.correlationID)
                if case .object(let data)? = chain.requests[0]["event_data"], case .string(let fingerprint)? = data["fingerprint"] {
                    samples.fingerprints.append(fingerprint)
                }
            }
        }
        store.queryEvents = loaded
        store.queries = try await QueryBench.run(
            host: "127.0.0.1", port: server.port, authorization: access?.authorization, samples: samples, requests: settings.queryRequests, log: log)
        await server.stop()
        let file = directory + "/auditledger.sqlite"
        let bytes = ["", "-wal"].compactMap { (try? FileManager.default.attributesOfItem(atPath: file + $0)[.size] as? Int64) ?? nil }.reduce(0, +)
        store.footprint = Footprint(rows: Int64(loaded), bytes: bytes, indexBytes: [:])
        store.footprintNote = "the database file and its WAL"
        try? FileManager.default.removeItem(atPath: directory)
        return store
    }

    // MARK: Helpers

    /// A signing key file made with `auditledger keys generate`, for servers that share one.
    private func sharedSigningKey() throws -> String {
        let path = settings.workDirectory + "/shared-\(UUID().uuidString.prefix(8)).key"
        try ServerProcess.command(executable: settings.server, ["keys", "generate", "--file", path])
        return path
    }

    private func startServer(arguments: [String], name: String) async throws -> ServerProcess {
        let slug = name.lowercased().filter { $0.isLetter || $0.isNumber }
        let data = settings.workDirectory + "/server-\(slug)-\(UUID().uuidString.prefix(8))"
        var all = arguments + settings.serverArguments
        if !all.contains("--data-dir") { all += ["--data-dir", data] }
        if let access { all += ["--auth-tokens", access.file] }
        return try await ServerProcess.start(
            executable: settings.server, arguments: all + ["--log-level", "warning"], logPath: settings.workDirectory + "/server-\(slug).log")
    }

    /// Chains adding up to at least `events` events, starting `spreadSeconds` apart at most.
    static func chains(_ generator: inout EventGenerator, events: Int, start: AuditTimestamp, spreadSeconds: Int64) -> [EventGenerator.Chain] {
        var chains: [EventGenerator.Chain] = []
        var total = 0
        while total < events {
            let chain = generator.chain(start: start.adding(microseconds: Int64(chains.count) * 1000 % (spreadSeconds * 1_000_000)))
            total += chain.requests.count
            chains.append(chain)
        }
        return chains
    }

    /// `count` chains of a dataset of `total` events spread evenly over 30 days from `start`,
    /// the first starting where `loaded` events would (chains average 8 events).
    static func chains(_ generator: inout EventGenerator, count: Int, start: AuditTimestamp, index loaded: Int, total: Int) -> [EventGenerator.Chain]
    {
        let span = Double(30 * 86_400 * 1_000_000 - 3_600_000_000)
        return (0..<count).map { offset in
            let fraction = min(1, (Double(loaded) + Double(offset) * 8) / Double(max(total, 1)))
            return generator.chain(start: start.adding(microseconds: Int64(fraction * span)))
        }
    }

    private func machine() async throws -> BenchReport.Machine {
        var postgres = "not used"
        if let adminURL = settings.adminURL {
            postgres = try await BenchDatabase.withClient(url: adminURL) { client in
                var values: [String] = []
                for setting in ["server_version", "fsync", "synchronous_commit"] {
                    let value = try await client.query("SELECT current_setting(\(setting))").decode(String.self).first(where: { _ in true })
                    values.append(value ?? "?")
                }
                return "\(values[0]) (fsync=\(values[1]), synchronous_commit=\(values[2]))"
            }
        }
        #if DEBUG
            let build = "debug"
        #else
            let build = "release"
        #endif
        return .init(
            cores: ProcessInfo.processInfo.activeProcessorCount, memoryGiB: Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824,
            postgres: postgres, build: build, date: AuditTimestamp.now().description)
    }
}
