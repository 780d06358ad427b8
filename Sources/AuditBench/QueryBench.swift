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

    static func run(host: String, port: Int, authorization: String? = nil, samples: Samples, requests: Int) async throws -> [String: LatencySummary] {
        func encoded(_ text: String) -> String {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            return text.addingPercentEncoding(withAllowedCharacters: allowed)!
        }
        let kinds: [(String, (Int) -> String)] = [
            (
                "correlation timeline",
                { "/api/v1/audit/events?correlation_id=\(samples.correlationIDs[$0 % samples.correlationIDs.count])&order=asc&limit=100" }
            ),
            (
                "failures in a namespace, last 24 h (page of 50)",
                { "/api/v1/audit/events?event_outcome=failure&namespace=\(samples.namespaces[$0 % samples.namespaces.count])&since=24h&limit=50" }
            ),
            (
                "event_data containment, selective (a signal's fingerprint)",
                { "/api/v1/audit/events?event_data=" + encoded(#"{"fingerprint":"\#(samples.fingerprints[$0 % samples.fingerprints.count])"}"#) }
            ),
            (
                "event_data containment, common (a selected workflow, last 24 h)",
                {
                    "/api/v1/audit/events?since=24h&limit=50&event_data="
                        + encoded(#"{"selected_workflow":{"workflow_id":"\#(samples.workflows[$0 % samples.workflows.count])"}}"#)
                }
            ),
        ]
        var results: [String: LatencySummary] = [:]
        try await HTTPClientConnection.with(host: host, port: port, authorization: authorization) { connection in
            for (name, path) in kinds {
                for index in 0..<min(20, requests) {
                    let answer = try await connection.send(.GET, path(index + 7919))
                    guard answer.status == 200 else { throw BenchFailure("\(name): \(answer.status) \(String(buffer: answer.body))") }
                }
                var latencies = Latencies()
                for index in 0..<requests {
                    let started = ContinuousClock.now
                    let answer = try await connection.send(.GET, path(index))
                    latencies.record(ContinuousClock.now - started)
                    guard answer.status == 200 else { throw BenchFailure("\(name): \(answer.status) \(String(buffer: answer.body))") }
                }
                results[name] = latencies.summary
            }
        }
        return results
    }
}
