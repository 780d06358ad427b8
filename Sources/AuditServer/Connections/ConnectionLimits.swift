/// How long and how many HTTP connections the server keeps. Every property has a documented default.
///
/// A request must arrive in time: a connection that sends nothing for ``idleTimeout`` is
/// closed, and once a request's head has arrived its body must be complete within
/// ``readTimeout`` (else `408`, and the connection is closed). So a slow or stalled client
/// holds a connection for a bounded time. On graceful shutdown idle connections are closed at
/// once and requests still arriving get at most ``shutdownReadGrace`` more.
public struct ConnectionLimits: Sendable, Hashable {
    /// Longest a connection may wait for (the rest of) a request head: a new connection, or a
    /// kept-alive one between requests. Default 75 s (longer than the 60–90 s idle timeouts
    /// of common HTTP clients, so they close first and never write into a closing connection).
    public var idleTimeout: Duration
    /// Longest the body of a request may take to arrive once its head has. Default 30 s.
    public var readTimeout: Duration
    /// Most connections open at once; beyond it new ones wait in the listen backlog. Default 4096.
    public var maximumConnections: Int
    /// Once graceful shutdown has begun, the longest a request still arriving may take (if its
    /// read timeout would end later). Default 5 s.
    public var shutdownReadGrace: Duration

    /// Creates limits; every parameter defaults to the value documented on its property.
    public init(
        idleTimeout: Duration = .seconds(75), readTimeout: Duration = .seconds(30), maximumConnections: Int = 4096,
        shutdownReadGrace: Duration = .seconds(5)
    ) {
        self.idleTimeout = idleTimeout
        self.readTimeout = readTimeout
        self.maximumConnections = maximumConnections
        self.shutdownReadGrace = shutdownReadGrace
    }
}
