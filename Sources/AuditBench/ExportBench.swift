import Foundation

/// A streaming export through the API (`GET /api/v1/audit/export?format=ndjson`, every event),
/// read by `curl` to /dev/null, on a server started for it alone: how long, how fast, and the
/// server's peak RSS.
enum ExportBench {
    struct Result: Codable, Sendable {
        /// Events the server reported exporting (its `AuditLedger-Export-Events` trailer).
        var events: Int
        var bytes: Int64
        var seconds: Double
        var eventsPerSecond: Double
        var serverRSSBeforeBytes: Int64?
        var serverPeakRSSBytes: Int64?
        var note: String?
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(server: ServerProcess, authorization: String?, workDirectory: String) async throws -> Result {
        let headers = workDirectory + "/export-headers-\(UUID().uuidString.prefix(8)).txt"
        defer { try? FileManager.default.removeItem(atPath: headers) }
        var arguments = ["-sS", "--fail", "-o", "/dev/null", "-D", headers, "-w", "%{size_download}"]
        if let authorization { arguments += ["-H", "Authorization: \(authorization)"] }
        arguments.append("http://127.0.0.1:\(server.port)/api/v1/audit/export?format=ndjson")
        let before = server.currentRSS
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        let started = ContinuousClock.now
        try process.run()
        let written = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - started
        guard process.terminationStatus == 0 else { throw Failure(description: "curl ended with status \(process.terminationStatus)") }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let dump = (try? String(contentsOfFile: headers, encoding: .utf8)) ?? ""
        let trailer = dump.split(whereSeparator: \.isNewline).first { $0.lowercased().hasPrefix("auditledger-export-events:") }
        guard let count = trailer.flatMap({ Int($0.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") }) else {
            throw Failure(description: "the export ended without its AuditLedger-Export-Events trailer")
        }
        return Result(
            events: count, bytes: Int64(String(decoding: written, as: UTF8.self)) ?? 0, seconds: seconds, eventsPerSecond: Double(count) / seconds,
            serverRSSBeforeBytes: before, serverPeakRSSBytes: server.peakRSS,
            note: "a server started for the export, background verifier off (the events were loaded with COPY, outside the log)")
    }
}
