public import AuditCore
public import AuditIngest
public import Logging
public import ServiceLifecycle
import Synchronization

/// The server's own audit events, stored in the same store through the same writer as any
/// other (spooled when the store cannot take them), in the category `security`:
///
/// | `event_type` | When | `correlation_id` |
/// | --- | --- | --- |
/// | `auditledger.legal_hold.placed` | a hold is placed (`resource_id`: the held correlation id) | `auditledger-security-YYYY-MM-DD` |
/// | `auditledger.legal_hold.released` | holds are released (`resource_id`: the correlation id) | `auditledger-security-YYYY-MM-DD` |
/// | `auditledger.auth.refused` | credentials were refused (counted per reason and address over ``Configuration/interval``, one event each) | `auditledger-security-YYYY-MM-DD` |
/// | `auditledger.tokens.changed` | the token file's tokens changed: ids added, revoked, removed (looked at every interval) | `auditledger-security-YYYY-MM-DD` |
///
/// They never join the correlation they are about: a remediation's timeline and what its hold
/// covers stay exactly what its services sent.
///
/// The actor is the principal (`user` for a person, `service` otherwise) or, for refusals, the
/// address (`actor_type` `network`); nothing of a refused credential is recorded but why it was
/// refused. Their `written_by` is `auditledger`. Run it as a `Service`: on shutdown it records what it counted so far.
public final class ServerAuditTrail: Service, Sendable {
    /// How the trail runs. Every property has a documented default.
    public struct Configuration: Sendable {
        /// Whether the server records its own events. Default `false`: Kubernaut's spec makes
        /// `event_data` a union chosen by an `event_type` from a fixed list, which these types
        /// are not on, so a strict Kubernaut client reading them in an answer cannot decode it
        /// (`serve --self-audit` turns them on).
        public var enabled: Bool
        /// How long refusals are counted before they are recorded, and how often the token file
        /// is looked at. Default 60 s.
        public var interval: Duration

        /// Creates a configuration; every parameter defaults to the value documented on its property.
        public init(enabled: Bool = false, interval: Duration = .seconds(60)) {
            self.enabled = enabled
            self.interval = interval
        }
    }

    private struct RefusalKey: Hashable {
        var reason: String
        var address: String?
    }

    private struct RefusalCount {
        var count: Int
        var first: AuditTimestamp
        var last: AuditTimestamp
    }

    public let configuration: Configuration
    private let writer: BatchWriter
    private let validator: EventValidator
    private let tokens: TokenFileSource?
    private let clock: @Sendable () -> AuditTimestamp
    private let logger: Logger
    private let refusals = Mutex<[RefusalKey: RefusalCount]>([:])

    public init(
        configuration: Configuration, writer: BatchWriter, validation: ValidationPolicy, tokens: TokenFileSource?,
        clock: @escaping @Sendable () -> AuditTimestamp, logger: Logger
    ) {
        self.configuration = configuration
        self.writer = writer
        var policy = validation
        policy.eventIDs = .assigned
        self.validator = EventValidator(policy: policy)
        self.tokens = tokens
        self.clock = clock
        self.logger = logger
    }

    /// Records a hold just placed.
    public func holdPlaced(_ hold: LegalHold, by principal: Principal, address: String?, requestID: String) async {
        await record(
            type: "auditledger.legal_hold.placed", action: "placed", principal: principal, address: address, resourceType: "legal_hold",
            resourceID: hold.correlationID, correlationID: Self.dailyCorrelation(clock()),
            data: [
                ("reason", .string(hold.reason)), ("events_affected", .number(String(hold.eventsAffected))), ("request_id", .string(requestID)),
                ("authenticated_by", .string(principal.method.rawValue)),
            ])
    }

    /// Records holds just released.
    public func holdsReleased(_ release: HoldRelease, by principal: Principal, address: String?, requestID: String) async {
        await record(
            type: "auditledger.legal_hold.released", action: "released", principal: principal, address: address, resourceType: "legal_hold",
            resourceID: release.correlationID, correlationID: Self.dailyCorrelation(clock()),
            data: [
                ("release_reason", .string(release.reason)), ("events_released", .number(String(release.eventsReleased))),
                ("request_id", .string(requestID)), ("authenticated_by", .string(principal.method.rawValue)),
            ])
    }

    /// Counts a refused credential; recorded at the end of the interval, one event per reason and address.
    public func refused(_ reason: TokenRefusal, address: String?) {
        guard configuration.enabled else { return }
        let now = clock()
        refusals.withLock { counts in
            let key = RefusalKey(reason: reason.rawValue, address: address)
            if var count = counts[key] {
                count.count += 1
                count.last = now
                counts[key] = count
            } else if counts.count < 10_000 {
                counts[key] = RefusalCount(count: 1, first: now, last: now)
            } else {
                // Past 10 000 addresses in one interval: count the rest under no address.
                let other = RefusalKey(reason: reason.rawValue, address: nil)
                var count = counts[other] ?? RefusalCount(count: 0, first: now, last: now)
                count.count += 1
                count.last = now
                counts[other] = count
            }
        }
    }

