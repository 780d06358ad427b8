import ArgumentParser
import AuditCore
import AuditIngest
import AuditServer
import AuditTesting
import Foundation
import Logging
import Testing

@testable import AuditLedgerCLI

@Suite struct CommandTests {
    func serve(_ arguments: [String], environment: [String: String] = [:]) throws -> ServeCommand.Settings {
        try CommandEnvironment.$variables.withValue(environment) {
            try ServeCommand.parse(arguments).settings()
        }
    }

    @Test func defaults() throws {
        let settings = try serve([])
        #expect(settings.host == "127.0.0.1")
        #expect(settings.port == 8080)
        #expect(settings.configuration.maximumBodyBytes == 5_242_880)
        #expect(settings.configuration.validation.maximumBatchSize == 1000)
        #expect(settings.configuration.validation.maximumFutureSkewSeconds == 3600)
        #expect(settings.configuration.validation.maximumAgeSeconds == 604_800)
        #expect(settings.configuration.writer.maximumQueuedEvents == 50_000)
    }

    @Test func edgeAndIDSettings() throws {
        let defaults = try serve([])
        #expect(defaults.configuration.connections.idleTimeout == .seconds(75))
        #expect(defaults.configuration.connections.readTimeout == .seconds(30))
        #expect(defaults.configuration.connections.maximumConnections == ServeCommand.defaultMaximumConnections)
        #expect((64...4096).contains(ServeCommand.defaultMaximumConnections))
        #expect(defaults.shutdownTimeout == .seconds(45))
        #expect(defaults.configuration.validation.eventIDs == .assigned)
        #expect(defaults.spool?.crashPoint == nil)
        let set = try serve(
            ["--idle-timeout", "5", "--read-timeout", "2", "--max-connections", "10", "--shutdown-timeout", "9", "--content-derived-ids"])
        #expect(set.configuration.connections == ConnectionLimits(idleTimeout: .seconds(5), readTimeout: .seconds(2), maximumConnections: 10))
        #expect(set.shutdownTimeout == .seconds(9))
        #expect(set.configuration.validation.eventIDs == .contentDerived)
        #expect(try serve([], environment: ["AUDITLEDGER_CONTENT_DERIVED_IDS": "true"]).configuration.validation.eventIDs == .contentDerived)
        #expect(try serve([], environment: ["AUDITLEDGER_TEST_SPOOL_CRASH": "clearing"]).spool?.crashPoint == .clearing)
        #expect(throws: ValidationError.self) { try serve([], environment: ["AUDITLEDGER_TEST_SPOOL_CRASH": "sometime"]) }
        #expect(throws: ValidationError.self) { try serve(["--read-timeout", "0"]) }
    }

    @Test func spoolSettings() throws {
        let defaults = try serve([])
        #expect(defaults.spool?.directory == "./auditledger-data/spool")
        #expect(defaults.spool?.maximumBytes == 1 << 30)
        #expect(try serve(["--data-dir", "/srv/audit"]).spool?.directory == "/srv/audit/spool")
        let fromEnvironment = try serve([], environment: ["AUDITLEDGER_SPOOL_DIR": "/var/spool/audit", "AUDITLEDGER_SPOOL_MAX_BYTES": "1000000"])
        #expect(fromEnvironment.spool?.directory == "/var/spool/audit")
        #expect(fromEnvironment.spool?.maximumBytes == 1_000_000)
        #expect(try serve(["--disable-spool"]).spool == nil)
        #expect(try serve([], environment: ["AUDITLEDGER_DISABLE_SPOOL": "true"]).spool == nil)
        #expect(throws: ValidationError.self) { try serve(["--spool-max-bytes", "0"]) }
        #expect(throws: ValidationError.self) { try serve([], environment: ["AUDITLEDGER_DISABLE_SPOOL": "maybe"]) }
    }

