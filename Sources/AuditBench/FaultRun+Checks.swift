extension FaultRun {
    /// The checks of every scenario, against what PostgreSQL holds after the spool drained:
    /// every event answered 201 or 202 is stored exactly once; no event is stored twice; every
    /// request's events are all stored or none (a batch is never half-written); nothing is
    /// stored that no request carried; and the scenario's faults did happen under load
    /// (``FaultScenario/Expectations``), so that a pass means something.
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
        outcome.problems += problems
    }
}

extension FaultRun.Outcome {
    /// A paragraph for the log and the CI output.
    var report: String {
        let statuses = statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        var lines = [
            "\(passed ? "PASS" : "FAIL") \(scenario): \(requests) requests (answers \(statuses); \(unanswered) never answered; \(transportErrors) broken connections), "
                + "\(acknowledgedEvents) events acknowledged, \(storedEvents) rows stored",
            "  spool depth when the server was killed or stopped: \(spoolAtServerFaults); events being written when PostgreSQL went down: \(writingAtPostgresFaults)",
        ]
        lines += events.map { "  " + $0 }
        lines += problems.map { "  problem: " + $0 }
        return lines.joined(separator: "\n")
    }
}
