enum AuditSQLitePlaceholder {}
