/// Limits applied to every event before it is stored.
///
/// The defaults are Kubernaut's; widen the time window to import historical events.
public struct ValidationPolicy: Sendable, Hashable {
    /// How far `event_timestamp` may lie in the future, in seconds. Default 3600 (60 minutes).
    public var maximumFutureSkewSeconds: Int64
    /// How far `event_timestamp` may lie in the past, in seconds. Default 604800 (7 days).
    public var maximumAgeSeconds: Int64
    /// Largest `event_data` in bytes of compact JSON. Default 262144 (256 KiB).
    public var maximumEventDataBytes: Int
    /// Deepest container nesting in `event_data`; the object itself is level 1. Default 10.
    public var maximumEventDataDepth: Int
    /// Most events in one batch request. Default 1000.
    public var maximumBatchSize: Int

    /// Creates a policy; every parameter defaults to the value documented on its property.
    public init(
        maximumFutureSkewSeconds: Int64 = 3600,
        maximumAgeSeconds: Int64 = 7 * 86_400,
        maximumEventDataBytes: Int = 256 * 1024,
        maximumEventDataDepth: Int = 10,
        maximumBatchSize: Int = 1000
    ) {
        self.maximumFutureSkewSeconds = maximumFutureSkewSeconds
        self.maximumAgeSeconds = maximumAgeSeconds
        self.maximumEventDataBytes = maximumEventDataBytes
        self.maximumEventDataDepth = maximumEventDataDepth
        self.maximumBatchSize = maximumBatchSize
    }
}
