import AuditCore
import AuditSQLite
import AuditTesting
import Foundation
import GRDB
import Logging
import Testing

/// The embedded store's `event_data` indexes (``SQLiteStoreConfiguration/indexedEventDataPaths``):
/// a containment filter naming a string at an indexed path reads through the month's index and
/// answers exactly as a full read does.
@Suite struct SQLiteEventDataIndexTests {
    static func object(_ text: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(text) else { throw JSONSyntaxError(offset: 0, reason: "not an object") }
        return object
    }

    /// Events whose `event_data` holds the indexed paths in every shape a filter must tell apart.
    static let payloads = [
        #"{"fingerprint":"fp-1","severity":"high"}"#,
        #"{"fingerprint":"fp-2","severity":"high"}"#,
        #"{"fingerprint":["fp-1"]}"#,
        #"{"fingerprint":{"value":"fp-1"}}"#,
        #"{"fingerprint":"fp-\"quoted\" é\n"}"#,
        #"{"fingerprint":1}"#,
        #"{"selected_workflow":{"workflow_id":"wf-a","confidence":0.9}}"#,
        #"{"selected_workflow":[{"workflow_id":"wf-a"}]}"#,
        #"{"selected_workflow":{"workflow_id":"wf-b"}}"#,
        #"{"other":"fp-1"}"#,
    ]

    static func write(_ store: SQLiteStore) async throws -> [AuditEvent] {
        let now = AuditTimestamp.now()
        let events = try payloads.enumerated().map { index, payload in
            try EventFactory.event(correlationID: "rr-index-\(index)", at: now.adding(seconds: Int64(-index)), data: try object(payload))
        }
        _ = try await store.write([EventBatch(events: events)])
        return events
    }

    static func matching(_ filter: String, in store: SQLiteStore) async throws -> (ids: Set<UUID>, plan: String) {
        var query = EventQuery(limit: 100)
        query.filters.eventDataContains = try object(filter)
        let page = try await store.events(matching: query)
        return (Set(page.events.map(\.event.id)), try await store.queryPlan(for: query).joined(separator: "\n"))
    }

    @Test("A filter naming a string at an indexed path reads through the index and answers exactly; other filters read every row")
    func indexedContainment() async throws {
        try await SQLiteHarness.run { harness in
            let events = try await Self.write(harness.sqlite)
            let month = events[0].date.month.partitionName
            let cases: [(filter: String, expected: [Int], index: String?)] = [
                (#"{"fingerprint":"fp-1"}"#, [0], "fingerprint"),
                (#"{"fingerprint":"fp-1","severity":"high"}"#, [0], "fingerprint"),
                (#"{"fingerprint":"fp-1","severity":"low"}"#, [], "fingerprint"),
                (#"{"fingerprint":"fp-\"quoted\" é\n"}"#, [4], "fingerprint"),
                (#"{"selected_workflow":{"workflow_id":"wf-a"}}"#, [6], "selected_workflow.workflow_id"),
                (#"{"selected_workflow":{"workflow_id":"wf-b"}}"#, [8], "selected_workflow.workflow_id"),
                // Not a string at an indexed path: answered by reading every row.
                (#"{"fingerprint":["fp-1"]}"#, [2], nil),
                (#"{"fingerprint":{"value":"fp-1"}}"#, [3], nil),
                (#"{"fingerprint":1}"#, [5], nil),
                (#"{"selected_workflow":[{"workflow_id":"wf-a"}]}"#, [7], nil),
                (#"{"other":"fp-1"}"#, [9], nil),
            ]
            for (filter, expected, index) in cases {
                let (ids, plan) = try await Self.matching(filter, in: harness.sqlite)
                #expect(ids == Set(expected.map { events[$0].id }), "\(filter)")
                if let index {
                    #expect(plan.contains("\(month)_data_\(index)_idx"), "\(filter): \(plan)")
                } else {
                    #expect(!plan.contains("_data_"), "\(filter): \(plan)")
                }
            }
        }
    }

    @Test("A month without the indexes (an older file, a path added later) gets them at the next start; with none configured, none are made")
    func indexesBuiltAtStart() async throws {
        let directory = NSTemporaryDirectory() + "auditledger-index-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = SQLiteStoreConfiguration.file(inDirectory: directory)
        let events: [AuditEvent]
        let month: String
        do {
            let store = try SQLiteStore(
                configuration: SQLiteStoreConfiguration(path: path, indexedEventDataPaths: []), logger: Logger(label: "test.sqlite"))
            try await store.prepare()
            events = try await Self.write(store)
            month = events[0].date.month.partitionName
            let (ids, plan) = try await Self.matching(#"{"fingerprint":"fp-1"}"#, in: store)
            #expect(ids == [events[0].id])
            #expect(!plan.contains("_data_"), "\(plan)")
        }
        let indexNames = { () async throws -> [String] in
            try await DatabaseQueue(path: path).read { db in
                try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE ? ORDER BY name", arguments: ["\(month)_data_%"])
            }
        }
        #expect(try await indexNames().isEmpty)
        let reopened = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: path), logger: Logger(label: "test.sqlite"))
        try await reopened.prepare()
        #expect(try await indexNames() == ["\(month)_data_fingerprint_idx", "\(month)_data_selected_workflow.workflow_id_idx"])
        let (ids, plan) = try await Self.matching(#"{"fingerprint":"fp-1"}"#, in: reopened)
        #expect(ids == [events[0].id])
        #expect(plan.contains("\(month)_data_fingerprint_idx"), "\(plan)")
        // Every month the store keeps has them, the ones ahead included.
        let months = try await reopened.months()
        let all = try await DatabaseQueue(path: path).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE '%\\_data\\_%' ESCAPE '\\'") ?? 0
        }
        #expect(all == months.count * 2)
    }

    @Test("Only paths of member names are indexed")
    func memberPathsOnly() throws {
        let paths = ["fingerprint", "results.0.workflow_id", "signal.labels.team"].compactMap(EventDataPath.init)
        #expect(paths.count == 3)
        let configuration = SQLiteStoreConfiguration(path: "/tmp/unused.sqlite", indexedEventDataPaths: paths)
        #expect(configuration.indexedEventDataPaths.map(\.description) == ["fingerprint", "signal.labels.team"])
    }
}