    @Test func environmentFillsInAndFlagsWin() throws {
        let environment = [
            "AUDITLEDGER_HOST": "0.0.0.0", "AUDITLEDGER_PORT": "9090", "AUDITLEDGER_MAX_BODY_BYTES": "1024",
            "AUDITLEDGER_MAX_BATCH_SIZE": "10", "AUDITLEDGER_MAX_FUTURE_SECONDS": "60", "AUDITLEDGER_MAX_AGE_SECONDS": "86400",
            "AUDITLEDGER_MAX_QUEUED_EVENTS": "7", "AUDITLEDGER_INSECURE_NO_AUTH": "true",
        ]
        let fromEnvironment = try serve([], environment: environment)
        #expect(fromEnvironment.host == "0.0.0.0")
        #expect(fromEnvironment.port == 9090)
        #expect(fromEnvironment.configuration.maximumBodyBytes == 1024)
        #expect(fromEnvironment.configuration.validation.maximumBatchSize == 10)
        #expect(fromEnvironment.configuration.validation.maximumFutureSkewSeconds == 60)
        #expect(fromEnvironment.configuration.validation.maximumAgeSeconds == 86_400)
        #expect(fromEnvironment.configuration.writer.maximumQueuedEvents == 7)
        let flagged = try serve(["--port", "7070", "--host", "::1"], environment: environment)
        #expect(flagged.port == 7070)
        #expect(flagged.host == "::1")
    }

    @Test func badValuesNameTheirSource() {
        #expect(throws: ValidationError.self) { try serve([], environment: ["AUDITLEDGER_PORT": "eighty"]) }
        do {
            _ = try serve([], environment: ["AUDITLEDGER_PORT": "eighty"])
        } catch {
            #expect("\(error)".contains("AUDITLEDGER_PORT"))
        }
        #expect(throws: ValidationError.self) { try serve(["--port", "70000"]) }
        #expect(throws: ValidationError.self) { try serve(["--max-batch-size", "0"]) }
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--port", "x"]) }
    }

    @Test func theStoreIsChosenByConfigurationAlone() throws {
        let directory = NSTemporaryDirectory() + "auditledger-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let command = try ServeCommand.parse([])
        let logger = Logger(label: "test")

        let embedded = try CommandEnvironment.$variables.withValue(["AUDITLEDGER_DATA_DIR": directory]) {
            try command.store.makeStore(logger: logger)
        }
        #expect(embedded.store.kind == "sqlite")
        #expect(embedded.description == "sqlite \(directory)/auditledger.sqlite")
        #expect(FileManager.default.fileExists(atPath: "\(directory)/auditledger.sqlite"))

        let file = try ServeCommand.parse(["--database-url", "sqlite://\(directory)/other/audit.sqlite"]).store.makeStore(logger: logger)
        #expect(file.store.kind == "sqlite")
        #expect(file.description == "sqlite \(directory)/other/audit.sqlite")

        let postgres = try CommandEnvironment.$variables.withValue(["AUDITLEDGER_DATABASE_URL": "postgres://app:secret@db:5433/audit"]) {
            try command.store.makeStore(logger: logger)
        }
        #expect(postgres.store.kind == "postgres")
        #expect(postgres.description == "postgres db:5433/audit")
        #expect(postgres.services.count == 1)

        CommandEnvironment.$variables.withValue(["AUDITLEDGER_DATABASE_URL": "mysql://x"]) {
            #expect(throws: ValidationError.self) { try command.store.makeStore(logger: logger) }
        }
        CommandEnvironment.$variables.withValue(["AUDITLEDGER_DATABASE_URL": "postgres://a:secret@h/d?sslmode=never"]) {
            do {
                _ = try command.store.makeStore(logger: logger)
                Issue.record("an invalid URL must be refused")
            } catch {
                #expect(!"\(error)".contains("secret"))
            }
        }
    }

