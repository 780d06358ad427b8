import ArgumentParser
import AuditCore
import AuditServer
import Foundation
import Testing

@testable import AuditLedgerCLI

/// `auditledger tokens` as a process (it prints the token once), and `serve`'s access options.
@Suite struct TokensCommandTests {
    /// Runs `auditledger ARGS`; returns exit status, standard output and standard error.
    func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = TwoProcessTests.executable
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test("tokens create prints a token once and keeps only its hash (mode 0600); list shows it; revoke marks it; the file checks it")
    func createListRevoke() throws {
        let directory = NSTemporaryDirectory() + "auditledger-tokens-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = directory + "/tokens.json"

        let created = try run([
            "tokens", "create", "--file", file, "--principal", "workflow-reader", "--scope", "events:read", "--read-category", "workflow",
            "--expires", "30d",
        ])
        #expect(created.status == 0, "\(created.error)")
        let text = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let token = try #require(AccessToken(text: text), "\(created.output)")
        let stored = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!stored.contains(token.secret), "the file must not hold the secret")
        #expect(stored.contains(token.secretHash))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
        #expect(mode & 0o077 == 0, "mode \(String(mode, radix: 8))")

        let tokens = try TokenFile.decode(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        guard case .accepted(let principal) = tokens.check(text, at: .now()) else {
            Issue.record("the new token must be accepted")
            return
        }
        #expect(principal.name == "workflow-reader")
        #expect(principal.scopes == [.eventsRead])
        #expect(principal.readLimits == ReadLimits(categories: ["workflow"]))
        #expect(tokens.check(text, at: AuditTimestamp.now().adding(seconds: 31 * 86_400)) == .refused(.expired))
        #expect(tokens.check("alt_\(token.id)_" + String(repeating: "A", count: 43), at: .now()) == .refused(.unknown))

        let listed = try run(["tokens", "list", "--file", file])
        #expect(listed.status == 0)
        #expect(listed.output.contains("\(token.id) workflow-reader service scopes=events:read read-categories=workflow"), "\(listed.output)")
        #expect(listed.output.contains(" active"))
        #expect(!listed.output.contains(token.secret) && !listed.output.contains(token.secretHash))

        let revoked = try run(["tokens", "revoke", "--file", file, token.id])
        #expect(revoked.status == 0, "\(revoked.error)")
        let after = try TokenFile.decode(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        #expect(after.check(text, at: .now()) == .refused(.revoked))
        #expect(try run(["tokens", "list", "--file", file]).output.contains("revoked"))

        // Unhappy paths name what is wrong, and change nothing.
        let badScope = try run(["tokens", "create", "--file", file, "--principal", "x", "--scope", "events:delete"])
        #expect(badScope.status != 0)
        #expect(badScope.error.contains("events:delete"))
        let badName = try run(["tokens", "create", "--file", file, "--principal", "evil\u{202E}name", "--scope", "events:read"])
        #expect(badName.status != 0)
        let unknown = try run(["tokens", "revoke", "--file", file, "0000000000000000"])
        #expect(unknown.status != 0)
        #expect(unknown.error.contains("0000000000000000"))
        #expect(try TokenFile.decode(Array(try Data(contentsOf: URL(fileURLWithPath: file)))).tokens.count == 1)
    }

    func serve(_ arguments: [String], environment: [String: String] = [:]) throws -> ServeCommand.Settings {
        try CommandEnvironment.$variables.withValue(environment) {
            try ServeCommand.parse(arguments).settings()
        }
    }

    @Test("serve's redaction options: defaults, own patterns and paths, HMAC key file, off")
    func serveRedactionOptions() throws {
        #expect(try serve([]).configuration.validation.redaction == Redaction())
        #expect(try serve(["--no-redaction"]).configuration.validation.redaction == .none)
        let own = try serve(["--redact-key", "ssn", "--redact-path", "spec.env.*.value"]).configuration.validation.redaction
        #expect(own.keyPatterns == ["ssn"] && own.paths == ["spec.env.*.value"] && own.replacement == .marker)
        let directory = NSTemporaryDirectory() + "auditledger-redaction-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(repeating: 1, count: 32).write(to: URL(fileURLWithPath: directory + "/key"))
        try Data(repeating: 1, count: 31).write(to: URL(fileURLWithPath: directory + "/short"))
        #expect(
            try serve(["--redaction-hmac-key-file", directory + "/key"]).configuration.validation.redaction.replacement
                == .hmac(key: Array(repeating: 1, count: 32)))
        for bad in [
            ["--redaction-hmac-key-file", directory + "/short"], ["--redaction-hmac-key-file", directory + "/none"], ["--redact-path", "a..b"],
        ] {
            #expect(throws: ValidationError.self, "\(bad)") { try serve(bad) }
        }
        let fromEnvironment = try serve([], environment: ["AUDITLEDGER_REDACT_KEYS": "ssn, iban"]).configuration.validation.redaction
        #expect(fromEnvironment.keyPatterns == ["ssn", "iban"])
    }

