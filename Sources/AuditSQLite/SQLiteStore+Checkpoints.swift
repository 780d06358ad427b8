public import AuditCore
import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension SQLiteStore {
    static let checkpointColumns = "tree_size, root_hash, note, key_label, frontier, created_at"

    /// Reads one row selected with ``checkpointColumns`` (a frontier that does not read back is `nil`).
    static func checkpoint(_ row: Row) -> StoredCheckpoint {
        let size: Int64 = row[0]
        return StoredCheckpoint(
            treeSize: size, rootHash: row[1], note: row[2], keyLabel: row[3], frontier: LogFrontier(size: size, hex: row[4] as String),
            createdAt: AuditTimestamp(microsecondsSinceEpoch: row[5]))
    }

    public func logLeafHashes(_ range: Range<Int64>) async throws(AuditError) -> [String] {
        guard !range.isEmpty else { return [] }
        do {
            return try await pool.read { db in
                try String.fetchAll(
                    db, sql: "SELECT leaf_hash FROM auditledger_log WHERE position >= ? AND position < ? ORDER BY position",
                    arguments: [range.lowerBound, range.upperBound])
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "read the log")
        }
    }

    public func logNodes(_ ids: [LogNodeID]) async throws(AuditError) -> [LogNodeID: MerkleTree.Hash] {
        guard !ids.isEmpty else { return [:] }
        do {
            return try await pool.read { db in
                var nodes: [LogNodeID: MerkleTree.Hash] = [:]
                let statement = try db.makeStatement(sql: "SELECT hash FROM auditledger_log_nodes WHERE level = ? AND node_index = ?")
                for id in Set(ids) {
                    if let hash = try Data.fetchOne(statement, arguments: [id.level, id.index]), hash.count == 32 { nodes[id] = Array(hash) }
                }
                return nodes
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "read the log")
        }
    }

    public func appendCheckpoint(
        _ checkpoint: StoredCheckpoint, after: Int64?, nodes: [LogNode], key: NoteVerifierKey
    ) async throws(AuditError) -> Bool {
        do {
            return try await pool.write { db in
                // One writer at a time: the newest checkpoint cannot change between this and the insert.
                let newest = try Int64.fetchOne(db, sql: "SELECT max(tree_size) FROM auditledger_checkpoints")
                guard newest == after else { return false }
                try db.execute(
                    sql:
                        "INSERT INTO auditledger_checkpoints (\(Self.checkpointColumns)) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tree_size) DO NOTHING",
                    arguments: [
                        checkpoint.treeSize, checkpoint.rootHash, checkpoint.note, checkpoint.keyLabel, checkpoint.frontier?.hex ?? "",
                        checkpoint.createdAt.microsecondsSinceEpoch,
                    ])
                guard db.changesCount == 1 else { return false }
                let insert = try db.makeStatement(
                    sql: "INSERT INTO auditledger_log_nodes (level, node_index, hash) VALUES (?, ?, ?) ON CONFLICT (level, node_index) DO NOTHING")
                for node in nodes { try insert.execute(arguments: [node.id.level, node.id.index, Data(node.hash)]) }
                try db.execute(
                    sql: """
                        INSERT INTO auditledger_signing_keys (key_label, verifier_key, first_used_at) VALUES (?, ?, ?)
                        ON CONFLICT (key_label) DO NOTHING
                        """,
                    arguments: [key.label, key.description, checkpoint.createdAt.microsecondsSinceEpoch])
                return true
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "store a checkpoint")
        }
    }

    public func checkpoints(upTo treeSize: Int64?, limit: Int) async throws(AuditError) -> [StoredCheckpoint] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT \(Self.checkpointColumns) FROM auditledger_checkpoints WHERE tree_size <= ? ORDER BY tree_size DESC LIMIT ?",
                    arguments: [treeSize ?? Int64.max, limit]
                ).map(Self.checkpoint)
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "read checkpoints")
        }
    }

    public func signingKeys() async throws(AuditError) -> [SigningKeyRecord] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT verifier_key, first_used_at FROM auditledger_signing_keys ORDER BY first_used_at, key_label")
                    .compactMap { row in
                        NoteVerifierKey(row[0] as String).map {
                            SigningKeyRecord(key: $0, firstUsedAt: AuditTimestamp(microsecondsSinceEpoch: row[1]))
                        }
                    }
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "read the signing keys")
        }
    }
}