    @Test("--kubernetes-auth: the in-cluster API server, explicit options, and the mistakes that stop serve")
    func kubernetesSettings() throws {
        #expect(try serve([]).kubernetes == nil)
        let directory = NSTemporaryDirectory() + "auditledger-k8s-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let inPod = try serve(
            ["--kubernetes-auth", "--kubernetes-ca", "system", "--host", "0.0.0.0"],
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"])
        let kubernetes = try #require(inPod.kubernetes)
        #expect(kubernetes.apiServer.absoluteString == "https://10.96.0.1:443")
        #expect(kubernetes.tokenFile == "/var/run/secrets/kubernetes.io/serviceaccount/token")
        #expect(kubernetes.certificateAuthorityFile == nil)
        #expect(kubernetes.namespace == "kubernaut-system" && kubernetes.resource == "services" && kubernetes.resourceName == "data-storage-service")
        #expect(kubernetes.cacheSeconds == 30)
        let explicit = try serve([
            "--kubernetes-auth", "--kubernetes-api", "https://api.example.com:6443", "--kubernetes-ca", "system", "--kubernetes-resource",
            "audit/services/auditledger", "--kubernetes-cache-seconds", "5", "--kubernetes-token-file", directory + "/token",
        ])
        let set = try #require(explicit.kubernetes)
        #expect(set.apiServer.absoluteString == "https://api.example.com:6443")
        #expect(set.namespace == "audit" && set.resourceName == "auditledger" && set.cacheSeconds == 5)
        // Outside a pod without --kubernetes-api; a CA file that is not PEM; a bad resource.
        #expect(throws: ValidationError.self) { try serve(["--kubernetes-auth"], environment: [:]) }
        try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: directory + "/ca.crt"))
        #expect(throws: ValidationError.self) {
            try serve(["--kubernetes-auth", "--kubernetes-api", "https://api.example.com", "--kubernetes-ca", directory + "/ca.crt"])
        }
        #expect(throws: ValidationError.self) {
            try serve([
                "--kubernetes-auth", "--kubernetes-api", "https://api.example.com", "--kubernetes-ca", "system", "--kubernetes-resource", "a/b",
            ])
        }
        #expect(throws: ValidationError.self) { try serve(["--kubernetes-auth", "--kubernetes-api", "ftp://api.example.com"]) }
    }

    @Test("--tls-cert, --tls-key, --tls-client-ca: HTTPS and client certificates, and the mistakes that stop serve")
    func tlsSettings() throws {
        #expect(try serve([]).configuration.tls == nil)
        let directory = NSTemporaryDirectory() + "auditledger-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let authority = try TestCertificateAuthority(name: "CLI test CA")
        try Data(try authority.pem.utf8).write(to: URL(fileURLWithPath: directory + "/ca.crt"))
        let server = try authority.issue(commonName: "localhost", server: true).write(to: directory, name: "server")
        let other = try authority.issue(commonName: "other", server: true).write(to: directory, name: "other")

        let https = try serve(["--tls-cert", server.certificate, "--tls-key", server.key])
        #expect(https.configuration.tls?.identifiesClients == false)
        let mutual = try serve(
            [
                "--host", "0.0.0.0", "--tls-cert", server.certificate, "--tls-key", server.key, "--tls-client-ca", directory + "/ca.crt",
                "--tls-client-scope", "events:write", "--tls-client-scope", "events:read",
            ])
        #expect(mutual.configuration.tls?.identifiesClients == true, "client certificates count as authentication beyond loopback")
        #expect(mutual.configuration.tls?.clientScopes == [.eventsWrite, .eventsRead])
        let fromEnvironment = try serve([], environment: ["AUDITLEDGER_TLS_CERT": server.certificate, "AUDITLEDGER_TLS_KEY": server.key])
        #expect(fromEnvironment.configuration.tls != nil)

        // One without the other; a key of another certificate; a file that is not PEM; scopes without a CA.
        #expect(throws: ValidationError.self) { try serve(["--tls-cert", server.certificate]) }
        #expect(throws: ValidationError.self) { try serve(["--tls-cert", server.certificate, "--tls-key", other.key]) }
        #expect(throws: ValidationError.self) { try serve(["--tls-cert", directory + "/missing.crt", "--tls-key", server.key]) }
        #expect(throws: ValidationError.self) {
            try serve(["--tls-cert", server.certificate, "--tls-key", server.key, "--tls-client-scope", "events:read"])
        }
        #expect(throws: ValidationError.self) {
            try serve([
                "--tls-cert", server.certificate, "--tls-key", server.key, "--tls-client-ca", directory + "/ca.crt", "--tls-client-scope", "x",
            ])
        }
    }

    @Test("--jwt-issuer: audience and exactly one key source required; claims and kind set")
    func jwtSettings() throws {
        #expect(try serve([]).jwt == nil)
        let set = try serve([
            "--host", "0.0.0.0", "--jwt-issuer", "https://login.example.com/realms/ops", "--jwt-audience", "auditledger", "--jwt-jwks-url",
            "https://login.example.com/realms/ops/protocol/openid-connect/certs", "--jwt-scope-claim", "roles", "--jwt-kind", "service",
        ])
        let jwt = try #require(set.jwt)
        #expect(jwt.issuer == "https://login.example.com/realms/ops" && jwt.audience == "auditledger")
        #expect(jwt.keys == .url(URL(string: "https://login.example.com/realms/ops/protocol/openid-connect/certs")!))
        #expect(jwt.scopeClaim == "roles" && jwt.principalClaim == "sub" && jwt.kind == .service)
        #expect(try serve(["--jwt-issuer", "https://i", "--jwt-audience", "a", "--jwt-jwks-file", "/etc/jwks.json"]).jwt?.kind == .human)
        #expect(throws: ValidationError.self) { try serve(["--jwt-issuer", "https://i", "--jwt-jwks-file", "/etc/jwks.json"]) }
        #expect(throws: ValidationError.self) { try serve(["--jwt-issuer", "https://i", "--jwt-audience", "a"]) }
        #expect(throws: ValidationError.self) {
            try serve(["--jwt-issuer", "https://i", "--jwt-audience", "a", "--jwt-jwks-file", "/x", "--jwt-jwks-url", "https://i/k"])
        }
        #expect(throws: ValidationError.self) { try serve(["--jwt-audience", "a"]) }
        #expect(throws: ValidationError.self) {
            try serve(["--jwt-issuer", "https://i", "--jwt-audience", "a", "--jwt-jwks-file", "/x", "--jwt-kind", "robot"])
        }
    }

    @Test("--event-schemas DIR and --event-schema-mode: files added or replacing built-ins, modes per type or for all; mistakes stop serve")
    func eventSchemaSettings() throws {
        let defaults = try serve([])
        #expect(defaults.configuration.eventSchemas.entries.values.allSatisfy { $0.mode == .warn })
        let directory = NSTemporaryDirectory() + "auditledger-schemas-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(#"{"event_type": "custom.thing.done", "mode": "enforce", "schema": {"required": ["id"]}}"#.utf8)
            .write(to: URL(fileURLWithPath: directory + "/custom.json"))
        try Data(#"{"event_type": "gateway.signal.received", "schema": {"required": ["fingerprint"]}}"#.utf8)
            .write(to: URL(fileURLWithPath: directory + "/gateway.json"))
        let set = try serve(["--event-schemas", directory, "--event-schema-mode", "*=off", "--event-schema-mode", "gateway.signal.received=enforce"])
        let entries = set.configuration.eventSchemas.entries
        #expect(entries["custom.thing.done"]?.mode == .off, "*=off after the file's own enforce")
        #expect(entries["gateway.signal.received"]?.mode == .enforce && entries["gateway.signal.received"]?.source == directory + "/gateway.json")
        #expect(entries["workflow.catalog.search_completed"]?.mode == .off)
        #expect(
            try serve([], environment: ["AUDITLEDGER_EVENT_SCHEMA_MODES": "workflow.catalog.search_completed=enforce"])
                .configuration.eventSchemas.entries["workflow.catalog.search_completed"]?.mode == .enforce)
        try Data(#"{"event_type": "x", "schema": {"pattern": "a"}}"#.utf8).write(to: URL(fileURLWithPath: directory + "/bad.json"))
        for arguments in [
            ["--event-schemas", directory], ["--event-schema-mode", "no.such.type=enforce"], ["--event-schema-mode", "gateway.signal.received=loud"],
            ["--event-schemas", directory + "/missing"],
        ] {
            #expect(throws: (any Error).self, "\(arguments)") { try serve(arguments) }
        }
    }

    @Test("--self-audit turns the server's own audit events on; off by default")
    func selfAuditSetting() throws {
        #expect(try serve([]).configuration.selfAudit.enabled == false)
        #expect(try serve(["--self-audit"]).configuration.selfAudit.enabled)
        #expect(try serve([], environment: ["AUDITLEDGER_SELF_AUDIT": "true"]).configuration.selfAudit.enabled)
    }

    @Test func helpDocumentsEveryOptionWithItsVariableAndDefault() {
        let help = AuditLedgerCommand.helpMessage(for: ServeCommand.self, columns: 400)
        let expected = [
            "--database-url <database-url>": "(env: AUDITLEDGER_DATABASE_URL, default: none, meaning the embedded store in --data-dir)",
            "--data-dir <data-dir>": "(env: AUDITLEDGER_DATA_DIR, default: ./auditledger-data)",
            "--months-ahead <months-ahead>": "(env: AUDITLEDGER_MONTHS_AHEAD, default: 3)",
            "--database-wait <database-wait>": "(env: AUDITLEDGER_DATABASE_WAIT, default: 60)",
            "--host <host>": "(env: AUDITLEDGER_HOST, default: 127.0.0.1)",
            "--port <port>": "(env: AUDITLEDGER_PORT, default: 8080)",
            "--max-body-bytes <max-body-bytes>": "(env: AUDITLEDGER_MAX_BODY_BYTES, default: 5242880)",
            "--max-batch-size <max-batch-size>": "(env: AUDITLEDGER_MAX_BATCH_SIZE, default: 1000)",
            "--max-future-seconds <max-future-seconds>": "(env: AUDITLEDGER_MAX_FUTURE_SECONDS, default: 3600)",
            "--max-age-seconds <max-age-seconds>": "(env: AUDITLEDGER_MAX_AGE_SECONDS, default: 604800)",
            "--max-queued-events <max-queued-events>": "(env: AUDITLEDGER_MAX_QUEUED_EVENTS, default: 50000)",
            "--writer-transactions <writer-transactions>": "(env: AUDITLEDGER_WRITER_TRANSACTIONS, default: 2)",
            "--kubernetes-auth": "(env: AUDITLEDGER_KUBERNETES_AUTH=true)",
            "--jwt-jwks-url <jwt-jwks-url>": "(env: AUDITLEDGER_JWT_JWKS_URL, default: none)",
            "--jwt-kind <jwt-kind>": "(env: AUDITLEDGER_JWT_KIND, default: human)",
            "--tls-cert <tls-cert>": "(env: AUDITLEDGER_TLS_CERT, default: none, plain HTTP)",
            "--tls-client-scope <tls-client-scope>": "(env: AUDITLEDGER_TLS_CLIENT_SCOPES, default: events:write)",
            "--kubernetes-cache-seconds <kubernetes-cache-seconds>": "(env: AUDITLEDGER_KUBERNETES_CACHE_SECONDS, default: 30)",
            "--spool-dir <spool-dir>": "(env: AUDITLEDGER_SPOOL_DIR, default: the spool directory in --data-dir)",
            "--spool-max-bytes <spool-max-bytes>": "(env: AUDITLEDGER_SPOOL_MAX_BYTES, default: 1073741824)",
            "--disable-spool": "(env: AUDITLEDGER_DISABLE_SPOOL=true)",
            "--auth-tokens <auth-tokens>": "(env: AUDITLEDGER_AUTH_TOKENS, default: none)",
            "--trusted-proxy <trusted-proxy>": "(env: AUDITLEDGER_TRUSTED_PROXIES, comma-separated, default: none)",
            "--proxy-scope <proxy-scope>": "(env: AUDITLEDGER_PROXY_SCOPES, default: events:read)",
            "--insecure-no-auth": "(env: AUDITLEDGER_INSECURE_NO_AUTH=true)",
            "--open-metrics": "(env: AUDITLEDGER_OPEN_METRICS=true)",
            "--redact-key <redact-key>":
                "(env: AUDITLEDGER_REDACT_KEYS, comma-separated, default: password,passwd,secret,token,authorization,api_key,apikey,private_key,client_secret)",
            "--redact-path <redact-path>": "(env: AUDITLEDGER_REDACT_PATHS, comma-separated, default: none)",
            "--no-redaction": "(env: AUDITLEDGER_NO_REDACTION=true)",
            "--rate-limit-writes <rate-limit-writes>": "(env: AUDITLEDGER_RATE_LIMIT_WRITES, default: none, no limit)",
            "--rate-limit-status <rate-limit-status>": "(env: AUDITLEDGER_RATE_LIMIT_STATUS, default: 429)",
            "--log-level <log-level>": "(env: AUDITLEDGER_LOG_LEVEL, default: info)",
            "--log-format <log-format>": "(env: AUDITLEDGER_LOG_FORMAT, default: json)",
        ]
        let lines = help.split(separator: "\n").map(String.init)
        for (option, documentation) in expected {
            // A long option name puts its help on the next line.
            let index = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix(option) }
            let text = index.map { lines[$0] + " " + (lines.indices.contains($0 + 1) ? lines[$0 + 1] : "") }
            #expect(text?.contains(documentation) == true, "\(option) in:\n\(help)")
        }
        let migrate = AuditLedgerCommand.helpMessage(for: MigrateCommand.self, columns: 400)
        #expect(migrate.contains("(env: AUDITLEDGER_DATABASE_URL, default: none, meaning the embedded store in --data-dir)"))
        #expect(migrate.contains("(env: AUDITLEDGER_DATA_DIR, default: ./auditledger-data)"))
        #expect(migrate.contains("(env: AUDITLEDGER_MONTHS_AHEAD, default: 3)"))
    }
}
