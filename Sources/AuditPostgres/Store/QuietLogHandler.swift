import Logging

/// Logs what PostgresNIO's pool says in the background (connections opened, closed, refused,
/// retried) at `debug`: during an outage it repeats itself for every attempt, and the store
/// says once, at `warning`, what the outage means (readiness, the writer's spooling).
/// `critical` stays `critical`.
struct QuietLogHandler: LogHandler {
    var wrapped: any LogHandler

    /// `logger` with its handler quieted.
    static func quieted(_ logger: Logger) -> Logger {
        var quiet = logger
        quiet.handler = QuietLogHandler(wrapped: logger.handler)
        return quiet
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if event.level != .critical, event.level > .debug { event.level = .debug }
        guard event.level >= wrapped.logLevel else { return }
        wrapped.log(event: event)
    }
}
