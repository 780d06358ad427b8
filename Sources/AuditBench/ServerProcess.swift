import Foundation
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#endif

/// An `auditledger serve` child process on a free loopback port.
final class ServerProcess {
    let process: Process
    let port: Int
    let logPath: String

    private init(process: Process, port: Int, logPath: String) {
        self.process = process
        self.port = port
        self.logPath = logPath
    }

    /// Starts `executable serve arguments…` on `port` (default: a free one) and, unless told
    /// otherwise, waits until `/health/live` answers (60 s at most). The log is appended to `logPath`.
    static func start(
        executable: String, arguments: [String], port: Int? = nil, environment: [String: String] = [:], logPath: String,
        waitUntilLive: Bool = true
    ) async throws -> ServerProcess {
        let port = try port ?? freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", String(port)] + arguments
        var variables = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AUDITLEDGER_") }
        for (key, value) in environment { variables[key] = value }
        process.environment = variables
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let server = ServerProcess(process: process, port: port, logPath: logPath)
        guard waitUntilLive else { return server }
        for _ in 0..<1200 {
            guard process.isRunning else { break }
            if (try? await HTTPClientConnection.with(host: "127.0.0.1", port: port, { try await $0.send(.GET, "/health/live") }))?.status == 200 {
                return server
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        server.kill()
        throw BenchFailure("the server did not start; see \(logPath)")
    }

    var pid: Int32 { process.processIdentifier }

    /// The peak resident set size so far (VmHWM), in bytes.
    var peakRSS: Int64? { Self.status(pid: pid, field: "VmHWM:") }

    /// The resident set size now (VmRSS), in bytes.
    var currentRSS: Int64? { Self.status(pid: pid, field: "VmRSS:") }

    /// SIGTERM, then waits for the exit; returns the exit status.
    @discardableResult
    func stop() async -> Int32 {
        if process.isRunning { process.terminate() }
        for _ in 0..<600 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Waits at most `seconds` for the process to end by itself; whether it did.
    func waitForExit(seconds: Int) async -> Bool {
        for _ in 0..<(seconds * 20) where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        guard !process.isRunning else { return false }
        process.waitUntilExit()
        return true
    }

    /// SIGKILL: no shutdown at all.
    func kill() {
        if process.isRunning { Glibc.kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    private static func status(pid: Int32, field: String) -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field) {
            let parts = line.split(whereSeparator: \.isWhitespace)
            if parts.count >= 2, let kilobytes = Int64(parts[1]) { return kilobytes * 1024 }
        }
        return nil
    }

    /// Runs `executable arguments…` (a subcommand other than `serve`) to its end; its exit
    /// status and its output (standard output and error together). With `check`, a non-zero
    /// exit throws, naming the subcommand and the output's end.
    @discardableResult
    static func command(executable: String, _ arguments: [String], check: Bool = true) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        if check && process.terminationStatus != 0 {
            throw BenchFailure("auditledger \(arguments.first ?? "") failed (\(process.terminationStatus)): \(output.suffix(400))")
        }
        return (process.terminationStatus, output)
    }

    /// A loopback port nothing listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchFailure("no socket for finding a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw BenchFailure("could not bind a loopback port") }
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A benchmark step that could not be carried out, in words.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
