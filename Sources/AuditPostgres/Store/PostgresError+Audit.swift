import AuditCore
import PostgresNIO

/// How a PostgreSQL failure reaches the domain: the store boundary translates every driver
/// error into an ``AuditError`` (the driver error is kept as `underlying`, for logs only; its
/// text never reaches an answer).
///
/// Two kinds matter to the write pipeline (``AuditCore/AuditError/refusesData``):
/// - the database **refuses the data**: SQLSTATE class 22 (a value it cannot store), class 23
///   naming a constraint (a rule the rows break), 54000 (a value too large for an index) →
///   `store-refused`;
/// - anything else: it **cannot answer** now → `service-unavailable`. That includes what is
///   plainly transient (connections refused or lost, the pool's circuit breaker, shutdown,
///   timeouts, lock waits, deadlocks), a database that is read-only (25006, a standby after a
///   failover), missing privileges (42501), an unmigrated schema (42P01, 42883), the server's
///   own faults (XX000, XX001), "no partition for the row" (23514 without a constraint: a month
///   removed behind the store's back, created again on the next write) — and every failure
///   nobody classified. Waiting loses nothing; refusing acknowledged events would.
enum PostgresFailure {
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
        var translated = translation(of: cause(of: error), operation: operation)
        if translated.underlying != nil { translated.diagnostic = diagnostic(of: cause(of: error)) }
        return translated
    }

    /// What may be logged of a driver error: its SQLSTATE and constraint, or its error code.
    static func diagnostic(of error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(type(of: error))" }
        if let state = error.serverInfo?[.sqlState] {
            return "SQLSTATE \(state)" + (error.serverInfo?[.constraintName].map { ", constraint \($0)" } ?? "")
        }
        return "PSQLError \(error.code)"
    }

    private static func translation(of error: any Error, operation: String) -> AuditError {
        if let error = error as? AuditError { return error }
        if let error = error as? PSQLError, error.code == .server, let state = error.serverInfo?[.sqlState],
            let refusal = refusal(state: state, constraint: error.serverInfo?[.constraintName], operation: operation, underlying: error)
        {
            return refusal
        }
        if error is PostgresDecodingError {
            // A stored row that does not read back: a fault in AuditLedger (or a row changed
            // behind its back), not a reason to drop anything.
            return AuditError(
                .internalError, detail: "the database returned a row AuditLedger cannot read while trying to \(operation)", underlying: error)
        }
        if error is CancellationError {
            return AuditError(
                .unavailable, detail: "the request was cancelled before the database could \(operation)", retryAfterSeconds: 5, underlying: error)
        }
        return AuditError(.unavailable, detail: "the database could not \(operation); retry later", retryAfterSeconds: 5, underlying: error)
    }

    /// The refusal a server error means, or `nil` when it means the database cannot answer.
    private static func refusal(state: String, constraint: String?, operation: String, underlying: PSQLError) -> AuditError? {
        switch state.prefix(2) {
        case "22":
            return AuditError(
                .refusedByStore, detail: "the database cannot store a value of these events (SQLSTATE \(state)) and refused to \(operation)",
                underlying: underlying)
        case "23":
            guard let constraint else { return nil }  // 23514 without a constraint: no partition for the row
            return AuditError(
                .refusedByStore, detail: "the events break the database rule \(constraint) (SQLSTATE \(state)); it refused to \(operation)",
                underlying: underlying)
        default:
            guard state == "54000" else { return nil }
            return AuditError(
                .refusedByStore, detail: "a value of these events is too large for the database (SQLSTATE 54000); it refused to \(operation)",
                underlying: underlying)
        }
    }
}
