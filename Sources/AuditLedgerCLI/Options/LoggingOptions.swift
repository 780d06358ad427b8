import ArgumentParser
import Logging

/// Log output format.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    /// One JSON object per line: `timestamp`, `level`, `message`, `label`, then metadata.
    case json
    /// `timestamp level label: message key=value` for reading in a terminal (control characters escaped).
    case text
}

/// `--log-level` values (swift-log's levels).
enum LogLevel: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error, critical

    var level: Logger.Level { Logger.Level(rawValue: rawValue)! }
}

/// `serve --access-log-level` values: swift-log's levels, or `off`.
enum AccessLogLevel: String, ExpressibleByArgument, CaseIterable {
    case off, trace, debug, info, notice, warning, error, critical

    /// `nil` for `off`.
    var level: Logger.Level? { self == .off ? nil : Logger.Level(rawValue: rawValue) }
}

/// `--log-level` and `--log-format`.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Least severe level logged: trace, debug, info, notice, warning, error, critical. (env: AUDITLEDGER_LOG_LEVEL, default: info)")
    var logLevel: LogLevel?

    @Option(help: "Log format: json (one object per line) or text. (env: AUDITLEDGER_LOG_FORMAT, default: json)")
    var logFormat: LogFormat?

    /// Creates the process's root logger (writing to standard error).
    func makeLogger(label: String = "auditledger") throws -> Logger {
        let level = try resolve(logLevel, env: "AUDITLEDGER_LOG_LEVEL", default: .info).level
        let format = try resolve(logFormat, env: "AUDITLEDGER_LOG_FORMAT", default: .json)
        var logger = Logger(label: label) { label in
            switch format {
            case .json: JSONLogHandler(label: label)
            case .text: TextLogHandler(label: label)
            }
        }
        logger.logLevel = level
        return logger
    }
}
