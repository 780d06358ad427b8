public import AuditCore

/// A checkpoint signing key for tests that archive or export: one per test process.
public enum TestSigning {
    public static let key = NoteSignerKey.generate(name: "test.auditledger")
}
