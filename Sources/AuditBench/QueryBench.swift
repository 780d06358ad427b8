import Foundation
import NIOCore
import NIOHTTP1

/// Latency of the questions people ask of an audit trail, through the API, one request at a
/// time on one connection after a warm-up.
enum QueryBench {
    /// What to ask, drawn from the generated data.
    struct Samples: Sendable {
        var correlationIDs: [String]
        var namespaces: [String]
        var workflows: [String]
        var fingerprints: [String]
    }

    static func run(
        host: String, port: Int, authorization: String? = nil, samples: Samples, requests: Int, log: (String) -> Void = { _ in }
    ) async throws -> [String: LatencySummary] {
        func encoded(_ text: String) -> String {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            return text.addingPercentEncoding(withAllowedCharacters: allowed)!
        }
        // Aggregates read every event of their window: fewer requests, fewer warm-ups.
        let aggregateRequests = min(requests, 30)
        let kinds: [(name: String, count: Int, path: (Int) -> String)] = [
            (
                "correlation timeline", requests,
                { "/api/v1/audit/events?correlation_id=\(samples.correlationIDs[$0 % samples.correlationIDs.count])&order=asc&limit=100" }
            ),
            (
                "correlation timeline as a tree (GET /correlations/{id}/timeline)", requests,
                { "/api/v1/audit/correlations/\(samples.correlationIDs[$0 % samples.correlationIDs.count])/timeline" }
            ),
            (
                "stats: duration p50/p95/p99 of Kubernetes actions by namespace, last 24 h", aggregateRequests,
                { _ in "/api/v1/audit/stats?event_category=kubernetes&group_by=namespace&since=24h" }
            ),
            (
                "stats: events by type, last 7 days", aggregateRequests,
                { _ in "/api/v1/audit/stats?group_by=event_type&since=7d" }
            ),
            (
                "stats: selected workflows with confidence percentiles (event_data), last 7 days", aggregateRequests,
                {
                    _ in
                    "/api/v1/audit/stats?event_type=workflow.selection.completed&group_by=event_data.selected_workflow.workflow_id"
                        + "&measure=event_data.selected_workflow.confidence&since=7d"
                }
            ),
            (
                "failures in a namespace, last 24 h (page of 50)", requests,
                { "/api/v1/audit/events?event_outcome=failure&namespace=\(samples.namespaces[$0 % samples.namespaces.count])&since=24h&limit=50" }
            ),
            (
                "event_data containment, selective (a signal's fingerprint)", requests,
                { "/api/v1/audit/events?event_data=" + encoded(#"{"fingerprint":"\#(samples.fingerprints[$0 % samples.fingerprints.count])"}"#) }
            ),
            (
                "event_data containment, common (a selected workflow, last 24 h)", requests,
                {
                    "/api/v1/audit/events?since=24h&limit=50&event_data="
                        + encoded(#"{"selected_workflow":{"workflow_id":"\#(samples.workflows[$0 % samples.workflows.count])"}}"#)
                }
            ),
        ]
        var results: [String: LatencySummary] = [:]
        try await HTTPClientConnection.with(host: host, port: port, authorization: authorization) { connection in
            for (name, count, path) in kinds {
                // A 5xx (the store's time limit passed) is a finding to report, not the end of the
                // run; any other answer but 200 is the harness's own mistake.
                func check(_ answer: HTTPClientConnection.Answer) throws -> Bool {
                    if answer.status == 200 { return true }
                    guard answer.status >= 500 else { throw BenchFailure("\(name): \(answer.status) \(String(buffer: answer.body))") }
                    return false
                }
                for index in 0..<min(name.hasPrefix("stats") ? 3 : 20, count) {
                    _ = try check(try await connection.send(.GET, path(index + 7919)))
                }
                var latencies = Latencies()
                var failures: [String: Int] = [:]
                for index in 0..<count {
                    let started = ContinuousClock.now
                    let answer = try await connection.send(.GET, path(index))
                    latencies.record(ContinuousClock.now - started)
                    if try !check(answer) { failures[String(answer.status), default: 0] += 1 }
                }
                var summary = latencies.summary
                if !failures.isEmpty {
                    summary.failures = failures
                    log("\(name): \(failures.values.reduce(0, +)) of \(count) answered \(failures.keys.sorted().joined(separator: ", "))")
                }
                results[name] = summary
            }
        }
        return results
    }
}
