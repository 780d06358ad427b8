public import AuditCore
public import AuditIngest

/// How the server signs checkpoints of its log. Every property has a documented default.
public struct CheckpointSettings: Sendable {
    /// The signing key (`serve --signing-key`). Default `nil`: no checkpoints are signed, and
    /// `GET /api/v1/audit/checkpoint` answers 404 until another server on the store signs one.
    public var key: NoteSignerKey?
    /// Public keys of retired signing keys, still trusted for the checkpoints they signed (the
    /// key file's verifier lines). Default none.
    public var retiredKeys: [NoteVerifierKey]
    /// The checkpointer's interval (default 10 s).
    public var checkpointer: Checkpointer.Configuration
    /// Where each new checkpoint is also sent (file, URL). Default none.
    public var witnesses: [any CheckpointWitness]

    /// Creates settings; every parameter defaults to the value documented on its property.
    public init(
        key: NoteSignerKey? = nil, retiredKeys: [NoteVerifierKey] = [], checkpointer: Checkpointer.Configuration = Checkpointer.Configuration(),
        witnesses: [any CheckpointWitness] = []
    ) {
        self.key = key
        self.retiredKeys = retiredKeys
        self.checkpointer = checkpointer
        self.witnesses = witnesses
    }

    /// The keys this server trusts: its own and the retired ones.
    public var trustedKeys: [NoteVerifierKey] { (key.map { [$0.verifier] } ?? []) + retiredKeys }
}
