import AuditCore
import AuditIngest
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The signed log through the API, on both stores: checkpoints, keys, inclusion and
/// consistency proofs — each checked here with the core's RFC 9162 verification and the
/// signing key's public half, as a client would.
@Suite struct CheckpointAPITests {
    static func configuration(key: NoteSignerKey, witnessFile: String? = nil) -> AuditServerConfiguration {
        var configuration = AuditServerConfiguration(validation: EventFactory.importPolicy)
        configuration.checkpoints = CheckpointSettings(
            key: key, checkpointer: Checkpointer.Configuration(interval: .seconds(3600)),
            witnesses: witnessFile.map { [CheckpointFileWitness(path: $0)] } ?? [])
        return configuration
    }

    static func write(_ client: any TestClientProtocol, _ count: Int, correlation: String, fields: [String: JSONValue] = [:]) async throws -> [String]
    {
        let now = AuditTimestamp.now()
        let batch = JSONValue.array((0..<count).map { _ in .object(EventFactory.request(correlationID: correlation, at: now, fields: fields)) })
        let answer = try await client.post("/api/v1/audit/events/batch", json: batch)
        #expect(answer.status == .created)
        return try answer.object.array("event_ids").compactMap { if case .string(let id) = $0 { id } else { nil } }
    }

    /// The checkpoint an answer carries, its note verified with `key`.
    static func checkpoint(_ object: JSONObject, key: NoteVerifierKey) throws -> Checkpoint {
        let note = try SignedNote(parsing: try #require(object.string("checkpoint")))
        #expect(try note.verifiedKey(among: [key]) == key)
        let checkpoint = try #require(Checkpoint(text: note.text))
        #expect(object["tree_size"] == .number(String(checkpoint.treeSize)) && object.string("root_hash") == Hex.lowercase(checkpoint.rootHash))
        return checkpoint
    }

    static func hashes(_ values: [JSONValue]) -> [MerkleTree.Hash] {
        values.compactMap { if case .string(let hex) = $0 { Hex.bytes(hex) } else { nil } }
    }

    @Test(
        "Checkpoints sign the log; every event proves against them; one proves a prefix of the next; keys and history", arguments: StoreKind.available
    )
    func signedLog(_ kind: StoreKind) async throws {
        let key = NoteSignerKey.generate(name: "api.example/log")
        let witness = FileManager.default.temporaryDirectory.appendingPathComponent("witness-\(UUID()).txt").path
        defer { try? FileManager.default.removeItem(atPath: witness) }
        try await withApp(kind, configuration: Self.configuration(key: key, witnessFile: witness)) { client, _ in
            let ids = try await Self.write(client, 20, correlation: "rr-cp-api")
            let signed = try await client.post("/api/v1/audit/checkpoint", body: [])
            #expect(signed.status == .ok)
            let first = try Self.checkpoint(try signed.object, key: key.verifier)
            #expect(first.treeSize == 20 && first.origin == "api.example/log")
            #expect(try Self.checkpoint(try await client.get("/api/v1/audit/checkpoint").object, key: key.verifier) == first)

            for id in ids {
                let proof = try await client.get("/api/v1/audit/events/\(id)/proof").object
                let encoding = Array(try #require(proof.string("canonical_encoding")).utf8)
                let leaf = try #require(proof.string("leaf_hash").flatMap(Hex.bytes))
                #expect(EventDigest.leafHash(ofEncoding: encoding) == Hex.lowercase(leaf))
                #expect(try await client.get("/api/v1/audit/events/\(id)").object.string("event_hash") == proof.string("event_hash"))
                guard case .number(let position)? = proof["leaf_index"], let index = Int(position) else {
                    Issue.record("no leaf_index")
                    continue
                }
                #expect(proof["tree_size"] == .number("20"))
                #expect(
                    MerkleTree.verifyInclusion(
                        leaf: leaf, index: index, size: 20, proof: Self.hashes(proof.array("audit_path")), root: first.rootHash), "\(id)")
                _ = try Self.checkpoint(proof, key: key.verifier)
            }

            _ = try await Self.write(client, 5, correlation: "rr-cp-api-2")
            let second = try Self.checkpoint(try await client.post("/api/v1/audit/checkpoint", body: []).object, key: key.verifier)
            #expect(second.treeSize == 25)
            let consistency = try await client.get("/api/v1/audit/log/consistency?first=20&second=25").object
            #expect(
                MerkleTree.verifyConsistency(
                    firstSize: 20, secondSize: 25, firstRoot: first.rootHash, secondRoot: second.rootHash,
                    proof: Self.hashes(consistency.array("proof"))))
            // An old tree size still proves an event, against the old checkpoint.
            let old = try await client.get("/api/v1/audit/events/\(ids[3])/proof?tree_size=20").object
            #expect(try Self.checkpoint(old, key: key.verifier) == first)

            let history = try await client.get("/api/v1/audit/checkpoints?limit=2").object
            let sizes = history.array("checkpoints").compactMap { $0.object?["tree_size"] }
            #expect(sizes == [.number("25"), .number("20")])
            #expect(history["next_before_tree_size"] == .number("20"))
            #expect(try await client.get("/api/v1/audit/checkpoint?tree_size=20").object.string("root_hash") == Hex.lowercase(first.rootHash))

            let keys = try await client.get("/api/v1/audit/keys").object.array("keys").compactMap(\.object)
            #expect(keys.count == 1)
            #expect(keys.first?.string("verifier_key") == key.verifier.description && keys.first?["current"] == .bool(true))
            #expect(keys.first?["trusted"] == .bool(true) && keys.first?.string("key_id") == NoteVerifierKey.hexID(key.verifier.id))

            // The witness file holds each new checkpoint, signed.
            let notes = CheckpointFileWitness.notes(in: try String(contentsOfFile: witness, encoding: .utf8))
            let witnessed = try notes.map { try #require(Checkpoint(text: try SignedNote(parsing: $0).text)).treeSize }
            #expect(witnessed.contains(20) && witnessed.contains(25))
            for note in notes { #expect(try SignedNote(parsing: note).verifiedKey(among: [key.verifier]) == key.verifier) }
        }
    }

    @Test("Bad parameters are named; unknown events and sizes are 404; no key is 503", arguments: StoreKind.available)
    func unhappyPaths(_ kind: StoreKind) async throws {
        let key = NoteSignerKey.generate(name: "api.example/log")
        try await withApp(kind, configuration: Self.configuration(key: key)) { client, _ in
            let ids = try await Self.write(client, 3, correlation: "rr-cp-bad")
            #expect(try await client.post("/api/v1/audit/checkpoint", body: []).status == .ok)
            for (path, field) in [
                ("/api/v1/audit/events/\(ids[0])/proof?tree_size=0", "tree_size"), ("/api/v1/audit/events/\(ids[0])/proof?tree_size=4", "tree_size"),
                ("/api/v1/audit/events/\(ids[0])/proof?tree_size=x", "tree_size"),
                ("/api/v1/audit/events/\(ids[0])/proof?tree_size=1&tree_size=2", "tree_size"),
                ("/api/v1/audit/events/not-a-uuid/proof", "event_id"), ("/api/v1/audit/log/consistency", "first"),
                ("/api/v1/audit/log/consistency?first=3&second=2", "first"), ("/api/v1/audit/log/consistency?first=1&second=9", "second"),
                ("/api/v1/audit/checkpoints?limit=0", "limit"), ("/api/v1/audit/checkpoints?limit=1001", "limit"),
                ("/api/v1/audit/checkpoint?tree_size=-1", "tree_size"),
            ] {
                let answer = try await client.get(path)
                try expectProblem(answer, status: .badRequest, type: "validation-error", fields: [field])
            }
            // The second event is at index 1 at least: a tree of 1 leaf cannot hold it.
            let late = try await client.get("/api/v1/audit/events/\(ids[2])/proof?tree_size=1")
            try expectProblem(late, status: .badRequest, type: "validation-error", fields: ["tree_size"])
            try expectProblem(try await client.get("/api/v1/audit/events/\(UUID())/proof"), status: .notFound, type: "not-found")
            try expectProblem(try await client.get("/api/v1/audit/checkpoint?tree_size=2"), status: .notFound, type: "not-found")
        }
        try await withApp(kind) { client, _ in
            try expectProblem(try await client.post("/api/v1/audit/checkpoint", body: []), status: .serviceUnavailable, type: "service-unavailable")
            try expectProblem(try await client.get("/api/v1/audit/checkpoint"), status: .notFound, type: "not-found")
        }
    }

    @Test("Scopes: reading needs events:read (log-wide answers without read limits); signing needs events:write; sensitive encodings are withheld")
    func access() async throws {
        let fixture = try AccessFixture()
        defer { fixture.remove() }
        var configuration = try fixture.configuration()
        configuration.checkpoints = Self.configuration(key: NoteSignerKey.generate(name: "api.example/log")).checkpoints
        try await withApp(.sqlite, configuration: configuration) { client, _ in
            let now = AuditTimestamp.now()
            let body = JSONValue.object(EventFactory.request(correlationID: "rr-cp-access", at: now, fields: ["is_sensitive": .bool(true)]))
            let written = try await client.post("/api/v1/audit/events", json: body, headers: fixture.headers(.writer))
            let id = try #require(try written.object.string("event_id"))
            try expectProblem(
                try await client.post("/api/v1/audit/checkpoint", body: [], headers: fixture.headers(.reader)), status: .forbidden, type: "forbidden")
            #expect(try await client.post("/api/v1/audit/checkpoint", body: [], headers: fixture.headers(.writer)).status == .ok)
            var readerJSON = fixture.headers(.reader)
            readerJSON[.contentType] = "application/json"
            try expectProblem(
                try await client.post("/api/v1/audit/verify", body: Array("{}".utf8), headers: readerJSON), status: .forbidden, type: "forbidden")
            try expectProblem(
                try await client.get("/api/v1/audit/checkpoint", headers: fixture.headers(.writer)), status: .forbidden, type: "forbidden")
            try expectProblem(
                try await client.get("/api/v1/audit/checkpoint", headers: fixture.headers(.workflowReader)), status: .forbidden, type: "forbidden")
            try expectProblem(
                try await client.get("/api/v1/audit/log/consistency?first=0", headers: fixture.headers(.workflowReader)), status: .forbidden,
                type: "forbidden")
            #expect(try await client.get("/api/v1/audit/checkpoint", headers: fixture.headers(.reader)).status == .ok)

            let withheld = try await client.get("/api/v1/audit/events/\(id)/proof", headers: fixture.headers(.reader)).object
            #expect(withheld["canonical_encoding_withheld"] == .bool(true) && withheld["canonical_encoding"] == nil)
            #expect(withheld.string("leaf_hash") != nil && withheld["tree_size"] == .number("1"))
            let shown = try await client.get("/api/v1/audit/events/\(id)/proof", headers: fixture.headers(.sensitiveReader)).object
            #expect(shown.string("canonical_encoding")?.contains("\"is_sensitive\":true") == true)
            try expectProblem(
                try await client.get("/api/v1/audit/events/\(id)/proof", headers: fixture.headers(.workflowReader)), status: .notFound,
                type: "not-found")
        }
    }
}

extension CheckpointAPITests {
    @Test(
        "After a key rotation the new key signs; the old checkpoints still verify with the retired key; /keys lists both",
        arguments: StoreKind.available)
    func rotation(_ kind: StoreKind) async throws {
        let old = NoteSignerKey.generate(name: "api.example/log")
        let new = NoteSignerKey.generate(name: "api.example/log")
        try await withHarness(kind) { harness in
            let logger = Logger(label: "test.rotation")
            let before = buildAuditApplication(store: harness.store, configuration: Self.configuration(key: old), logger: logger)
            try await before.test(.router) { client in
                _ = try await Self.write(client, 4, correlation: "rr-rotate")
                #expect(try Self.checkpoint(try await client.post("/api/v1/audit/checkpoint", body: []).object, key: old.verifier).treeSize == 4)
            }
            var configuration = Self.configuration(key: new)
            configuration.checkpoints.retiredKeys = [old.verifier]
            let after = buildAuditApplication(store: harness.store, configuration: configuration, logger: logger)
            try await after.test(.router) { client in
                _ = try await Self.write(client, 3, correlation: "rr-rotate")
                let signed = try await client.post("/api/v1/audit/checkpoint", body: []).object
                let second = try Self.checkpoint(signed, key: new.verifier)
                #expect(second.treeSize == 7)
                let first = try Self.checkpoint(try await client.get("/api/v1/audit/checkpoint?tree_size=4").object, key: old.verifier)
                let proof = try await client.get("/api/v1/audit/log/consistency?first=4&second=7").object
                #expect(
                    MerkleTree.verifyConsistency(
                        firstSize: 4, secondSize: 7, firstRoot: first.rootHash, secondRoot: second.rootHash, proof: Self.hashes(proof.array("proof")))
                )
                let keys = try await client.get("/api/v1/audit/keys").object.array("keys").compactMap(\.object)
                #expect(keys.compactMap { $0.string("verifier_key") } == [old.verifier.description, new.verifier.description])
                #expect(keys.map { $0["current"] } == [.bool(false), .bool(true)] && keys.map { $0["trusted"] } == [.bool(true), .bool(true)])
            }
            // Verification with both keys trusted passes; with the new one only, the old checkpoints are named.
            let both = try await harness.store.verifyLog(trustedKeys: [new.verifier, old.verifier])
            #expect(both.isValid && both.checkpointsChecked >= 2, "\(both.problems)")
            let newOnly = try await harness.store.verifyLog(trustedKeys: [new.verifier])
            #expect(newOnly.problems.contains { $0.subject == .checkpoint(treeSize: 4) && $0.message.contains("trusted") })
        }
    }
}

extension CheckpointAPITests {
    @Test(
        "POST /api/v1/audit/verify: all, one correlation, a range; a change behind the store is named; bad bodies name the field",
        arguments: StoreKind.available)
    func verifyRoute(_ kind: StoreKind) async throws {
        let key = NoteSignerKey.generate(name: "api.example/log")
        try await withApp(kind, configuration: Self.configuration(key: key)) { client, harness in
            let ids = try await Self.write(client, 6, correlation: "rr-verify-a")
            _ = try await Self.write(client, 4, correlation: "rr-verify-b")
            #expect(try await client.post("/api/v1/audit/checkpoint", body: []).status == .ok)
            func verify(_ body: String) async throws -> TestResponse {
                try await client.post("/api/v1/audit/verify", body: Array(body.utf8), headers: [.contentType: "application/json"])
            }
            let all = try await verify("{}").object
            #expect(all["is_valid"] == .bool(true) && all["events_checked"] == .number("10") && all["tree_size"] == .number("10"))
            #expect(all["keys_from_store"] == .bool(false) && all["problems"] == .array([]))
            #expect(try await verify(#"{"correlation_id":"rr-verify-b"}"#).object["events_checked"] == .number("4"))
            #expect(try await verify(#"{"from_position":1,"to_position":3}"#).object["events_checked"] == .number("2"))

            try await harness.tamper(.update(eventID: try #require(UUID(uuidString: ids[2])), column: "actor_id", expression: "'mallory'"))
            let broken = try await verify(#"{"correlation_id":"rr-verify-a"}"#).object
            #expect(broken["is_valid"] == .bool(false) && broken["problem_count"] == .number("1"))
            let problem = try #require(broken.array("problems").first?.object)
            #expect(
                problem.string("subject") == "event" && problem.string("event_id") == ids[2] && problem.string("message")?.contains("changed") == true
            )
            #expect(
                try await verify(#"{"correlation_id":"rr-verify-b"}"#).object["is_valid"] == .bool(true), "the other correlation's events are intact")

            for (body, field) in [
                (#"{"from_position":-1}"#, "from_position"), (#"{"from_position":"1"}"#, "from_position"),
                (#"{"from_position":5,"to_position":2}"#, "to_position"),
                (#"{"correlation_id":""}"#, "correlation_id"),
            ] {
                try expectProblem(try await verify(body), status: .badRequest, type: "validation-error", fields: [field])
            }
            try expectProblem(try await verify("[]"), status: .badRequest, type: "invalid-request")
        }
    }
}
