import AuditCore
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Drives the write API over keep-alive connections, each sending its next request when the
/// previous one is answered. Each connection owns whole chains, so a parent is always answered
/// before its child is sent.
struct HTTPLoad: Sendable {
    /// What a load run saw.
    struct Result: Sendable {
        var seconds: Double
        var events: Int
        var statuses: [Int: Int]
        var latencies: Latencies
        /// `event_id`s answered 201 or 202 (acknowledged), with the status.
        var acknowledged: [String: Int]
        var transportErrors: Int
        /// Every request sent, with its final status (0: sent at least once, never answered).
        var outcomes: [Outcome] = []

        var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }
    }

    let host: String
    let port: Int
    /// `Authorization` of every request (`nil`: none).
    var authorization: String? = nil
    /// Further servers of the same database: connection `i` of a plan goes to
    /// `([port] + otherPorts)[i % count]`. Default none.
    var otherPorts: [Int] = []

    /// A request's event ids, the last status it got (0: sent, never answered), and how
    /// long that last answer took, in seconds.
    struct Outcome: Sendable {
        var ids: [String]
        var status: Int
        var seconds: Double = 0
    }

    /// One request body and the event ids it carries.
    struct Request: Sendable {
        var path: String
        var body: ByteBuffer
        var ids: [String]
    }

    /// Requests per connection: chains dealt round-robin, their events in order, `batchSize`
    /// events per request (1: the single-event endpoint).
    static func requests(for chains: [EventGenerator.Chain], connections: Int, batchSize: Int) -> [[Request]] {
        (0..<connections).map { connection in
            let events = stride(from: connection, to: chains.count, by: connections).flatMap { index in
                zip(chains[index].requests, chains[index].ids.map { $0.uuidString.lowercased() })
            }
            return stride(from: 0, to: events.count, by: batchSize).map { start in
                let slice = events[start..<min(start + batchSize, events.count)]
                var writer = JSONWriter(capacity: slice.count * 1500)
                if batchSize == 1 {
                    writer.write(.object(slice.first!.0))
                    return Request(path: "/api/v1/audit/events", body: ByteBuffer(bytes: writer.bytes), ids: [slice.first!.1])
                }
                writer.write(.array(slice.map { .object($0.0) }))
                return Request(path: "/api/v1/audit/events/batch", body: ByteBuffer(bytes: writer.bytes), ids: slice.map(\.1))
            }
        }
    }

    /// Sends every connection's requests; a request answered 503 is retried after a short pause
    /// when `retryUnavailable`, as a well-behaved client would. A broken connection is reopened
    /// and the unanswered request sent again. `pause` spaces a connection's requests (steady
    /// load rather than as fast as possible); `stop` ends the run before the next request.
    func run(_ plan: [[Request]], retryUnavailable: Bool = false, pause: Duration? = nil, stop: (@Sendable () -> Bool)? = nil) async throws -> Result
    {
        let started = ContinuousClock.now
        let partial = try await withThrowingTaskGroup(of: Result.self) { group in
            let ports = [port] + otherPorts
            for (index, requests) in plan.enumerated() {
                let port = ports[index % ports.count]
                group.addTask { try await self.drive(requests, port: port, retryUnavailable: retryUnavailable, pause: pause, stop: stop) }
            }
            var total = Result(seconds: 0, events: 0, statuses: [:], latencies: Latencies(), acknowledged: [:], transportErrors: 0)
            for try await result in group {
                total.events += result.events
                total.statuses.merge(result.statuses, uniquingKeysWith: +)
                total.latencies.merge(result.latencies)
                total.acknowledged.merge(result.acknowledged, uniquingKeysWith: { $1 })
                total.transportErrors += result.transportErrors
                total.outcomes += result.outcomes
            }
            return total
        }
        var result = partial
        result.seconds = (ContinuousClock.now - started).seconds
        return result
    }

    private func drive(
        _ requests: [Request], port: Int, retryUnavailable: Bool, pause: Duration?, stop: (@Sendable () -> Bool)?
    ) async throws -> Result {
        var result = Result(seconds: 0, events: 0, statuses: [:], latencies: Latencies(), acknowledged: [:], transportErrors: 0)
        var next = 0
        var unanswered = false
        while next < requests.count {
            if stop?() == true { break }
            do {
                try await HTTPClientConnection.with(host: host, port: port, authorization: authorization) { connection in
                    while next < requests.count {
                        if stop?() == true { return }
                        let request = requests[next]
                        let sent = ContinuousClock.now
                        unanswered = true
                        let answer = try await connection.send(.POST, request.path, json: request.body)
                        unanswered = false
                        let latency = ContinuousClock.now - sent
                        result.latencies.record(latency)
                        result.statuses[answer.status, default: 0] += 1
                        if answer.status == 201 || answer.status == 202 {
                            result.events += request.ids.count
                            for id in request.ids { result.acknowledged[id] = answer.status }
                        } else if answer.status == 503 && retryUnavailable {
                            try await Task.sleep(for: .milliseconds(100))
                            continue
                        }
                        result.outcomes.append(Outcome(ids: request.ids, status: answer.status, seconds: latency.seconds))
                        next += 1
                        if let pause { try await Task.sleep(for: pause) }
                    }
                }
            } catch {
                // The connection broke (the server went away): count it, reconnect, resend.
                result.transportErrors += 1
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        if unanswered && next < requests.count {
            result.outcomes.append(Outcome(ids: requests[next].ids, status: 0))
        }
        return result
    }
}
