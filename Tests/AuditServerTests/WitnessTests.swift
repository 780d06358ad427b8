import AuditCore
import AuditIngest
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Witness URLs: a local HTTP server stands in for the witness (it keeps what it is POSTed).
@Suite struct WitnessTests {
    actor Received {
        var notes: [String] = []
        var contentTypes: [String?] = []

        func add(_ note: String, _ contentType: String?) {
            notes.append(note)
            contentTypes.append(contentType)
        }
    }

    @Test("Each new checkpoint is POSTed to --witness-url as text/plain; a witness that refuses is an error, and signing goes on")
    func urlWitness() async throws {
        let received = Received()
        let router = Router()
        router.post("/witness") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 65_536)
            await received.add(String(buffer: body), request.headers[.contentType])
            return Response(status: .accepted)
        }
        router.post("/refuse") { _, _ -> Response in Response(status: .internalServerError) }
        let witness = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await witness.test(.live) { witnessClient in
            let port = try #require(witnessClient.port)
            let key = NoteSignerKey.generate(name: "witness.example/log")
            let accepting = CheckpointURLWitness(url: try #require(URL(string: "http://127.0.0.1:\(port)/witness")))
            let refusing = CheckpointURLWitness(url: try #require(URL(string: "http://127.0.0.1:\(port)/refuse")))
            var configuration = CheckpointAPITests.configuration(key: key)
            configuration.checkpoints.witnesses = [refusing, accepting]
            try await withApp(.sqlite, configuration: configuration) { client, _ in
                _ = try await CheckpointAPITests.write(client, 3, correlation: "rr-witness")
                let signed = try await client.post("/api/v1/audit/checkpoint", body: []).object
                let note = try #require(signed.string("checkpoint"))
                var notes: [String] = []
                for _ in 0..<50 {
                    notes = await received.notes
                    if notes.contains(note) { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(notes.contains(note), "the accepting witness got the checkpoint although the other refused")
                #expect(await received.contentTypes.allSatisfy { $0 == "text/plain; charset=utf-8" })
                #expect(try SignedNote(parsing: note).verifiedKey(among: [key.verifier]) == key.verifier)
            }
            let checkpoint = StoredCheckpoint(
                treeSize: 0, rootHash: Hex.lowercase(MerkleTree.root([])),
                note: SignedNote.sign("witness.example/log\n0\nAA==\n", with: key).rendered,
                keyLabel: key.verifier.label, frontier: LogFrontier(), createdAt: .now())
            await #expect(throws: (any Error).self) { try await refusing.witness(checkpoint) }
            let unreachable = CheckpointURLWitness(url: try #require(URL(string: "http://127.0.0.1:1/witness")), timeout: .seconds(2))
            await #expect(throws: (any Error).self) { try await unreachable.witness(checkpoint) }
        }
    }
}
