public import AuditCore
import PostgresNIO

extension PostgresStore: ReplicatedStore {
    /// One statement: `pg_is_in_recovery()`, then the replay position on a standby or the
    /// log's flush position on a primary, and the last replayed commit's time. Every commit the
    /// store acknowledged lies at or below the flush position (its transactions commit with
    /// `synchronous_commit` on, PostgreSQL's default), and a standby receives no more than it,
    /// so a standby that has replayed that far shows them all. Every role may call these functions.
    public func replicationPosition() async throws(AuditError) -> ReplicationPosition {
        do {
            return try await withOperationTimeout {
                let row = try await self.client.statement(
                    """
                    SELECT pg_is_in_recovery(),
                           ((CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_flush_lsn() END) - '0/0'::pg_lsn)::int8,
                           pg_last_xact_replay_timestamp()
                    """,
                    logger: self.logger
                ).first
                guard let (standby, bytes, replayed) = try row?.decode((Bool, Int64?, PostgresTimestamp?).self) else {
                    throw AuditError(.unavailable, detail: "the database did not say where its log is")
                }
                return ReplicationPosition(walBytes: bytes.map { UInt64(max($0, 0)) }, isStandby: standby, lastReplayedCommit: replayed?.value)
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "read the replication position")
        }
    }
}
