import AuditCore
import AuditIngest
import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The signed log (docs/integrity.md): checkpoints, the keys that signed them, inclusion
/// proofs of events and consistency proofs between tree sizes. Hashes are lowercase hex; a
/// checkpoint is its C2SP signed note as text.
///
/// Reading needs `events:read`; the log-wide answers (checkpoints, consistency) need it
/// without read limits, since tree sizes count every event; an event's proof needs the event
/// within the caller's limits, and without `events:read:sensitive` a sensitive event's
/// canonical encoding is withheld (its hashes and path are not). Signing now needs `events:write`.
struct CheckpointRoutes {
    let store: any AuditLifecycleStore
    let checkpointer: Checkpointer?
    let settings: CheckpointSettings

    func register(on audit: RouteRegistry.Group) {
        audit.get("checkpoint", scope: .eventsRead, metric: .query("checkpoint")) { request, context in
            try await checkpoint(request, context: context)
        }
        audit.post("checkpoint", scope: .eventsWrite) { _, _ in try await signNow() }
        audit.get("checkpoints", scope: .eventsRead, metric: .query("checkpoint")) { request, context in try await history(request, context: context)
        }
        audit.get("keys", scope: .eventsRead, metric: .query("checkpoint")) { _, _ in try await keys() }
        audit.get("events/:event_id/proof", scope: .eventsRead, metric: .query("proof")) { request, context in
            try await proof(request, context: context)
        }
        audit.get("log/consistency", scope: .eventsRead, metric: .query("consistency")) { request, context in
            try await consistency(request, context: context)
        }
    }

    /// The newest checkpoint, or with `tree_size` the one of that size.
    func checkpoint(_ request: Request, context: AuditRequestContext) async throws -> Response {
        try Self.requireUnlimited(context)
        let parameters = try Parameters(request)
        let size = try parameters.integer("tree_size", minimum: 0)
        guard let found = try await store.checkpoints(upTo: size, limit: 1).first, size == nil || found.treeSize == size else {
            throw AuditError(.notFound, detail: size.map { "no checkpoint of tree size \($0) is stored" } ?? "no checkpoint is signed yet")
        }
        return .json(status: .ok, Self.json(found).bytes)
    }

    /// Logs what has committed, then signs a checkpoint of it (or returns the newest, when it
    /// covers the log already).
    func signNow() async throws -> Response {
        guard let checkpointer else {
            throw AuditError(.unavailable, detail: "this server has no signing key, so it signs no checkpoints", retryAfterSeconds: 60)
        }
        try await store.drainLogQueue()
        return .json(status: .ok, Self.json(try await checkpointer.checkpointNow()).bytes)
    }

    /// Checkpoints, largest first: `limit` (1–1000, default 100) of at most `before_tree_size` − 1 leaves.
    func history(_ request: Request, context: AuditRequestContext) async throws -> Response {
        try Self.requireUnlimited(context)
        let parameters = try Parameters(request)
        let limit = try parameters.integer("limit", minimum: 1, maximum: 1000) ?? 100
        let before = try parameters.integer("before_tree_size", minimum: 1)
        let found = try await store.checkpoints(upTo: before.map { $0 - 1 }, limit: Int(limit))
        var writer = JSONWriter(capacity: 64 + found.count * 400)
        writer.writeRaw(#"{"checkpoints":["#.utf8)
        for (index, checkpoint) in found.enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            writer.writeRaw(Self.json(checkpoint).bytes)
        }
        writer.writeRaw("]".utf8)
        if found.count == Int(limit), let last = found.last, last.treeSize > 0 {
            writer.writeRaw(#","next_before_tree_size":\#(last.treeSize)"#.utf8)
        }
        writer.writeRaw("}".utf8)
        return .json(status: .ok, writer.bytes)
    }

    /// Every key that signed a checkpoint, and this server's own: `current` for the key it
    /// signs with, `trusted` for the keys of its key file (current and retired).
    func keys() async throws -> Response {
        var records = try await store.signingKeys()
        if let own = settings.key?.verifier, !records.contains(where: { $0.key == own }) {
            records.append(SigningKeyRecord(key: own, firstUsedAt: .now()))
        }
        let trusted = settings.trustedKeys
        var writer = JSONWriter(capacity: 64 + records.count * 300)
        writer.writeRaw(#"{"keys":["#.utf8)
        for (index, record) in records.enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            var object = JSONObjectWriter(taking: &writer)
            object.string("name", record.key.name)
            object.string("key_id", NoteVerifierKey.hexID(record.key.id))
            object.string("verifier_key", record.key.description)
            object.string("algorithm", "ed25519")
            object.bool("current", record.key == settings.key?.verifier)
            object.bool("trusted", trusted.contains(record.key))
            object.string("first_used_at", record.firstUsedAt.description)
            writer = object.finish()
        }
        writer.writeRaw("]}".utf8)
        return .json(status: .ok, writer.bytes)
    }

    static func requireUnlimited(_ context: AuditRequestContext) throws(AuditError) {
        guard context.principal.readLimits == .unlimited else {
            throw AuditError(.forbidden, detail: "the log's checkpoints and consistency proofs need events:read without read limits")
        }
    }

    static func json(_ checkpoint: StoredCheckpoint) -> JSONWriter {
        var object = JSONObjectWriter(writer: JSONWriter(capacity: 512))
        object.integer("tree_size", checkpoint.treeSize)
        object.string("root_hash", checkpoint.rootHash)
        object.string("checkpoint", checkpoint.note)
        object.string("key", checkpoint.keyLabel)
        object.string("created_at", checkpoint.createdAt.description)
        return object.finish()
    }
}
