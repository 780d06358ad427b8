import AuditCore
import AuditIngest
import AuditMaintenance
import AuditServer
import AuditTesting
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import Testing

/// `GET /api/v1/audit/export`: Kubernaut's signed JSON, and NDJSON, CSV and bundles of any size.
@Suite struct ExportAPITests {
    static func configuration(key: NoteSignerKey) -> AuditServerConfiguration {
        CheckpointAPITests.configuration(key: key)
    }

    @Test(
        "Kubernaut's export: every event with its hashes, a signed statement of them, offset and limit, redact_pii, and the answer's errors",
        arguments: StoreKind.available)
    func kubernautExport(_ kind: StoreKind) async throws {
        let key = NoteSignerKey.generate(name: "api.example/log")
        try await withApp(kind, configuration: Self.configuration(key: key)) { client, harness in
            let base = AuditTimestamp.now().adding(seconds: -600)
            var batch: [JSONValue] = []
            for index in 0..<30 {
                var data = JSONObject([.init(key: "step", value: .number(String(index)))])
                if index == 3 {
                    data["user_email"] = .string("alice@example.com")
                    data["source_ip"] = .string("192.168.1.1")
                    data["phone_number"] = .string("+1-555-1234")
                }
                batch.append(.object(EventFactory.request(correlationID: "rr-export-api", at: base.adding(seconds: Int64(index)), data: data)))
            }
            batch.append(.object(EventFactory.request(correlationID: "rr-elsewhere", at: base)))
            #expect(try await client.post("/api/v1/audit/events/batch", json: .array(batch)).status == .created)

            let answer = try await client.get("/api/v1/audit/export?correlation_id=rr-export-api")
            #expect(answer.status == .ok)
            let export = try answer.object
            let metadata = try #require(export.object("export_metadata"))
            #expect(metadata["total_events"] == .number("30") && metadata.string("export_format") == "json")
            #expect(metadata.string("signature_algorithm") == "Ed25519" && metadata.string("signing_key") == key.verifier.description)
            let events = export.array("events").compactMap { if case .object(let event) = $0 { event } else { nil } }
            #expect(events.count == 30)
            #expect(
                events.allSatisfy {
                    $0["hash_chain_valid"] == .bool(true) && $0.string("event_hash")?.count == 64 && $0["legal_hold"] == .bool(false)
                })
            #expect(events.map { $0.object("event_data")?["step"] } == (0..<30).map { JSONValue.number(String($0)) }, "oldest first")
            let verification = try #require(export.object("hash_chain_verification"))
            #expect(verification["broken_chain_events"] == .number("0") && verification["valid_chain_events"] == .number("30"))

            // The signature: a signed note over the statement, whose event_hashes line is the events' hashes.
            let note = try SignedNote(parsing: try #require(metadata.string("signed_statement")))
            #expect(try note.verifiedKey(among: [key.verifier]) == key.verifier)
            #expect(Data(note.signatures[0].signature).base64EncodedString() == metadata.string("signature"))
            var hasher = SHA256()
            for event in events { hasher.update(data: Hex.bytes(event.string("event_hash") ?? "") ?? []) }
            #expect(note.text.contains("events 30\nevent_hashes sha256:\(Hex.lowercase(hasher.finalize()))\n"), "\(note.text)")
            #expect(export["detached_signature"] == nil)

            let page = try await client.get("/api/v1/audit/export?correlation_id=rr-export-api&offset=5&limit=10&include_detached_signature=true")
                .object
            let paged = page.array("events").compactMap { if case .object(let event) = $0 { event.string("event_id") } else { nil } }
            #expect(paged == events[5..<15].map { $0.string("event_id") })
            #expect(page.string("detached_signature")?.contains("auditledger-export/1") == true)
            #expect(page.object("export_metadata")?.object("query_filters")?["limit"] == .number("10"))

            let redacted = try await client.get("/api/v1/audit/export?correlation_id=rr-export-api&redact_pii=true&limit=5").object
            let shown = try #require(
                redacted.array("events").compactMap { if case .object(let event) = $0 { event } else { nil } }.dropFirst(3).first)
            #expect(shown.object("event_data")?.string("user_email") == "a***@e***.com")
            #expect(shown.object("event_data")?.string("source_ip") == "192.***.*.***")
            #expect(shown.object("event_data")?.string("phone_number") == "+1-***-****")
            #expect(shown.string("event_hash") == events[3].string("event_hash"), "the hash still names the stored event")

            // An event changed behind the server is flagged, not hidden.
            let changed = try #require(UUID(uuidString: events[7].string("event_id") ?? ""))
            try await harness.tamper(.update(eventID: changed, column: "actor_id", expression: "'mallory'"))
            let flagged = try await client.get("/api/v1/audit/export?correlation_id=rr-export-api").object
            #expect(flagged.object("hash_chain_verification")?["broken_chain_events"] == .number("1"))
            #expect(flagged.object("hash_chain_verification")?["tampered_event_ids"] == .array([.string(changed.uuidString.lowercased())]))

            try expectProblem(try await client.get("/api/v1/audit/export?limit=10001"), status: .contentTooLarge, type: "payload-too-large")
            try expectProblem(try await client.get("/api/v1/audit/export?limit=0"), status: .badRequest, type: "validation-error", fields: ["limit"])
            try expectProblem(
                try await client.get("/api/v1/audit/export?format=xml"), status: .badRequest, type: "validation-error", fields: ["format"])
            try expectProblem(
                try await client.get("/api/v1/audit/export?start_time=yesterday"), status: .badRequest, type: "validation-error",
                fields: ["start_time"])
            try expectProblem(
                try await client.get("/api/v1/audit/export?redact_pii=maybe"), status: .badRequest, type: "validation-error", fields: ["redact_pii"])
            try expectProblem(
                try await client.get("/api/v1/audit/export?colour=red"), status: .badRequest, type: "validation-error", fields: ["colour"])
            try expectProblem(
                try await client.get("/api/v1/audit/export?format=ndjson&limit=5"), status: .badRequest, type: "validation-error", fields: ["limit"])
        }
    }

    @Test("NDJSON, CSV and bundle exports stream every matching event across pages; the bundle verifies offline", arguments: StoreKind.available)
    func streams(_ kind: StoreKind) async throws {
        let key = NoteSignerKey.generate(name: "api.example/log")
        try await withApp(kind, configuration: Self.configuration(key: key)) { client, _ in
            var ids: [String] = []
            for _ in 0..<3 { ids += try await CheckpointAPITests.write(client, 400, correlation: "rr-stream") }
            _ = try await CheckpointAPITests.write(client, 20, correlation: "rr-not-exported")

            let ndjson = try await client.get("/api/v1/audit/export?format=ndjson&correlation_id=rr-stream")
            #expect(ndjson.status == .ok && ndjson.headers[.contentType] == "application/x-ndjson")
            let lines = String(buffer: ndjson.body).split(separator: "\n")
            let exported = try lines.map { line -> String in
                guard case .object(let event) = try JSONParser.parse(String(line)), let id = event.string("event_id") else { return "" }
                #expect(event.string("event_hash")?.count == 64)
                return id
            }
            #expect(Set(exported) == Set(ids) && exported.count == ids.count, "every event once")

            let csv = try await client.get("/api/v1/audit/export?format=csv&correlation_id=rr-stream")
            #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8")
            let rows = String(buffer: csv.body).split(separator: "\r\n")
            #expect(rows.first.map(String.init) == EventCSV.columns.joined(separator: ","))
            #expect(rows.count == ids.count + 1)

            let bundle = try await client.get("/api/v1/audit/export?format=bundle&correlation_id=rr-stream")
            #expect(bundle.status == .ok)
            let path = NSTemporaryDirectory() + "auditledger-api-bundle-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Data(buffer: bundle.body).write(to: URL(fileURLWithPath: path))
            let report = try BundleFile.verify(path, trustedKeys: [key.verifier])
            #expect(report.isValid && report.events == ids.count, "\(report.problems)")
            #expect(report.scope?.object("filters")?.string("correlation_id") == "rr-stream")

            let range = try await client.get("/api/v1/audit/export?format=bundle&from_position=10&to_position=1210")
            #expect(range.status == .ok)
            try Data(buffer: range.body).write(to: URL(fileURLWithPath: path + ".range"))
            defer { try? FileManager.default.removeItem(atPath: path + ".range") }
            let complete = try BundleFile.verify(path + ".range", trustedKeys: [key.verifier])
            #expect(complete.isValid && complete.events == 1200 && complete.scope?["kind"] == .string("range"), "\(complete.problems)")
            try expectProblem(
                try await client.get("/api/v1/audit/export?format=bundle&from_position=0&to_position=99999"), status: .badRequest,
                type: "validation-error", fields: ["to_position"])
            try expectProblem(
                try await client.get("/api/v1/audit/export?format=ndjson&from_position=0&to_position=5"), status: .badRequest,
                type: "validation-error", fields: ["from_position"])
        }
    }

    @Test("Exports need events:export and events:read; they follow read limits and sensitivity; a bundle needs the sensitive scope")
    func access() async throws {
        let fixture = try AccessFixture()
        defer { fixture.remove() }
        var configuration = try fixture.configuration()
        configuration.checkpoints = Self.configuration(key: NoteSignerKey.generate(name: "api.example/log")).checkpoints
        try await withApp(.sqlite, configuration: configuration) { client, _ in
            let now = AuditTimestamp.now()
            let body = JSONValue.object(EventFactory.request(correlationID: "rr-export-access", at: now, fields: ["is_sensitive": .bool(true)]))
            #expect(try await client.post("/api/v1/audit/events", json: body, headers: fixture.headers(.writer)).status == .created)
            for role in [AccessFixture.Role.reader, .sensitiveReader, .writer, .admin] {
                try expectProblem(try await client.get("/api/v1/audit/export", headers: fixture.headers(role)), status: .forbidden, type: "forbidden")
            }
            let plain = try await client.get("/api/v1/audit/export?format=ndjson", headers: fixture.headers(.exporter))
            #expect(String(buffer: plain.body).contains("\"sensitive_withheld\":true"))
            let json = try await client.get("/api/v1/audit/export", headers: fixture.headers(.exporter)).object
            #expect(json.object("export_metadata")?.string("exported_by") == "exporter@example.com")
            let masked = try await client.get("/api/v1/audit/export?redact_pii=true", headers: fixture.headers(.exporter)).object
            #expect(masked.object("export_metadata")?.string("exported_by") == "e***@e***.com")
            try expectProblem(
                try await client.get("/api/v1/audit/export?format=bundle", headers: fixture.headers(.exporter)), status: .forbidden, type: "forbidden"
            )
            let full = try await client.get("/api/v1/audit/export?format=bundle", headers: fixture.headers(.auditor))
            #expect(full.status == .ok && String(buffer: full.body).contains("\"bundle\":{"))
        }
    }
}
