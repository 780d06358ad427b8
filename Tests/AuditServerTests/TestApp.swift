import AuditCore
import AuditIngest
import AuditPostgres
import AuditSQLite
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The stores the HTTP tests run against: SQLite always, PostgreSQL when available (always under CI).
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    static var available: [StoreKind] {
        TestEnvironment.runsPostgresTests ? [.sqlite, .postgres] : [.sqlite]
    }

    var testDescription: String { rawValue }
}

/// Runs `body` with the real application (as `serve` builds it) over a fresh store of `kind`.
/// With `storeTimeout`, the store gives up on a blocked database after that long.
func withApp(
    _ kind: StoreKind,
    configuration: AuditServerConfiguration = AuditServerConfiguration(validation: EventFactory.importPolicy),
    logger: Logger = Logger(label: "test.http"),
    storeTimeout: Duration? = nil,
    spool: Spool? = nil,
    metrics: AuditMetrics = AuditMetrics(),
    _ body: @Sendable @escaping (any TestClientProtocol, any StoreHarness) async throws -> Void
) async throws {
    try await withHarness(kind, storeTimeout: storeTimeout) { harness in
        let app = buildAuditApplication(store: harness.store, spool: spool, configuration: configuration, metrics: metrics, logger: logger)
        try await app.test(.router) { client in
            try await body(client, harness)
        }
    }
}

/// Runs `body` with the real application listening on a loopback port (for tests that need a
/// real connection: timeouts, malformed requests, hang-ups).
func withLiveApp(
    _ kind: StoreKind,
    configuration: AuditServerConfiguration = AuditServerConfiguration(validation: EventFactory.importPolicy),
    logger: Logger = Logger(label: "test.http"),
    metrics: AuditMetrics = AuditMetrics(),
    _ body: @Sendable @escaping (any TestClientProtocol, Int, any StoreHarness) async throws -> Void
) async throws {
    try await withHarness(kind) { harness in
        let app = buildAuditApplication(
            store: harness.store, configuration: configuration, http: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            metrics: metrics, logger: logger)
        try await app.test(.live) { client in
            try await body(client, try #require(client.port), harness)
        }
    }
}

/// Runs `body` with a fresh, prepared store of `kind`.
func withHarness(_ kind: StoreKind, storeTimeout: Duration? = nil, _ body: @Sendable @escaping (any StoreHarness) async throws -> Void) async throws {
    switch kind {
    case .sqlite:
        try await SQLiteHarness.run(configure: { configuration in
            if let storeTimeout {
                configuration.busyTimeoutSeconds = Double(storeTimeout.components.seconds) + Double(storeTimeout.components.attoseconds) / 1e18
            }
        }) { harness in
            try await body(harness)
        }
    case .postgres:
        try await PostgresHarness.run(configure: { configuration in
            if let storeTimeout { configuration.operationTimeout = storeTimeout }
        }) { harness in
            try await body(harness)
        }
    }
}

/// A server behind a trusted proxy on loopback: `X-Auth-Request-User` names the caller, who
/// gets every scope (for tests of other behaviour that send that header).
func proxyConfiguration(metricsOpen: Bool = true) -> AuditServerConfiguration {
    var configuration = AuditServerConfiguration(validation: EventFactory.importPolicy)
    configuration.access = AccessConfiguration(
        trustedProxies: [AddressBlock("127.0.0.1")!, AddressBlock("::1")!], proxyScopes: Set(AccessScope.allCases), metricsOpen: metricsOpen)
    return configuration
}

extension TestClientProtocol {
    /// POSTs JSON and returns the response.
    func post(_ path: String, json: JSONValue, headers: HTTPFields = [:]) async throws -> TestResponse {
        var writer = JSONWriter()
        writer.write(json)
        return try await post(path, body: writer.bytes, headers: headers)
    }

    func post(_ path: String, body: [UInt8], headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body)) { $0 }
    }

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: path, method: .get, headers: headers) { $0 }
    }
}

extension TestResponse {
    /// The body parsed as JSON (numbers as written).
    var json: JSONValue {
        get throws { try JSONParser.parse(Array(body.readableBytesView)) }
    }

    /// The body as a JSON object.
    var object: JSONObject {
        get throws {
            guard case .object(let object) = try json else { throw TestFailure("body is not a JSON object: \(String(buffer: body))") }
            return object
        }
    }
}

extension JSONObject {
    func string(_ key: String) -> String? {
        if case .string(let value)? = self[key] { return value }
        return nil
    }

    func array(_ key: String) -> [JSONValue] {
        if case .array(let values)? = self[key] { return values }
        return []
    }

    func object(_ key: String) -> JSONObject? {
        if case .object(let value)? = self[key] { return value }
        return nil
    }
}

extension JSONValue {
    var object: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Asserts an RFC 7807 response: status, content type, `type` slug, and the fields named.
func expectProblem(
    _ response: TestResponse,
    status: HTTPResponse.Status,
    type slug: String,
    fields: [String] = [],
    detailPrefix: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    #expect(response.status == status, sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    let problem = try response.object
    #expect(problem.string("type") == "https://kubernaut.ai/problems/\(slug)", sourceLocation: sourceLocation)
    #expect(problem["status"] == .number(String(status.code)), sourceLocation: sourceLocation)
    #expect(problem.string("title")?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(problem.string("detail")?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(problem.string("instance")?.hasPrefix("/") == true, sourceLocation: sourceLocation)
    let named = problem.object("field_errors")?.members.map(\.key) ?? []
    #expect(named == fields, "field_errors of \(String(buffer: response.body))", sourceLocation: sourceLocation)
    if let detailPrefix {
        #expect(
            problem.string("detail")?.hasPrefix(detailPrefix) == true, "detail of \(String(buffer: response.body))", sourceLocation: sourceLocation)
    }
}

/// One line saying how to run the PostgreSQL HTTP tests when they are skipped.
@Suite struct PostgresHTTPAvailability {
    @Test(.enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
    func postgresHTTPTestsRun() throws {
        _ = try TestEnvironment.requirePostgresURL()
    }
}

/// `path`'s answer once it is 200, or the last one within 30 s. The readiness check gives the
/// store 2 s, which a machine loaded with the parallel suites has overrun (a 503 before
/// anything was wrong, in a fresh CI and in a full local run), so one look is not enough.
func readyAnswer(_ client: any TestClientProtocol, path: String = "/health/ready") async throws -> TestResponse {
    var answer = try await client.get(path)
    for _ in 0..<60 where answer.status != .ok {
        try await Task.sleep(for: .milliseconds(500))
        answer = try await client.get(path)
    }
    return answer
}
