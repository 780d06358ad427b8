import AuditCore
import AuditTesting
import Foundation
import Testing

/// Two `auditledger serve` processes on one PostgreSQL database, written to at once, one of
/// them restarted midway: the log gives every event one position, the checkpoints both sign
/// agree, and `auditledger verify` finds nothing wrong (then, after a change behind them, names it).
@Suite struct TwoServerLogTests {
    static func post(_ port: Int, _ body: [UInt8]) async throws -> String {
        let connection = try RawConnection(port: port, host: "127.0.0.1")
        try connection.send(
            "POST /api/v1/audit/events/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
                + String(decoding: body, as: UTF8.self))
        return await connection.receive(timeout: .seconds(20)).text
    }

    static func batch(_ correlation: String, _ count: Int) -> [UInt8] {
        var writer = JSONWriter(capacity: 1024 * count)
        writer.write(.array((0..<count).map { _ in .object(EventFactory.request(correlationID: correlation, at: .now())) }))
        return writer.bytes
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try TokensCommandTests().run(arguments)
        return (result.status, result.output + result.error)
    }

    @Test(
        "Concurrent writes through two servers and a restart: every event logged once, verify passes; a changed event is named",
        .enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment), .timeLimit(.minutes(3)))
    func twoServers() async throws {
        try await PostgresHarness.run { harness in
            let directory = NSTemporaryDirectory() + "auditledger-two-servers-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let key = directory + "/signing.key"
            #expect(try Self.run(["keys", "generate", "--file", key, "--name", "two.example/log"]).status == 0)
            let arguments = ["--database-url", harness.database.url, "--signing-key", key, "--checkpoint-interval", "1", "--verify-interval", "1"]
            let first = try await ServeProcessTests.Server(arguments)
            var second: ServeProcessTests.Server? = try await ServeProcessTests.Server(arguments)
            let secondPort = try #require(second?.port)
            // Ten batches of 20 through each server at once.
            try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<20 {
                    let port = index % 2 == 0 ? first.port : secondPort
                    group.addTask { try await Self.post(port, Self.batch("rr-two-\(index % 4)", 20)) }
                }
                for try await answer in group { #expect(answer.hasPrefix("HTTP/1.1 201"), "\(answer.prefix(200))") }
            }
            // A restart of one server (SIGTERM, then a new process), and more writes through both.
            second?.process.terminate()
            second?.process.waitUntilExit()
            second = try await ServeProcessTests.Server(arguments)
            for port in [first.port, try #require(second?.port)] {
                #expect(try await Self.post(port, Self.batch("rr-two-late", 10)).hasPrefix("HTTP/1.1 201"))
            }
            // Everything logged and signed (the checkpointers run every second).
            var signed: Int64 = 0
            for _ in 0..<100 where signed < 420 {
                try await Task.sleep(for: .milliseconds(200))
                signed = try await harness.store.checkpoints(upTo: nil, limit: 1).first?.treeSize ?? 0
            }
            #expect(signed == 420)
            let entries = try await harness.store.logEntries(positions: 0..<1000)
            #expect(entries.map(\.position) == Array(0..<420) && Set(entries.map(\.eventID)).count == 420)
            let verified = try Self.run(["verify", "--database-url", harness.database.url, "--signing-key", key, "--log-level", "error"])
            #expect(verified.status == 0, "\(verified.output)")
            #expect(verified.output.contains("log of 420 entries; 420 events recomputed"), "\(verified.output)")

            try await harness.tamper(.update(eventID: entries[77].eventID, column: "resource_id", expression: "'other'"))
            let broken = try Self.run(["verify", "--database-url", harness.database.url, "--signing-key", key, "--log-level", "error"])
            #expect(broken.status == 1)
            #expect(broken.output.contains("first problem: event \(entries[77].eventID.uuidString.lowercased()) (position 77)"), "\(broken.output)")
        }
    }
}
