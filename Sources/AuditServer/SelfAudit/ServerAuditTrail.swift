public import AuditCore
public import AuditIngest
public import Logging
public import ServiceLifecycle
import Synchronization

/// The server's own audit events (``AuditCore/SelfAuditEvent`` lists them), stored in the same
/// store through the same writer as any other (spooled when the store cannot take them): holds
/// placed and released, refused credentials, token-file changes, and — as the maintenance
/// service's ``AuditCore/SelfAuditRecorder`` — retention's removals and failures.
///
/// The actor is the principal (`user` for a person, `service` otherwise) or, for refusals, the
/// address (`actor_type` `network`); nothing of a refused credential is recorded but why it was
/// refused. Run it as a `Service`: on shutdown it records what it counted so far.
///
/// An event the store cannot take yet (it is down and there is no spool, or the spool is full)
/// is kept in memory and sent again every interval and at shutdown, oldest first, up to
/// ``Configuration/maximumUnrecorded`` events; past that, and for what is still unrecorded when
/// the process stops, an error is logged with the count.
public final class ServerAuditTrail: Service, SelfAuditRecorder, Sendable {
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
        /// Most events kept in memory while the store cannot take them. Default 10,000.
        public var maximumUnrecorded: Int

        /// Creates a configuration; every parameter defaults to the value documented on its property.
        public init(enabled: Bool = false, interval: Duration = .seconds(60), maximumUnrecorded: Int = 10_000) {
            self.enabled = enabled
            self.interval = interval
            self.maximumUnrecorded = maximumUnrecorded
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
    private let validation: ValidationPolicy
    private let tokens: TokenFileSource?
    private let clock: @Sendable () -> AuditTimestamp
    private let logger: Logger
    private let refusals = Mutex<[RefusalKey: RefusalCount]>([:])
    /// Events the store could not take yet, oldest first.
    private let unrecorded = Mutex<[AuditEvent]>([])

    public init(
        configuration: Configuration, writer: BatchWriter, validation: ValidationPolicy, tokens: TokenFileSource?,
        clock: @escaping @Sendable () -> AuditTimestamp, logger: Logger
    ) {
        self.configuration = configuration
        self.writer = writer
        self.validation = validation
        self.tokens = tokens
        self.clock = clock
        self.logger = logger
    }

    /// Records a hold just placed.
    public func holdPlaced(_ hold: LegalHold, by principal: Principal, address: String?, requestID: String) async {
        await record(
            type: "auditledger.legal_hold.placed", action: "placed", principal: principal, address: address, resourceType: "legal_hold",
            resourceID: hold.correlationID,
            data: [
                ("reason", .string(hold.reason)), ("events_affected", .number(String(hold.eventsAffected))), ("request_id", .string(requestID)),
                ("authenticated_by", .string(principal.method.rawValue)),
            ])
    }

    /// Records holds just released.
    public func holdsReleased(_ release: HoldRelease, by principal: Principal, address: String?, requestID: String) async {
        await record(
            type: "auditledger.legal_hold.released", action: "released", principal: principal, address: address, resourceType: "legal_hold",
            resourceID: release.correlationID,
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
            await retryUnrecorded()
            await flushRefusals()
            if let tokens {
                let now = tokens.current()
                if let before = known, before != now { await tokensChanged(from: before, to: now) }
                known = now
            }
        }
        await retryUnrecorded()
        await flushRefusals()
        let lost = unrecorded.withLock { $0.count }
        if lost > 0 {
            logger.error("the server's own audit events could not be recorded before shutdown", metadata: ["audit.events.unrecorded": "\(lost)"])
        }
    }

    /// Events kept because the store could not take them yet.
    public var unrecordedCount: Int { unrecorded.withLock(\.count) }

    private func flushRefusals() async {
        let counted = refusals.withLock { counts in
            defer { counts.removeAll() }
            return counts
        }
        for (key, count) in counted.sorted(by: { $0.value.first < $1.value.first }) {
            await record(
                SelfAuditEvent(
                    eventType: "auditledger.auth.refused", action: "authenticate", outcome: .failure, actorType: "network",
                    actorID: key.address ?? "unknown", actorIP: key.address, resourceType: "api", resourceID: "auditledger",
                    data: Self.object([
                        ("reason", .string(key.reason)), ("count", .number(String(count.count))), ("first_seen", .string(count.first.description)),
                        ("last_seen", .string(count.last.description)),
                    ]), timestamp: clock()))
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
            SelfAuditEvent(
                eventType: "auditledger.tokens.changed", action: "changed", actorType: "service", actorID: "auditledger",
                resourceType: "token_file", resourceID: "auth-tokens",
                data: Self.object([("added", list(added)), ("revoked", list(revoked)), ("removed", list(removed))]), timestamp: clock()))
    }

    private func record(
        type: String, action: String, principal: Principal, address: String?, resourceType: String, resourceID: String,
        data: [(String, JSONValue)]
    ) async {
        await record(
            SelfAuditEvent(
                eventType: type, action: action, actorType: principal.kind == .human ? "user" : "service", actorID: principal.name,
                actorIP: address, resourceType: resourceType, resourceID: resourceID, data: Self.object(data), timestamp: clock()))
    }

    /// Stores `event` through the writer (spooled when the store cannot take it) when the
    /// trail is enabled. One the store cannot take yet is kept and sent again (see the type's
    /// documentation); any other failure is logged.
    public func record(_ event: SelfAuditEvent) async {
        guard configuration.enabled else { return }
        let stored: AuditEvent
        do {
            stored = try event.auditEvent(policy: validation)
        } catch {
            logger.error(
                "the server's own audit event could not be recorded", metadata: ["audit.event.type": "\(event.eventType)", "error": "\(error)"])
            return
        }
        if !unrecorded.withLock(\.isEmpty) {
            // Keep the order: what waits goes first, and while it must wait, so does this one.
            await retryUnrecorded()
            guard unrecorded.withLock(\.isEmpty) else { return keep([stored], after: true) }
        }
        if await submit(stored) == .later { keep([stored], after: true) }
    }

    private enum Submission { case done, later }

    private func submit(_ event: AuditEvent) async -> Submission {
        do {
            _ = try await writer.submit(EventBatch(events: [event]), logger: logger)
            return .done
        } catch {
            switch error.code {
            case .unavailable, .overloaded, .shuttingDown: return .later
            default:
                logger.error(
                    "the server's own audit event could not be recorded", metadata: ["audit.event.type": "\(event.eventType)", "error": "\(error)"])
                return .done
            }
        }
    }

    /// Sends the kept events again, oldest first, until one must wait again.
    private func retryUnrecorded() async {
        let waiting = unrecorded.withLock { events in
            defer { events.removeAll() }
            return events
        }
        for (index, event) in waiting.enumerated() {
            guard await submit(event) == .done else {
                keep(Array(waiting[index...]))
                return
            }
        }
    }

    /// Keeps `events` — ahead of any kept meanwhile (a retry's remainder), or `after` them (a
    /// new event) — within ``Configuration/maximumUnrecorded``; past it the newest are dropped.
    private func keep(_ events: [AuditEvent], after: Bool = false) {
        let dropped = unrecorded.withLock { kept -> Int in
            kept = after ? kept + events : events + kept
            let excess = max(0, kept.count - configuration.maximumUnrecorded)
            kept.removeLast(excess)
            return excess
        }
        if dropped > 0 {
            logger.error(
                "the server's own audit events could not be recorded: more are waiting for the store than are kept",
                metadata: ["audit.events.dropped": "\(dropped)", "audit.events.kept": "\(configuration.maximumUnrecorded)"])
        }
    }

    private static func object(_ members: [(String, JSONValue)]) -> JSONObject {
        JSONObject(members.map { .init(key: $0.0, value: $0.1) })
    }
}
