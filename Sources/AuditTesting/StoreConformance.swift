public import AuditCore
public import Testing

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One behaviour every audit store must have, written once and run against each store
/// (the pattern of fluent-kit's `FluentBenchmarker`).
public struct ConformanceCheck: Sendable, CustomTestStringConvertible {
    /// What the store must do, as a sentence.
    public let name: String
    let body: @Sendable (any StoreHarness) async throws -> Void

    init(_ name: String, _ body: @escaping @Sendable (any StoreHarness) async throws -> Void) {
        self.name = name
        self.body = body
    }

    public var testDescription: String { name }

    /// Runs the check against a prepared store.
    public func run(on harness: any StoreHarness) async throws {
        try await body(harness)
    }
}

/// The conformance suite: every store behaviour test, written once.
///
/// Each store's test target runs ``checks`` as a parameterized test against its own harness.
/// A behaviour only one store can offer is listed in ``unsupported`` with its reason and
/// skipped for the other store, never silently.
public enum StoreConformance {
    /// Every check, in a stable order.
    public static var checks: [ConformanceCheck] {
        writeChecks + integrityChecks + queryChecks + containmentChecks + lifecycleChecks + quarantineChecks + logChecks + checkpointChecks
            + tamperChecks + bundleChecks + statsChecks
    }

    /// Checks a store kind does not support, with the reason: `[kind: [check name: reason]]`.
    public static let unsupported: [String: [String: String]] = [
        "sqlite": [
            heldMonthRefusedByTheDatabase: """
            SQLite has no triggers on DROP TABLE and no foreign keys across tables, so a process with write access to the \
            file can drop any month; the store itself refuses to remove a held month (checked by "refuses to remove a month \
            that is held or whose rows changed")
            """
        ]
    ]

    /// The name of the check that a held month cannot be removed even outside the store.
    static let heldMonthRefusedByTheDatabase = "the database itself refuses to detach or drop a month holding a held event"
}

extension StoreHarness {
    /// Stores `events` as one batch and returns its result.
    public func write(_ events: [AuditEvent]) async throws -> Result<WriteReceipt, AuditError> {
        let results = try await store.write([EventBatch(events: events)])
        #expect(results.count == 1)
        return results[0]
    }

    /// Stores `events` as one batch and requires success.
    @discardableResult
    public func writeSucceeding(_ events: [AuditEvent], sourceLocation: SourceLocation = #_sourceLocation) async throws -> WriteReceipt {
        switch try await write(events) {
        case .success(let receipt):
            return receipt
        case .failure(let error):
            Issue.record("expected the batch to be stored, got \(error)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// Every event matching `query`, following cursors to the end.
    func allEvents(_ query: EventQuery) async throws -> [StoredAuditEvent] {
        var query = query
        var events: [StoredAuditEvent] = []
        while true {
            let page = try await store.events(matching: query)
            events += page.events
            guard let cursor = page.nextCursor(for: query) else { return events }
            query.cursor = cursor
            query.offset = 0
        }
    }
}

/// Compares JSON values ignoring object member order (PostgreSQL reorders members).
func sameJSON(_ lhs: EventData, _ rhs: EventData) -> Bool {
    guard let left = try? lhs.canonicalBytes(), let right = try? rhs.canonicalBytes() else { return false }
    return left == right
}