    @Test("serve's rate limit options: off by default; rate, burst and status checked")
    func serveRateLimitOptions() throws {
        #expect(try serve([]).configuration.writeRateLimit == nil)
        let limit = try #require(try serve(["--rate-limit-writes", "500"]).configuration.writeRateLimit)
        #expect(limit.requestsPerSecond == 500 && limit.burst == 500 && limit.overLimitStatus == .tooManyRequests)
        let soft = try #require(
            try serve(
                [],
                environment: ["AUDITLEDGER_RATE_LIMIT_WRITES": "50", "AUDITLEDGER_RATE_LIMIT_BURST": "200", "AUDITLEDGER_RATE_LIMIT_STATUS": "503"]
            )
            .configuration.writeRateLimit)
        #expect(soft.requestsPerSecond == 50 && soft.burst == 200 && soft.overLimitStatus == .serviceUnavailable)
        for bad in [
            ["--rate-limit-writes", "0"], ["--rate-limit-writes", "5", "--rate-limit-status", "418"], ["--rate-limit-burst", "10"],
            ["--rate-limit-writes", "5", "--rate-limit-burst", "0.5"],
        ] {
            #expect(throws: ValidationError.self, "\(bad)") { try serve(bad) }
        }
    }

    @Test("serve beyond loopback needs an authentication method or --insecure-no-auth; access options are checked")
    func serveAccessOptions() throws {
        #expect(throws: ValidationError.self) { try serve(["--host", "0.0.0.0"]) }
        #expect(throws: ValidationError.self) { try serve(["--host", "10.1.2.3"]) }
        let insecure = try serve(["--host", "0.0.0.0", "--insecure-no-auth"])
        #expect(!insecure.configuration.access.authenticates)
        #expect(try serve([]).configuration.access.authenticates == false)
        #expect(try serve(["--host", "::1"]).configuration.access.metricsOpen)

        let directory = NSTemporaryDirectory() + "auditledger-serve-access-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = directory + "/tokens.json"
        try Data(TokenFile().encoded()).write(to: URL(fileURLWithPath: file))
        let secured = try serve(["--host", "0.0.0.0", "--auth-tokens", file])
        #expect(secured.configuration.access.authenticates)
        #expect(!secured.configuration.access.metricsOpen)
        #expect(try serve(["--host", "0.0.0.0", "--auth-tokens", file, "--open-metrics"]).configuration.access.metricsOpen)

        let proxied = try serve(
            ["--host", "0.0.0.0"],
            environment: ["AUDITLEDGER_TRUSTED_PROXIES": "10.0.0.7, 192.168.0.0/16", "AUDITLEDGER_PROXY_SCOPES": "holds:write"])
        #expect(proxied.configuration.access.trustedProxies.map(\.description) == ["10.0.0.7/32", "192.168.0.0/16"])
        #expect(proxied.configuration.access.proxyScopes == [.holdsWrite])
        #expect(proxied.configuration.access.trustedProxies[1].contains("192.168.44.1"))
        #expect(!proxied.configuration.access.trustedProxies[1].contains("192.169.0.1"))

        #expect(try serve(["--cors-origin", "https://console.example.com"]).configuration.access.allowedOrigins == ["https://console.example.com"])
        #expect(try serve([]).configuration.access.allowedOrigins.isEmpty)
        for bad in [["--cors-origin", "*"], ["--cors-origin", "console.example.com"], ["--cors-origin", "https://console.example.com/"]] {
            #expect(throws: ValidationError.self, "\(bad)") { try serve(bad) }
        }
        for bad in [
            ["--trusted-proxy", "10.0.0.0/33"], ["--trusted-proxy", "proxy.local"], ["--proxy-scope", "root"],
            ["--auth-tokens", directory + "/missing.json"],
        ] {
            #expect(throws: ValidationError.self, "\(bad)") { try serve(bad) }
        }
        try Data(#"{"format":1,"tokens":[{"id":"zz","secret_sha256":"x","principal":"p","kind":"service","scopes":[],"created":"x"}]}"#.utf8).write(
            to: URL(fileURLWithPath: file))
        do {
            _ = try serve(["--auth-tokens", file])
            Issue.record("a malformed token file must stop serve")
        } catch let error as ValidationError {
            #expect("\(error)".contains("tokens[0].id"), "\(error)")
        }
    }
}
