import ArgumentParser
import AuditCore
import Foundation

/// The event types' schemas (docs/event-types.md): the built-in ones, more from a directory,
/// and the mode each is checked in.
struct EventSchemaOptions: ParsableArguments {
    @Option(
        name: .customLong("event-schemas"),
        help: """
            A directory of *.json schema files ({"event_type", "mode", "description", "schema"}) added to the built-in ones, \
            replacing those of the same type. (env: AUDITLEDGER_EVENT_SCHEMAS, default: none)
            """)
    var directory: String?

    @Option(
        name: .customLong("event-schema-mode"),
        help: """
            TYPE=off|warn|enforce, or *=MODE for every type with a schema (repeat; applied in order). \
            (env: AUDITLEDGER_EVENT_SCHEMA_MODES, comma-separated, default: warn for every built-in type)
            """)
    var modes: [String] = []

    /// The registry these options give.
    func registry() throws -> EventSchemaRegistry {
        var registry = EventSchemaRegistry.builtIn
        if let directory = try resolve(directory, env: "AUDITLEDGER_EVENT_SCHEMAS") {
            let files: [String]
            do {
                files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
            } catch {
                throw ValidationError("--event-schemas: cannot read the directory \(directory)")
            }
            for name in files {
                let path = directory + "/" + name
                guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("--event-schemas: cannot read \(path)") }
                do {
                    registry = try registry.adding(file: try JSONParser.parse(Array(data)), source: path)
                } catch let error as AuditError {
                    throw ValidationError("--event-schemas: \(error.fieldErrors.map { "\($0.field): \($0.message)" }.joined(separator: "; "))")
                } catch {
                    throw ValidationError("--event-schemas: \(path) is not JSON: \(error)")
                }
            }
        }
        for setting in resolve(list: modes, env: "AUDITLEDGER_EVENT_SCHEMA_MODES") {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let mode = EventSchemaRegistry.Mode(rawValue: parts[1]) else {
                throw ValidationError("--event-schema-mode \(setting): expected TYPE=off|warn|enforce")
            }
            do {
                registry = try registry.setting(mode, for: parts[0])
            } catch {
                throw ValidationError("--event-schema-mode \(setting): \(error.fieldErrors.first?.message ?? error.detail)")
            }
        }
        return registry
    }
}

/// `auditledger schemas doc`: docs/event-types.md for the schemas `serve` would check with the same options.
struct SchemasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schemas", abstract: "The event types' schemas.", subcommands: [Doc.self])

    struct Doc: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print docs/event-types.md: every event type with a schema, its mode and its members' rules.")

        @OptionGroup var schemas: EventSchemaOptions

        func run() throws {
            print(try schemas.registry().markdown, terminator: "")
        }
    }
}
