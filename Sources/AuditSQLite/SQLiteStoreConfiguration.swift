/// How ``SQLiteStore`` stores and behaves.
public struct SQLiteStoreConfiguration: Sendable {
    /// The database file (created with its directory when missing).
    public var path: String
    /// Months to keep created ahead of the current one. Default 3.
    public var monthsAhead: Int
    /// How long a statement waits for a lock held by another process before failing, in
    /// seconds. Default 5.
    public var busyTimeoutSeconds: Double

    /// Creates a configuration; every parameter but `path` defaults to the value documented on its property.
    public init(path: String, monthsAhead: Int = 3, busyTimeoutSeconds: Double = 5) {
        self.path = path
        self.monthsAhead = monthsAhead
        self.busyTimeoutSeconds = busyTimeoutSeconds
    }

    /// The file inside a data directory: `<directory>/auditledger.sqlite`.
    public static func file(inDirectory directory: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + "auditledger.sqlite"
    }
}
