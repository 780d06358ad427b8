import AuditCore
import PostgresNIO

/// How a PostgreSQL failure reaches the domain: the store boundary translates every driver
/// error into an ``AuditError`` (the driver error is kept as `underlying`, for logs only).
enum PostgresFailure {
    /// SQLSTATE classes that mean "the database cannot serve right now; retry".
    private static let transientClasses: Set<String> = [
        "08",  // connection exception
        "53",  // insufficient resources
        "57",  // operator intervention (shutdown, cannot connect now, query canceled)
        "58",  // system error (I/O)
    ]
    private static let transientStates: Set<String> = [
        "40001",  // serialization_failure
        "40P01",  // deadlock_detected
        "55P03",  // lock_not_available (lock_timeout)
    ]

    /// The error that decided the outcome: a transaction's wrapper is opened to the error of
    /// its `BEGIN`, its body or its `COMMIT`.
    static func cause(of error: any Error) -> any Error {
        guard let transaction = error as? PostgresTransactionError else { return error }
        return transaction.closureError ?? transaction.commitError ?? transaction.beginError ?? transaction.rollbackError ?? error
    }

    /// The SQLSTATE of a server error, if `error` is (or wraps) one.
    static func sqlState(of error: any Error) -> String? {
        (cause(of: error) as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Translates `error` from `operation` (a short phrase such as "write events").
    static func translate(_ error: any Error, operation: String) -> AuditError {
        let error = cause(of: error)
        if let error = error as? AuditError { return error }
        guard let error = error as? PSQLError else {
            if error is PostgresConnectionClosed {
                return AuditError(.unavailable, detail: "the database is unreachable; retry later", retryAfterSeconds: 5, underlying: error)
            }
            if error is CancellationError {
                return AuditError(.unavailable, detail: "the request was cancelled before the database could \(operation)", underlying: error)
            }
            // Decoding and other client-side failures: a fault, not a reason to retry.
            return AuditError(.internalError, detail: "the database could not \(operation)", underlying: error)
        }
        if error.code == .server, let state = error.serverInfo?[.sqlState] {
            if transientStates.contains(state) || transientClasses.contains(String(state.prefix(2))) {
                return AuditError(.unavailable, detail: "the database could not \(operation); retry later", retryAfterSeconds: 5, underlying: error)
            }
            return AuditError(.internalError, detail: "the database refused to \(operation)", underlying: error)
        }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown, .queryCancelled:
            return AuditError(.unavailable, detail: "the database is unreachable; retry later", retryAfterSeconds: 5, underlying: error)
        default:
            return AuditError(.internalError, detail: "the database could not \(operation)", underlying: error)
        }
    }
}
