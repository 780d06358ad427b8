import ArgumentParser

@testable import AuditLedgerCLI

/// The command line run in this process, as `auditledger …` would run it (the suites that need
/// the real executable, its output or its exit by signal start a process instead).
enum InProcessCommand {
    /// Parses `arguments` as the command line and runs the command.
    static func run(_ arguments: [String]) async throws {
        var command = try AuditLedgerCommand.parseAsRoot(arguments)
        guard var command = command as? any AsyncParsableCommand else {
            try command.run()
            return
        }
        try await command.run()
    }

    /// Runs the command and returns the exit code it ends with (0 when it returns normally).
    static func exitCode(_ arguments: [String]) async throws -> Int32 {
        do {
            try await run(arguments)
            return 0
        } catch let error as ExitCode {
            return error.rawValue
        }
    }
}
