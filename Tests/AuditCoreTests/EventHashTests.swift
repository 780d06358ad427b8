import AuditCore
import Foundation
import Testing

/// The event hash (docs/integrity.md): a fixed vector that scripts/verify_events.py computes
/// the same from the API's JSON, and every stored field covered.
@Suite struct EventHashTests {
    static let vector = AuditEvent(
        id: UUID(uuidString: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b")!, version: "1.0",
        timestamp: AuditTimestamp(rfc3339: "2026-11-30T10:00:00.1234Z")!, eventType: "workflow.execution.completed",
        category: "workflowexecution", action: "completed", outcome: .failure, actorType: "service", actorID: "workflowexecution-service",
        actorIP: "2001:db8::1", resourceType: "WorkflowExecution", resourceID: "we-42", correlationID: "rr-2025-001",
        parentEventID: UUID(uuidString: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d")!, parentEventDate: EventDate("2026-11-29"), namespace: "prod",
        severity: "warning", durationMS: 90, errorCode: "E_TIMEOUT", errorMessage: "step 3\ttimed out", retentionDays: 2555,
        isSensitive: false, eventData: EventData(storedJSON: #"{"z":1.50,"a":[6.02214076e23,-0,"é\n🚀"],"B":{"q":null,"p":true}}"#),
        writtenBy: "system:serviceaccount:kubernaut:we")

    @Test("The test vector of docs/integrity.md: its canonical encoding and SHA-256")
    func vector() throws {
        let encoding = String(decoding: try Self.vector.canonicalEncoding(), as: UTF8.self)
        #expect(
            encoding
                == #"{"actor_id":"workflowexecution-service","actor_ip":"2001:db8::1","actor_type":"service","cluster_id":null,"correlation_id":"rr-2025-001","duration_ms":9e1,"encoding":"auditledger.event.v1","error_code":"E_TIMEOUT","error_message":"step 3\ttimed out","event_action":"completed","event_category":"workflowexecution","event_data":{"B":{"p":true,"q":null},"a":[602214076e15,0,"é\n🚀"],"z":15e-1},"event_id":"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b","event_outcome":"failure","event_timestamp":"2026-11-30T10:00:00.1234Z","event_type":"workflow.execution.completed","event_version":"1.0","is_sensitive":false,"namespace":"prod","parent_event_date":"2026-11-29","parent_event_id":"0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d","resource_id":"we-42","resource_type":"WorkflowExecution","retention_days":2555,"severity":"warning","written_by":"system:serviceaccount:kubernaut:we"}"#
        )
        // Computed independently: scripts/verify_events.py's encoding of the same event as the API returns it, through hashlib.
        #expect(try Self.vector.eventHash() == "e00a4572a49eb310272d188f8af456df4930082f59002d2b44bf85c34ae997ae")
        #expect(AuditEvent.hashAlgorithm == "sha256:auditledger.event.v1")
    }

    @Test("Every stored field that never changes is covered: changing any one changes the hash; member order and notation do not")
    func coverage() throws {
        let base = try Self.vector.eventHash()
        let changes: [(String, (inout AuditEvent) -> Void)] = [
            ("event_id", { $0.id = UUID() }), ("event_version", { $0.version = "1.1" }),
            ("event_timestamp", { $0.timestamp = AuditTimestamp(microsecondsSinceEpoch: $0.timestamp.microsecondsSinceEpoch + 1) }),
            ("event_type", { $0.eventType = "x" }),
            ("event_category", { $0.category = "x" }), ("event_action", { $0.action = "x" }), ("event_outcome", { $0.outcome = .success }),
            ("actor_type", { $0.actorType = "user" }), ("actor_id", { $0.actorID = "x" }), ("actor_ip", { $0.actorIP = nil }),
            ("resource_type", { $0.resourceType = "x" }), ("resource_id", { $0.resourceID = "x" }), ("correlation_id", { $0.correlationID = "x" }),
            ("parent_event_id", { $0.parentEventID = UUID() }), ("parent_event_date", { $0.parentEventDate = EventDate("2026-11-28") }),
            ("namespace", { $0.namespace = nil }), ("cluster_id", { $0.clusterID = "eu-1" }), ("severity", { $0.severity = "info" }),
            ("duration_ms", { $0.durationMS = 91 }), ("error_code", { $0.errorCode = nil }), ("error_message", { $0.errorMessage = "step 3" }),
            ("retention_days", { $0.retentionDays = 30 }), ("is_sensitive", { $0.isSensitive = true }),
            ("event_data", { $0.eventData = EventData(storedJSON: #"{"z":1.5}"#) }), ("written_by", { $0.writtenBy = "someone" }),
            ("written_by absent", { $0.writtenBy = nil }),
        ]
        var seen: Set<String> = [base]
        for (field, change) in changes {
            var event = Self.vector
            change(&event)
            let hash = try event.eventHash()
            #expect(hash != base, "\(field) must be covered")
            #expect(seen.insert(hash).inserted, "\(field) gives a hash of its own")
        }
        var renotated = Self.vector
        renotated.eventData = EventData(
            storedJSON: #"{"B": {"p": true, "q": null}, "a": [602214076000000000000000, 0.0, "\u00e9\n\ud83d\ude80"], "z": 15e-1}"#)
        #expect(try renotated.eventHash() == base, "PostgreSQL's jsonb text of the same value hashes the same")
    }

    @Test("The encoding is canonical JSON, and the same whether event_data came from a request's object or a store's text")
    func canonicalAndCached() throws {
        let encoding = try Self.vector.canonicalEncoding()
        #expect(try JSONParser.parse(encoding).canonicalBytes == encoding, "members in canonical order, as the generic writer puts them")
        var fromObject = Self.vector
        fromObject.eventData = EventData(try Self.vector.eventData.object())
        #expect(try fromObject.canonicalEncoding() == encoding)
        #expect(EventData(storedJSON: fromObject.eventData.json) == fromObject.eventData, "equality is by the text alone")
    }

    @Test("A row restored with a hash that is not its content's is refused, naming the event; one without a hash is hashed")
    func rehash() throws {
        let stored = try StoredAuditEvent.hashing(Self.vector, insertSequence: 7)
        #expect(try stored.rehashedForInsert() == stored)
        var altered = stored
        altered.event.errorMessage = "all fine"
        #expect(altered.hashProblem?.contains("hashes to") == true)
        do {
            _ = try altered.rehashedForInsert()
            Issue.record("an altered row must be refused")
        } catch {
            #expect(error.code == .conflict && error.detail.contains("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"))
        }
        var unhashed = stored
        unhashed.eventHash = nil
        unhashed.hashAlgorithm = nil
        #expect(unhashed.hashProblem == "has no event_hash")
        #expect(try unhashed.rehashedForInsert() == stored)
    }
}
