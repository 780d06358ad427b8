public import AuditCore
import Foundation
import NIOSSL
public import PostgresNIO

/// How ``PostgresStore`` connects and behaves.
public struct PostgresStoreConfiguration: Sendable {
    /// Connection settings for PostgresNIO's client, usually from ``init(url:)``.
    public var client: PostgresClient.Configuration
    /// Months to keep created ahead of the current one. Default 3 (so four months exist at start).
    public var monthsAhead: Int
    /// Longest a single store operation may wait (including for a connection) before the store
    /// reports itself unavailable. Default 10 seconds.
    public var operationTimeout: Duration
    /// Longest a write waits for the connection pool to hand out a connection before the store
    /// reports itself unavailable, so that writes reach the spool within about this long of the
    /// database going away. Default 1 second.
    public var connectionLeaseTimeout: Duration
    /// Longest maintenance (creating, detaching, dropping months) waits for a lock on
    /// `audit_events` before giving up and retrying (five attempts, `lockTimeout` × 1, 2, 3, 4
    /// / 5 apart). Requests that arrive meanwhile queue behind that wait, so this bounds how long
    /// maintenance can hold up traffic. Default 5 seconds.
    public var lockTimeout: Duration
    /// Longest ``PostgresStore/prepare()`` and ``PostgresStore/migrate(now:)`` wait for the
    /// database to answer at all (a warning is logged every 10 seconds meanwhile) before they
    /// fail with `unavailable`, instead of waiting for ever on a wrong address or a database
    /// that never comes up. Default 60 seconds.
    public var startupWait: Duration

    /// Creates a configuration; every parameter but `client` defaults to the value documented on its property.
    public init(
        client: PostgresClient.Configuration,
        monthsAhead: Int = 3,
        operationTimeout: Duration = .seconds(10),
        connectionLeaseTimeout: Duration = .seconds(1),
        lockTimeout: Duration = .seconds(5),
        startupWait: Duration = .seconds(60)
    ) {
        self.client = client
        self.monthsAhead = monthsAhead
        self.operationTimeout = operationTimeout
        self.connectionLeaseTimeout = connectionLeaseTimeout
        self.lockTimeout = lockTimeout
        self.startupWait = startupWait
    }

    /// ``lockTimeout`` as a PostgreSQL setting value (milliseconds, at least 1).
    var lockTimeoutSetting: String {
        let milliseconds = lockTimeout.components.seconds * 1000 + lockTimeout.components.attoseconds / 1_000_000_000_000_000
        return "\(max(milliseconds, 1))ms"
    }

    /// Parses a libpq-style URL: `postgres://user:password@host:5432/database?sslmode=prefer`.
    ///
    /// `sslmode` is `disable`, `prefer` (default), `require` (encrypt, no certificate check)
    /// or `verify-full`. `?host=/run/postgresql` connects through that directory's Unix socket.
    /// The password never appears in errors.
    public init(url: String, monthsAhead: Int = 3, operationTimeout: Duration = .seconds(10)) throws(AuditError) {
        func invalid(_ why: String) -> AuditError {
            AuditError(.validation, detail: "invalid database URL: \(why)", fieldErrors: [.init(field: "database-url", message: why)])
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw invalid("expected postgres://user:password@host:port/database")
        }
        let username = components.percentEncodedUser.map(Self.percentDecoded) ?? "postgres"
        let password = components.percentEncodedPassword.map(Self.percentDecoded)
        var database = String(components.path.drop(while: { $0 == "/" }))
        if database.isEmpty { database = username }
        let port = components.port ?? 5432
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })

        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "prefer" {
        case "disable":
            tls = .disable
        case "prefer", "allow":
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            tls = .prefer(configuration)
        case "require":
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            tls = .require(configuration)
        case "verify-full", "verify-ca":
            tls = .require(.makeClientConfiguration())
        case let other:
            throw invalid("unknown sslmode \(other); use disable, prefer, require or verify-full")
        }

        let client: PostgresClient.Configuration
        if let socketDirectory = query["host"], socketDirectory.hasPrefix("/") {
            client = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            guard let host = components.host, !host.isEmpty else { throw invalid("the host is missing") }
            client = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        self.init(client: client, monthsAhead: monthsAhead, operationTimeout: operationTimeout)
    }

    /// Where the store connects, for logs: `host:port/database` (never the password).
    public var displayTarget: String {
        let place = client.unixSocketPath ?? "\(client.host ?? "?"):\(client.port ?? 5432)"
        return "\(place)/\(client.database ?? client.username)"
    }

    private static func percentDecoded(_ text: String) -> String {
        text.removingPercentEncoding ?? text
    }
}
