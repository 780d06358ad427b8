import AuditLedgerCLI

await AuditLedgerCommand.start()
