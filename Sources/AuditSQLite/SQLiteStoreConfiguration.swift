public import AuditCore

/// How ``SQLiteStore`` stores and behaves.
public struct SQLiteStoreConfiguration: Sendable {
    /// The database file (created with its directory when missing).
    public var path: String
    /// Months to keep created ahead of the current one. Default 3.
    public var monthsAhead: Int
    /// How long a statement waits for a lock held by another process before failing, in
    /// seconds. Default 5.
    public var busyTimeoutSeconds: Double
    /// `event_data` paths indexed in every month (an index on the text at the path), so that a
    /// containment filter naming a string at one of them (`?event_data={"fingerprint":"…"}`)
    /// reads the matching rows instead of every row of its months. Default
    /// ``defaultIndexedEventDataPaths``.
    ///
    /// Only paths of member names are indexed (a path through an array index is ignored); other
    /// filters still give exact answers, by reading every row of the months they cover. Each
    /// path costs every month an index (its size about that of the values) and every insert its
    /// update; indexes of paths added later are built at the next start, for every month. Set by
    /// the initialiser only, which leaves out the paths that are not of member names.
    public private(set) var indexedEventDataPaths: [EventDataPath]

    /// What Kubernaut's audit questions look events up by: a signal's `fingerprint` and the
    /// `selected_workflow.workflow_id` of a workflow selection.
    public static let defaultIndexedEventDataPaths = ["fingerprint", "selected_workflow.workflow_id"].compactMap(EventDataPath.init)

    /// Creates a configuration; every parameter but `path` defaults to the value documented on its property.
    public init(
        path: String, monthsAhead: Int = 3, busyTimeoutSeconds: Double = 5,
        indexedEventDataPaths: [EventDataPath] = SQLiteStoreConfiguration.defaultIndexedEventDataPaths
    ) {
        self.path = path
        self.monthsAhead = monthsAhead
        self.busyTimeoutSeconds = busyTimeoutSeconds
        self.indexedEventDataPaths = indexedEventDataPaths.filter(\.isMemberPath)
    }

    /// The file inside a data directory: `<directory>/auditledger.sqlite`.
    public static func file(inDirectory directory: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + "auditledger.sqlite"
    }
}
