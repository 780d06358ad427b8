public import ArgumentParser
import AuditCore

/// `auditledger`: the audit-event store's command line.
public struct AuditLedgerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "auditledger",
        abstract: "An immutable audit-event store with the Kubernaut Data Storage audit API.",
        discussion: """
            Every option can also be set through the environment variable named in its help;
            a command-line option wins over the environment.
            """,
        version: AuditLedgerVersion.current,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, PartitionsCommand.self, RetentionCommand.self, ArchiveCommand.self, MaintenanceCommand.self,
            QuarantineCommand.self, SpoolCommand.self, TokensCommand.self, KeysCommand.self, VerifyCommand.self, VerifyBundleCommand.self,
            ExportCommand.self, SchemasCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )

    public init() {}

    /// The executable's entry point: parses the process arguments, runs the command, exits.
    public static func start() async {
        await main()
    }
}
