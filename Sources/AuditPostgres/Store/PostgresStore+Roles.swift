public import AuditCore
import Logging
import PostgresNIO

extension PostgresStore {
    /// Grants `role` what serving needs and nothing more: SELECT and INSERT on `audit_events`,
    /// the insert sequence, reading the migrations table, and creating months through
    /// `auditledger_ensure_partitions`. Run it as the role that owns the schema (the one that
    /// migrates); then serve as `role`, which can neither change rows nor drop or detach months.
    public func grantAppRole(_ role: String) async throws(AuditError) {
        guard !role.isEmpty, role.utf8.count <= 63 else {
            throw AuditError.validation(field: "app-role", "must be a role name of 1 to 63 bytes")
        }
        do {
            _ = try await withOperationTimeout {
                try await self.client.statement("SELECT auditledger_grant_app_role(\(role)::name)", logger: self.logger)
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "grant privileges to \(role)")
        }
    }

    /// Whether the connected role owns `audit_events` (and so could drop its months or its triggers).
    public func connectedRoleOwnsAuditEvents() async throws(AuditError) -> Bool {
        do {
            return try await withOperationTimeout {
                try await self.client.statement(
                    "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = 'audit_events'::regclass",
                    logger: self.logger
                ).first?.decode(Bool.self) ?? false
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "read the table's owner")
        }
    }
}