    /// Records counted refusals and token changes every interval; on shutdown, once more.
    public func run() async throws {
        guard configuration.enabled else {
            try? await gracefulShutdown()
            return
        }
        var known = tokens?.current()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // Cut short by a graceful shutdown, so that a SIGTERM never waits for the interval.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.configuration.interval) }
            await flushRefusals()
            if let tokens {
                let now = tokens.current()
                if let before = known, before != now { await tokensChanged(from: before, to: now) }
                known = now
            }
        }
        await flushRefusals()
    }

    private func flushRefusals() async {
        let counted = refusals.withLock { counts in
            defer { counts.removeAll() }
            return counts
        }
        for (key, count) in counted.sorted(by: { $0.value.first < $1.value.first }) {
            await record(
                type: "auditledger.auth.refused", action: "authenticate", outcome: "failure", actorType: "network", actorID: key.address ?? "unknown",
                address: key.address, resourceType: "api", resourceID: "auditledger", correlationID: Self.dailyCorrelation(count.first),
                data: [
                    ("reason", .string(key.reason)), ("count", .number(String(count.count))), ("first_seen", .string(count.first.description)),
                    ("last_seen", .string(count.last.description)),
                ])
        }
    }

    private func tokensChanged(from before: TokenFile, to after: TokenFile) async {
        let old = Dictionary(before.tokens.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(after.tokens.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let added = new.keys.filter { old[$0] == nil }.sorted()
        let removed = old.keys.filter { new[$0] == nil }.sorted()
        let revoked = new.values.filter { $0.revoked != nil && old[$0.id].map { $0.revoked == nil } == true }.map(\.id).sorted()
        guard !added.isEmpty || !removed.isEmpty || !revoked.isEmpty else { return }
        func list(_ ids: [String]) -> JSONValue { .array(ids.map { .string($0) }) }
        await record(
            type: "auditledger.tokens.changed", action: "changed", actorType: "service", actorID: "auditledger", address: nil,
            resourceType: "token_file", resourceID: "auth-tokens", correlationID: Self.dailyCorrelation(clock()),
            data: [("added", list(added)), ("revoked", list(revoked)), ("removed", list(removed))])
    }

    private func record(
        type: String, action: String, outcome: String = "success", principal: Principal, address: String?, resourceType: String,
        resourceID: String, correlationID: String, data: [(String, JSONValue)]
    ) async {
        await record(
            type: type, action: action, outcome: outcome, actorType: principal.kind == .human ? "user" : "service", actorID: principal.name,
            address: address, resourceType: resourceType, resourceID: resourceID, correlationID: correlationID, data: data)
    }

    private func record(
        type: String, action: String, outcome: String = "success", actorType: String, actorID: String, address: String?, resourceType: String,
        resourceID: String, correlationID: String, data: [(String, JSONValue)]
    ) async {
        guard configuration.enabled else { return }
        let now = clock()
        var members: [JSONObject.Member] = [
            .init(key: "version", value: .string("1.0")), .init(key: "event_type", value: .string(type)),
            .init(key: "event_timestamp", value: .string(now.description)), .init(key: "event_category", value: .string("security")),
            .init(key: "event_action", value: .string(action)), .init(key: "event_outcome", value: .string(outcome)),
            .init(key: "actor_type", value: .string(actorType)), .init(key: "actor_id", value: .string(actorID)),
            .init(key: "resource_type", value: .string(resourceType)), .init(key: "resource_id", value: .string(resourceID)),
            .init(key: "correlation_id", value: .string(correlationID)),
            .init(key: "event_data", value: .object(JSONObject(data.map { .init(key: $0.0, value: $0.1) }))),
        ]
        if let address { members.append(.init(key: "actor_ip", value: .string(address))) }
        do {
            var event = try validator.event(from: .object(JSONObject(members)), now: now)
            event.writtenBy = Self.writer
            _ = try await writer.submit(EventBatch(events: [event], reportsIndex: false), logger: logger)
        } catch {
            logger.error("the server's own audit event could not be recorded", metadata: ["audit.event.type": "\(type)", "error": "\(error)"])
        }
    }

    /// `written_by` of the server's own events.
    public static let writer = "auditledger"

    /// `auditledger-security-2026-12-01`: one correlation per day for the server's own security events.
    static func dailyCorrelation(_ time: AuditTimestamp) -> String {
        "auditledger-security-" + time.utcDate.description
    }
}
