import AuditBench

await BenchCommand.start()
