import AuditTesting
import Foundation
import Testing

/// `auditledger serve` as a process, for what only a whole server shows: its connection limit
/// and how long SIGTERM takes with slow clients connected.
@Suite struct ServeProcessTests {
    /// A running `auditledger serve` on the embedded store in a directory of its own.
    final class Server {
        private(set) var process = Process()
        private(set) var port = 0
        let directory = NSTemporaryDirectory() + "auditledger-serve-" + UUID().uuidString

        /// Starts the server on a port below the kernel's ephemeral range (32768-60999 here), where
        /// a client's outgoing connection cannot hold it; a server that exits at once (its port
        /// taken after all) is started again on another, up to three times. What it printed is
        /// kept in `serve.log` in its directory and shown when it does not start.
        init(_ arguments: [String]) async throws {
            let binary = TwoProcessTests.executable
            try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the executable first: swift build --build-tests")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let log = directory + "/serve.log"
            for _ in 0..<3 {
                port = Int.random(in: 20_000..<32_000)
                process = Process()
                process.executableURL = binary
                process.arguments = ["serve", "--port", String(port), "--data-dir", directory + "/data", "--log-level", "error"] + arguments
                _ = FileManager.default.createFile(atPath: log, contents: nil)
                let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
                process.standardOutput = FileHandle.nullDevice
                process.standardError = output
                try process.run()
                for _ in 0..<300 where process.isRunning {
                    if let connection = try? RawConnection(port: port, host: "127.0.0.1") {
                        try connection.send("GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        if await connection.receive(timeout: .seconds(2)).text.hasPrefix("HTTP/1.1 200") { return }
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
                if process.isRunning { break }
            }
            process.terminate()
            let printed = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw RawConnectionError("the server did not start on port \(port): \(printed.suffix(600))")
        }

        func connect() throws -> RawConnection { try RawConnection(port: port, host: "127.0.0.1") }

        deinit {
            if process.isRunning { process.terminate() }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test("Past --max-connections a new connection waits in the backlog until one closes", .timeLimit(.minutes(1)))
    func connectionLimit() async throws {
        let server = try await Server(["--max-connections", "2"])
        let held = [try server.connect(), try server.connect()]
        try await Task.sleep(for: .milliseconds(300))
        let waiting = try server.connect()
        try waiting.send("GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(await waiting.receive(timeout: .seconds(1)).text.isEmpty, "not served while two connections are open")
        for connection in held { connection.close() }
        // Generous: on a loaded two-core machine the accept after a close has been seen to take over 5 s.
        #expect(await waiting.receive(timeout: .seconds(15)).text.hasPrefix("HTTP/1.1 200"))
    }

    /// Slow and idle clients cannot hold shutdown up: idle connections are closed at once, and
    /// requests still arriving get a 5 s grace rather than the 30 s read timeout.
    @Test("SIGTERM with slow and idle clients connected ends within the shutdown grace, exit 0", .timeLimit(.minutes(1)))
    func boundedShutdown() async throws {
        let server = try await Server([])
        var connections: [RawConnection] = []
        for _ in 0..<10 {
            let slow = try server.connect()
            try slow.send("POST /api/v1/audit/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{\"v")
            connections.append(slow)
        }
        for _ in 0..<20 { connections.append(try server.connect()) }
        try await Task.sleep(for: .milliseconds(500))
        let started = ContinuousClock.now
        kill(server.process.processIdentifier, SIGTERM)
        while server.process.isRunning, ContinuousClock.now - started < .seconds(30) { try await Task.sleep(for: .milliseconds(50)) }
        let elapsed = ContinuousClock.now - started
        #expect(!server.process.isRunning)
        #expect(server.process.terminationStatus == 0)
        // Under 20 s tells the 5 s grace from the 30 s read timeout; a loaded machine has taken 11 s.
        #expect(elapsed < .seconds(20), "shutdown took \(elapsed); requests still arriving get 5 s, the read timeout is 30 s")
        _ = connections
    }
}
