import AuditCore
import GRDB

/// How an SQLite failure reaches the domain: translated into an ``AuditError`` at the store
/// boundary (the GRDB error is kept as `underlying`, for logs only).
///
/// As for PostgreSQL, only failures that are about the data are refusals
/// (``AuditCore/AuditError/refusesData``): a constraint the rows break (`SQLITE_CONSTRAINT`,
/// including a trigger's `RAISE(ABORT)`), a value too big (`SQLITE_TOOBIG`) or of the wrong
/// type (`SQLITE_MISMATCH`). Everything else — a busy, locked, full, unreadable or read-only
/// file, and anything unknown — means the file cannot answer now.
enum SQLiteFailure {
    private static let refusals: [ResultCode] = [.SQLITE_CONSTRAINT, .SQLITE_TOOBIG, .SQLITE_MISMATCH]

    static func translate(_ error: any Error, operation: String) -> AuditError {
        var translated = translation(of: error, operation: operation)
        if let error = error as? DatabaseError, translated.underlying != nil {
            translated.diagnostic = "SQLite \(error.resultCode) (extended \(error.extendedResultCode))"
        }
        return translated
    }

    private static func translation(of error: any Error, operation: String) -> AuditError {
        if let error = error as? AuditError { return error }
        if let error = error as? DatabaseError, refusals.contains(error.resultCode) {
            return AuditError(
                .refusedByStore, detail: "the database file refused to \(operation): the events break one of its rules", underlying: error)
        }
        if error is CancellationError {
            return AuditError(
                .unavailable, detail: "the request was cancelled before the database could \(operation)", retryAfterSeconds: 5, underlying: error)
        }
        return AuditError(.unavailable, detail: "the database file could not \(operation); retry later", retryAfterSeconds: 5, underlying: error)
    }

    /// A stored row that does not read back as an event (edited outside AuditLedger).
    static func unreadableRow(_ id: String) -> AuditError {
        AuditError(.internalError, detail: "a stored event (\(id)) cannot be read back")
    }
}
