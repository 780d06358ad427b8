public import AuditCore
import PostgresNIO

extension PostgresStore {
    static let checkpointColumns = "tree_size, root_hash, note, key_label, frontier, created_at"

    /// Advisory lock key under which a checkpoint is stored, one server at a time (the
    /// sequencer's key + 2).
    static let checkpointLockKey: Int64 = 4_702_111_234_474_983_745 + 2

    /// Reads one row selected with ``checkpointColumns`` (a frontier that does not read back is `nil`).
    static func checkpoint(_ row: PostgresRow) throws -> StoredCheckpoint {
        let (size, root, note, label, frontier, created) = try row.decode((Int64, String, String, String, String, PostgresTimestamp).self)
        return StoredCheckpoint(
            treeSize: size, rootHash: root, note: note, keyLabel: label, frontier: LogFrontier(size: size, hex: frontier), createdAt: created.value)
    }

    public func logLeafHashes(_ range: Range<Int64>) async throws(AuditError) -> [String] {
        guard !range.isEmpty else { return [] }
        do {
            return try await withOperationTimeout {
                var hashes: [String] = []
                hashes.reserveCapacity(range.count)
                for row in try await self.client.statement(
                    """
                    SELECT leaf_hash FROM auditledger_log WHERE position >= \(range.lowerBound) AND position < \(range.upperBound)
                    ORDER BY position
                    """,
                    logger: self.logger)
                {
                    hashes.append(try row.decode(String.self))
                }
                return hashes
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "read the log")
        }
    }

    public func logNodes(_ ids: [LogNodeID]) async throws(AuditError) -> [LogNodeID: MerkleTree.Hash] {
        guard !ids.isEmpty else { return [:] }
        do {
            return try await withOperationTimeout {
                var nodes: [LogNodeID: MerkleTree.Hash] = [:]
                for row in try await self.client.statement(
                    """
                    SELECT n.level::int8, n.node_index, encode(n.hash, 'hex') FROM auditledger_log_nodes n
                    JOIN unnest(\(ColumnArray(ids.map { Int64($0.level) })), \(ColumnArray(ids.map(\.index)))) AS wanted(level, node_index)
                      ON n.level = wanted.level AND n.node_index = wanted.node_index
                    """,
                    logger: self.logger)
                {
                    let (level, index, hex) = try row.decode((Int64, Int64, String).self)
                    if let hash = Hex.bytes(hex) { nodes[LogNodeID(level: Int(level), index: index)] = hash }
                }
                return nodes
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "read the log")
        }
    }

    public func appendCheckpoint(
        _ checkpoint: StoredCheckpoint, after: Int64?, nodes: [LogNode], key: NoteVerifierKey
    ) async throws(AuditError) -> Bool {
        do {
            return try await withOperationTimeout {
                try await self.client.auditTransaction(leaseTimeout: self.configuration.connectionLeaseTimeout, logger: self.logger) {
                    connection in
                    // Servers that sign at once take turns, so the newest checkpoint read next is
                    // still the newest at the insert: the chain of checkpoints cannot fork.
                    try await connection.statement("SELECT pg_advisory_xact_lock(\(Self.checkpointLockKey))", logger: self.logger)
                    let newest = try await connection.statement("SELECT max(tree_size) FROM auditledger_checkpoints", logger: self.logger)
                        .first?.decode(Int64?.self)
                    guard newest == after else { return false }
                    let inserted = try await connection.statement(
                        """
                        INSERT INTO auditledger_checkpoints (\(unescaped: Self.checkpointColumns))
                        VALUES (\(checkpoint.treeSize), \(checkpoint.rootHash), \(checkpoint.note), \(checkpoint.keyLabel),
                                \(checkpoint.frontier?.hex ?? ""), \(PostgresTimestamp(checkpoint.createdAt)))
                        ON CONFLICT (tree_size) DO NOTHING RETURNING tree_size
                        """,
                        logger: self.logger
                    )
                    guard inserted.first != nil else { return false }
                    if !nodes.isEmpty {
                        try await connection.statement(
                            """
                            INSERT INTO auditledger_log_nodes (level, node_index, hash)
                            SELECT level::int2, node_index, decode(hash, 'hex') FROM unnest(
                                \(ColumnArray(nodes.map { Int64($0.id.level) })), \(ColumnArray(nodes.map(\.id.index))),
                                \(ColumnArray(nodes.map { Hex.lowercase($0.hash) }))) AS n(level, node_index, hash)
                            ON CONFLICT (level, node_index) DO NOTHING
                            """,
                            logger: self.logger
                        )
                    }
                    try await connection.statement(
                        """
                        INSERT INTO auditledger_signing_keys (key_label, verifier_key, first_used_at)
                        VALUES (\(key.label), \(key.description), \(PostgresTimestamp(checkpoint.createdAt)))
                        ON CONFLICT (key_label) DO NOTHING
                        """,
                        logger: self.logger
                    )
                    return true
                }
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "store a checkpoint")
        }
    }

    public func checkpoints(upTo treeSize: Int64?, limit: Int) async throws(AuditError) -> [StoredCheckpoint] {
        do {
            return try await withOperationTimeout {
                var checkpoints: [StoredCheckpoint] = []
                for row in try await self.client.statement(
                    """
                    SELECT \(unescaped: Self.checkpointColumns) FROM auditledger_checkpoints
                    WHERE tree_size <= \(treeSize ?? Int64.max) ORDER BY tree_size DESC LIMIT \(Int64(limit))
                    """,
                    logger: self.logger)
                {
                    checkpoints.append(try Self.checkpoint(row))
                }
                return checkpoints
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "read checkpoints")
        }
    }

    public func signingKeys() async throws(AuditError) -> [SigningKeyRecord] {
        do {
            return try await withOperationTimeout {
                var keys: [SigningKeyRecord] = []
                for row in try await self.client.statement(
                    "SELECT verifier_key, first_used_at FROM auditledger_signing_keys ORDER BY first_used_at, key_label", logger: self.logger)
                {
                    let (text, first) = try row.decode((String, PostgresTimestamp).self)
                    if let key = NoteVerifierKey(text) { keys.append(SigningKeyRecord(key: key, firstUsedAt: first.value)) }
                }
                return keys
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "read the signing keys")
        }
    }
}
