import AuditCore
import Foundation
import NIOCore
import NIOHTTP1

/// The checkpoint lag: from an event's `201` to the moment its inclusion proof to a signed
/// checkpoint is served (`GET /api/v1/audit/events/{id}/proof` answers `200` once a checkpoint
/// covers it). Sends one event every ``spacing`` while the phase's load runs, each on its own
/// connection, and polls its proof every 50 ms.
struct CheckpointLagProbe {
    let host: String
    let port: Int
    let authorization: String?
    var spacing: Duration = .milliseconds(200)
    /// Longest wait for one event's proof before the probe gives up on it (counted apart).
    var patience: Duration = .seconds(60)

    struct Result: Sendable {
        var lags = Latencies()
        var unproven = 0
    }

    /// Sends `events` (one JSON object and its id each), one every ``spacing``, until `done`
    /// returns true; returns each event's lag.
    func run(_ events: [(body: ByteBuffer, id: String)], done: @escaping @Sendable () -> Bool) async throws -> Result {
        try await withThrowingTaskGroup(of: Duration?.self) { group in
            for event in events {
                if done() { break }
                group.addTask { try await self.sample(event) }
                try await Task.sleep(for: spacing)
            }
            var result = Result()
            for try await lag in group {
                if let lag { result.lags.record(lag) } else { result.unproven += 1 }
            }
            return result
        }
    }

    private func sample(_ event: (body: ByteBuffer, id: String)) async throws -> Duration? {
        let clock = ContinuousClock()
        return try await HTTPClientConnection.with(host: host, port: port, authorization: authorization) { connection in
            let written = try await connection.send(.POST, "/api/v1/audit/events", json: event.body)
            guard written.status == 201 else { return nil }
            let acknowledged = clock.now
            while clock.now - acknowledged < patience {
                if try await connection.send(.GET, "/api/v1/audit/events/\(event.id)/proof").status == 200 { return clock.now - acknowledged }
                try await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }
    }
}

/// Set once, read from any task: tells the probe the phase's load is over.
final class DoneFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    func set() { lock.withLock { value = true } }
}
