import AuditCore
import GRDB

/// How an SQLite failure reaches the domain: translated into an ``AuditError`` at the store
/// boundary (the GRDB error is kept as `underlying`, for logs only).
enum SQLiteFailure {
    /// Result codes that mean "the file cannot serve right now; retry".
    private static let transient: [ResultCode] = [
        .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PROTOCOL,
        .SQLITE_NOMEM,
    ]

    static func translate(_ error: any Error, operation: String) -> AuditError {
        if let error = error as? AuditError { return error }
        if let error = error as? DatabaseError, transient.contains(error.resultCode) {
            return AuditError(.unavailable, detail: "the database file could not \(operation); retry later", retryAfterSeconds: 5, underlying: error)
        }
        if error is CancellationError {
            return AuditError(.unavailable, detail: "the request was cancelled before the database could \(operation)", underlying: error)
        }
        return AuditError(.internalError, detail: "the database could not \(operation)", underlying: error)
    }

    /// A stored row that does not read back as an event (edited outside AuditLedger).
    static func unreadableRow(_ id: String) -> AuditError {
        AuditError(.internalError, detail: "a stored event (\(id)) cannot be read back")
    }
}
