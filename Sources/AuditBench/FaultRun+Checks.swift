import Foundation

extension FaultRun {
    /// The checks of every scenario, against what PostgreSQL holds after the spool drained:
    /// every event answered 201 or 202 is stored exactly once; no event is stored twice; every
    /// request's events are all stored or none (a batch is never half-written); nothing is
    /// stored that no request carried; nothing is quarantined; readiness said what happened
    /// (`degraded` while writes were spooled, `unavailable` only when the spool was full); the
    /// metrics account for every answer when the server ran throughout; and the scenario's
    /// faults did happen under load (``FaultScenario/Expectations``), so that a pass means something.
    func check(_ results: [HTTPLoad.Result], stored: [String: Int], outcome: inout Outcome) {
        var problems: [String] = []
        var acknowledged = 0
        var missing: [String] = []
        var partial: [String] = []
        var sent = Set<String>()
        for result in results {
            for request in result.outcomes {
                sent.formUnion(request.ids)
                let present = request.ids.filter { stored[$0] != nil }.count
                if request.status == 201 || request.status == 202 {
                    acknowledged += request.ids.count
                    missing += request.ids.filter { stored[$0] == nil }
                } else if request.status == 0 {
                    outcome.unanswered += 1
                } else {
                    problems.append("a request of \(request.ids.count) events was answered \(request.status)")
                }
                if present != 0 && present != request.ids.count {
                    partial.append("\(present) of \(request.ids.count) events of a request answered \(request.status) are stored")
                }
            }
        }
        outcome.acknowledgedEvents = acknowledged
        if let quarantined = outcome.quarantined, quarantined != 0 {
            problems.append("\(quarantined) quarantine records: no event of these scenarios is refusable")
        }
        let spooledAnswers = results.flatMap(\.outcomes).filter { $0.status == 202 }
        outcome.slowestSpooledWrite = spooledAnswers.map(\.seconds).max() ?? 0
        if let limit = scenario.expectations.slowestSpooledWrite, outcome.slowestSpooledWrite > limit {
            problems.append(
                String(format: "a write answered 202 took %.1f s; the spool must be reached within %.0f s", outcome.slowestSpooledWrite, limit))
        }
        outcome.storedEvents = stored.values.reduce(0, +)
        if !missing.isEmpty {
            problems.append("\(missing.count) acknowledged events are not stored, e.g. \(missing.prefix(3).joined(separator: ", "))")
        }
        let twice = stored.filter { $0.value > 1 }
        if !twice.isEmpty { problems.append("\(twice.count) events are stored more than once, e.g. \(twice.keys.prefix(3).joined(separator: ", "))") }
        problems += partial.prefix(5)
        let unknown = stored.keys.filter { !sent.contains($0) }
        if !unknown.isEmpty { problems.append("\(unknown.count) stored events were carried by no request") }
        if acknowledged == 0 { problems.append("no event was acknowledged") }

        let expectations = scenario.expectations
        if expectations.spooled && (outcome.statuses[202] ?? 0) == 0 {
            problems.append("no request was answered 202: the faults did not reach the spool")
        }
        if expectations.brokenConnections && outcome.transportErrors == 0 {
            problems.append("no connection broke: the server was not killed under load")
        }
        if expectations.spoolHeldAtServerFault && !outcome.spoolAtServerFaults.contains(where: { $0 > 0 }) {
            problems.append("the spool was empty whenever the server was killed or stopped (\(outcome.spoolAtServerFaults))")
        }
        if expectations.degradedSeen && (outcome.readiness["degraded"] ?? 0) == 0 {
            problems.append("readiness never said degraded while writes were spooled (\(outcome.readiness))")
        }
        if expectations.spoolFull {
            if (outcome.statuses[503] ?? 0) == 0 { problems.append("no write was refused 503: the spool never filled") }
            if (outcome.readiness["unavailable"] ?? 0) == 0 { problems.append("readiness never said unavailable while the spool was full") }
        } else if let unavailable = outcome.readiness["unavailable"], unavailable > 0 {
            problems.append("readiness said unavailable \(unavailable) times, with a spool that had room (\(outcome.readiness))")
        }
        if expectations.metricsAgree { problems += metricProblems(results, metrics: outcome.metrics) }
        outcome.problems += problems
    }
}

extension FaultRun {
    /// The server ran from start to end: its counters must account for every answer.
    func metricProblems(_ results: [HTTPLoad.Result], metrics: [String: Double]) -> [String] {
        let outcomes = results.flatMap(\.outcomes)
        let created = outcomes.filter { $0.status == 201 }.reduce(0) { $0 + $1.ids.count }
        let accepted = outcomes.filter { $0.status == 202 }.reduce(0) { $0 + $1.ids.count }
        func value(_ name: String) -> Int { Int(metrics[name] ?? 0) }
        var problems: [String] = []
        if metrics.isEmpty { return ["the metrics could not be read"] }
        let stored = value("auditledger_events_stored_total") + value("auditledger_events_already_stored_total")
        if stored != created { problems.append("metrics: \(stored) events stored, but \(created) were answered 201") }
        if value("auditledger_events_spooled_total") != accepted {
            problems.append("metrics: \(value("auditledger_events_spooled_total")) events spooled, but \(accepted) were answered 202")
        }
        if value("auditledger_spool_events_replayed_total") != accepted {
            problems.append("metrics: \(value("auditledger_spool_events_replayed_total")) spooled events replayed, but \(accepted) were answered 202")
        }
        for name in ["auditledger_spool_events_quarantined_total", "auditledger_quarantine_records", "auditledger_spool_events"]
        where value(name) != 0 {
            problems.append("metrics: \(name) is \(value(name)), not 0")
        }
        return problems
    }
}

extension FaultRun.Outcome {
    /// A paragraph for the log and the CI output.
    var report: String {
        if producer {
            var lines = [
                "\(passed ? "PASS" : "FAIL") \(scenario): \(acknowledgedEvents) events recorded by the producer client, \(storedEvents) rows stored"
                    + String(format: "; %.0f s in all", seconds)
            ]
            lines += events.map { "  " + $0 }
            lines += problems.map { "  problem: " + $0 }
            return lines.joined(separator: "\n")
        }
        let statuses = statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        var lines = [
            "\(passed ? "PASS" : "FAIL") \(scenario): \(requests) requests (answers \(statuses); \(unanswered) never answered; \(transportErrors) broken connections), "
                + "\(acknowledgedEvents) events acknowledged, \(storedEvents) rows stored",
            "  spool depth when the server was killed or stopped: \(spoolAtServerFaults); events being written when PostgreSQL went down: \(writingAtPostgresFaults)",
            String(
                format: "  readiness seen: %@; slowest write answered 202: %.2f s; quarantine records: %@; %.0f s in all",
                readiness.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "), slowestSpooledWrite,
                quarantined.map(String.init) ?? "no quarantine table", seconds),
        ]
        lines += events.map { "  " + $0 }
        lines += problems.map { "  problem: " + $0 }
        return lines.joined(separator: "\n")
    }
}
