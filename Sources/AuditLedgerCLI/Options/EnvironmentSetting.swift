import ArgumentParser
import AuditCore
import Foundation

/// Where options come from when not given on the command line: environment variables named
/// `AUDITLEDGER_*`. A task-local so tests can supply their own.
public enum CommandEnvironment {
    /// The variables options fall back to. Default: the process environment.
    @TaskLocal public static var variables: [String: String] = ProcessInfo.processInfo.environment
}

/// Resolves an option: the command-line value, else the environment variable, else the default.
/// A malformed environment value is an error naming the variable.
func resolve<Value: ExpressibleByArgument>(_ value: Value?, env name: String, default fallback: Value) throws -> Value {
    if let value { return value }
    guard let text = CommandEnvironment.variables[name], !text.isEmpty else { return fallback }
    guard let parsed = Value(argument: text) else {
        throw ValidationError("environment variable \(name) has an invalid value: \(text)")
    }
    return parsed
}

/// Resolves an option that has no default.
func resolve<Value: ExpressibleByArgument>(_ value: Value?, env name: String) throws -> Value? {
    if let value { return value }
    guard let text = CommandEnvironment.variables[name], !text.isEmpty else { return nil }
    guard let parsed = Value(argument: text) else {
        throw ValidationError("environment variable \(name) has an invalid value: \(text)")
    }
    return parsed
}

/// A repeated option's values, else the comma-separated environment variable `name` (blanks
/// around commas ignored), else none.
func resolve(list values: [String], env name: String) -> [String] {
    if !values.isEmpty { return values }
    guard let text = CommandEnvironment.variables[name], !text.isEmpty else { return [] }
    return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// Scope names given to `option` (`--proxy-scope`, `--scope`, …) as scopes.
/// - Throws: `ValidationError` naming the option and the scopes there are.
func scopes(_ names: [String], option: String) throws -> [AccessScope] {
    try names.map { name in
        guard let scope = AccessScope(name: name) else {
            throw ValidationError("\(option) \(name) is not one of \(AccessScope.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return scope
    }
}
