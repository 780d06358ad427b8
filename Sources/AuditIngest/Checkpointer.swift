public import AuditCore
public import Logging
public import ServiceLifecycle

/// Signs checkpoints of the log (``AuditCore/AuditStore/signCheckpoint(with:now:)``): one at
/// start, then one every ``Configuration/interval`` in which the log grew, and on request
/// (``checkpointNow()``); each is handed to the witnesses once stored. Every server on a
/// database may run one: a checkpoint of a size already stored is not stored twice. A store
/// that cannot answer is retried at the next interval. On shutdown, one last checkpoint.
public final class Checkpointer: Service, Sendable {
    /// Checkpointer settings. Every property has a documented default.
    public struct Configuration: Sendable {
        /// Time between checkpoints while the log grows. Default 10 s.
        public var interval: Duration

        /// Creates a configuration; every parameter defaults to the value documented on its property.
        public init(interval: Duration = .seconds(10)) {
            self.interval = interval
        }
    }

    public let configuration: Configuration
    /// The key checkpoints are signed with.
    public let key: NoteSignerKey
    private let store: any AuditStore
    private let witnesses: [any CheckpointWitness]
    private let metrics: IngestMetrics
    private let logger: Logger

    public init(
        store: any AuditStore, key: NoteSignerKey, configuration: Configuration = Configuration(), witnesses: [any CheckpointWitness] = [],
        metrics: IngestMetrics = IngestMetrics(), logger: Logger
    ) {
        self.store = store
        self.key = key
        self.configuration = configuration
        self.witnesses = witnesses
        self.metrics = metrics
        self.logger = logger
    }

    /// Checkpoints until graceful shutdown, then once more.
    public func run() async throws {
        var failing = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await step(failing: &failing)
            let pause = configuration.interval
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
        await step(failing: &failing)
    }

    /// Signs a checkpoint of the log as it is now (or returns the newest, when it covers the
    /// log), and hands a new one to the witnesses.
    public func checkpointNow() async throws(AuditError) -> StoredCheckpoint {
        let (checkpoint, signed) = try await store.signCheckpoint(with: key, now: .now())
        metrics.checkpointed(size: checkpoint.treeSize)
        if signed {
            logger.debug(
                "checkpoint signed", metadata: ["audit.log.tree_size": "\(checkpoint.treeSize)", "audit.log.root": "\(checkpoint.rootHash)"])
            await witness(checkpoint)
        }
        return checkpoint
    }

    private func step(failing: inout Bool) async {
        do {
            _ = try await checkpointNow()
            if failing { logger.notice("checkpoints are signed again") }
            failing = false
        } catch {
            metrics.checkpointFailed()
            if !failing {
                logger.warning(
                    "no checkpoint could be signed; retrying at the next interval", metadata: ["error": "\(AuditError.logDescription(of: error))"])
            }
            failing = true
        }
    }

    private func witness(_ checkpoint: StoredCheckpoint) async {
        for witness in witnesses {
            do {
                try await witness.witness(checkpoint)
            } catch {
                metrics.witnessFailed()
                logger.warning(
                    "a witness did not take the checkpoint",
                    metadata: ["audit.witness": "\(witness.description)", "audit.log.tree_size": "\(checkpoint.treeSize)", "error": "\(error)"])
            }
        }
    }
}

/// Somewhere outside the database each new checkpoint is also sent, so that whoever holds the
/// database and the signing key still cannot rewrite what was witnessed (docs/integrity.md).
public protocol CheckpointWitness: Sendable, CustomStringConvertible {
    /// Takes one checkpoint; throws when it could not (the checkpoint stays stored; the next
    /// one, consistent with it, is sent at the next interval).
    func witness(_ checkpoint: StoredCheckpoint) async throws
}
